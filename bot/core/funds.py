"""Mutual fund orders: `/fund buy|sell|exchange|liquidate` previewed with AutoShares' own fund
preview, then confirmed exactly once through the order pipeline.

A fund order is a pending order like an equity one (``storage.orders``): the same conditional
pending → submitting claim on Confirm, two-person approval, daily quota, expiry, audit trail,
webhook and poller follow-up and the same message that follows it to the end; only the
placement differs (``OrderService`` sends a stored :class:`FundTicket` to its operation's
endpoint). What is the funds' own is here: the ticket built from the request, the preview, and
the order's value, which the workspace's limits and the large-order step weigh.

A fund's price is its net asset value at the next close, so the value is what can be known
now: the dollars of a buy or a sell by amount, and for the rest the holding's market value as
AutoShares reports it in the account's positions (a sell of N shares: N at the holding's
price; an exchange or a liquidation: the whole holding). A value that cannot be known counts
as over every limit (``TeamService.weigh`` and ``is_large`` fail closed).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from decimal import Decimal

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import (
    Account,
    FundOperation,
    FundPreview,
    FundTicket,
    Order,
    Position,
    QuantityQualifier,
)
from bot.core.accounts import AccountService
from bot.core.agreements import AgreementService
from bot.core.commands import FundRequest
from bot.core.errors import OrderNotCancellable, OrderNotFound, OrderValueOverLimit
from bot.core.orders import OrderService, is_large, order_state
from bot.core.users import LinkedUsers
from storage.audit import AuditLog
from storage.records import Pending

log = logging.getLogger(__name__)

#: Holdings read to value a sell, an exchange or a liquidation (the first page, largest first).
HOLDINGS_PAGE_SIZE = 100


def fund_ticket(request: FundRequest) -> FundTicket:
    """The ticket for a request: the spec's body for its operation. A reinvestment choice not
    made is reinvest (AutoShares' usual default), written out so the preview shows it."""
    operation = FundOperation(request.action)
    dividends = request.reinvest_dividends is not False
    gains = request.reinvest_gains is not False
    takes_choice = operation in (FundOperation.buy, FundOperation.exchange)
    amount = request.dollars if request.dollars is not None else request.shares
    qualifier = None
    if amount is not None:
        qualifier = QuantityQualifier.EvenDollar if request.dollars is not None else QuantityQualifier.Shares
    return FundTicket(
        fund_operation=operation,
        symbol=request.symbol,
        target_symbol=request.target,
        quantity=amount,
        quantity_qualifier=qualifier,
        reinvest_dividends=dividends if takes_choice else None,
        reinvest_short_term_gains=gains if takes_choice else None,
        reinvest_long_term_gains=gains if takes_choice else None,
    )


def holding_value(position: Position | None) -> Decimal | None:
    """A holding's market value as AutoShares reports it (MarketValue, else MarketValueEOD,
    else quantity × EODPrice), or None."""
    if position is None:
        return None
    if position.market_value is not None:
        return position.market_value
    if position.market_value_eod is not None:
        return position.market_value_eod
    if position.quantity is not None and position.eod_price is not None:
        return position.quantity * position.eod_price
    return None


def fund_value(ticket: FundTicket, holding: Position | None) -> Decimal | None:
    """What the order is worth now, as far as it can be known (see the module docstring)."""
    if ticket.quantity is not None and ticket.in_dollars:
        return ticket.quantity.quantize(Decimal("0.0001"))
    whole = holding_value(holding)
    if whole is None:
        return None
    if ticket.fund_operation == FundOperation.sell:
        held = holding.quantity if holding is not None else None
        if not held or ticket.quantity is None:
            return None
        return (whole / held * ticket.quantity).quantize(Decimal("0.0001"))
    return whole.quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class FundPreviewResult:
    """What the fund confirmation shows. ``pending`` is None when AutoShares refused it."""

    request: FundRequest
    ticket: FundTicket
    account_id: int
    account: Account
    preview: FundPreview
    #: The order's value now (None: cannot be known), and the shares of the fund held (None:
    #: a buy, or not known).
    value: Decimal | None
    held: Decimal | None
    large: bool
    pending: Pending | None
    #: Why Confirm will send it for approval instead of placing it (None: it places it).
    approval: str | None = None
    approvals_channel: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.preview.is_successful) and self.pending is not None


class FundService:
    """Mutual fund orders for Slack users: preview, and cancel; the order pipeline does the
    rest (``OrderService.confirm``, ``approve``, ``cancel_pending`` and the follow-up)."""

    def __init__(
        self,
        *,
        orders: OrderService,
        users: LinkedUsers,
        accounts: AccountService,
        agreements: AgreementService,
        audit: AuditLog,
    ) -> None:
        self.orders = orders
        self._users = users
        self._accounts = accounts
        self._agreements = agreements
        self._audit = audit

    async def preview(
        self,
        team_id: str,
        slack_user_id: str,
        request: FundRequest,
        *,
        channel_id: str | None,
        response_url: str | None,
    ) -> FundPreviewResult:
        """The workspace's rules, the agreements gate, the account, AutoShares' fund preview
        and the holding; a previewed order is stored pending, weighed against the limits."""
        team = self.orders.team
        rules = await team.order_gate(team_id, slack_user_id, channel_id)
        user = await self._users.acting(team_id, slack_user_id)
        _, (account_id, account) = await asyncio.gather(
            self._agreements.require_signed(user), self._accounts.resolve(user, request.account_id)
        )
        ticket = fund_ticket(request)
        preview, (holding, held) = await asyncio.gather(
            user.api.preview_fund(account_id, ticket), self._holding(user.api, account_id, ticket)
        )
        value = fund_value(ticket, holding)
        try:
            rules, pending = await self.orders.hold_if_previewed(
                rules,
                team_id,
                slack_user_id,
                account_id,
                symbol=ticket.symbol,
                request=ticket.stored(),
                preview=preview,
                value=value,
                channel_id=channel_id,
                response_url=response_url,
            )
        except OrderValueOverLimit as exc:  # said in a fund's words
            raise OrderValueOverLimit(exc.value, exc.limit, fund=True) from None
        return FundPreviewResult(
            request=request,
            ticket=ticket,
            account_id=account_id,
            account=account,
            preview=preview,
            value=value,
            held=held,
            large=is_large(value, self.orders.policy.large_order_notional),
            pending=pending,
            approval=rules.approval,
            approvals_channel=rules.policy.approvals_channel if rules.approval else None,
        )

    @staticmethod
    async def _holding(
        api: UserApi, account_id: int, ticket: FundTicket
    ) -> tuple[Position | None, Decimal | None]:
        """The account's holding of the fund sold and the shares held: (None, 0) when the
        account holds none, (None, None) for a buy or when it cannot be told (the positions
        cannot be read, or the fund is not on their first page): the value is then unknown,
        which fails closed."""
        if ticket.fund_operation == FundOperation.buy:
            return None, None
        try:
            page = await api.positions(account_id, page_size=HOLDINGS_PAGE_SIZE, sort_field="Symbol")
        except e.AutoSharesError as exc:
            log.info("positions unavailable to value a fund order: %s", exc.code)
            return None, None
        found = next((p for p in page.items if (p.symbol or "").upper() == ticket.symbol), None)
        if found is not None:
            return found, found.quantity
        return None, (None if page.has_next else Decimal(0))

    async def cancel(
        self, team_id: str, slack_user_id: str, order_id: int, account_id: int | None
    ) -> Order | None:
        """Cancel a mutual fund order not yet filled (409: it is filled or cancelled already);
        the order as AutoShares holds it afterwards, when it can be read, is applied to its
        message like a webhook would be."""
        user = await self._users.acting(team_id, slack_user_id)
        account, _ = await self._accounts.resolve(user, account_id)
        try:
            await user.api.cancel_fund_order(account, order_id)
        except e.AutoSharesConflict:
            raise OrderNotCancellable(order_id) from None
        except e.AutoSharesNotFound:
            raise OrderNotFound(order_id, account) from None
        await self._audit.record(
            subject="order",
            action="cancel_requested",
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_id=order_id,
            detail={"account_id": account, "mutual_fund": True},
        )
        try:
            order = await user.api.order(account, order_id)
        except e.AutoSharesError as exc:
            log.info("the cancelled fund order could not be read back: %s", exc.code)
            return None
        await self.orders.repo.apply_order_update(order_state(order), actor=slack_user_id)
        return order
