"""New issues (IPO): the offerings open to an account, a subscription through the order
pipeline, and unsubscribing.

A subscription is a pending order whose request is an ``OfferingTicket``: it is previewed
(the offering as AutoShares shows it now), stored, and confirmed exactly once by the same
Confirm, Cancel, Approve and Reject as an order (``bot.core.orders``), under the same team rules
(role, pause, place, daily count, value limit and approval) and in the same audit log. Its
value is the offering's minimum ticket: the least an order in the offering commits, so a
threshold or a member's limit weighs it; an offering that states none needs approval wherever
a threshold is set, as an order of unknown value does.

Unsubscribing withdraws an interest and moves no money: it is one audited call.
"""

from __future__ import annotations

from bot.autoshares import errors as e
from bot.autoshares.resources import Account, Offering, OfferingTicket
from bot.core.accounts import AccountService
from bot.core.agreements import AgreementService
from bot.core.errors import OfferingNotFound, OfferingRefused
from bot.core.orders import OrderService
from bot.core.team import ORDERS, TRADER
from bot.core.users import ActingUser, LinkedUsers
from bot.core.views import OfferingsView, SubscriptionPreview
from storage.audit import AuditLog


def find_offering(offerings: list[Offering], reference: str) -> Offering | None:
    return next((o for o in offerings if o.offering_reference == reference), None)


class OfferingService:
    """`/autoshares ipo`, its Subscribe (previewed, then the order pipeline) and Unsubscribe."""

    def __init__(
        self,
        *,
        users: LinkedUsers,
        accounts: AccountService,
        agreements: AgreementService,
        orders: OrderService,
        audit: AuditLog,
    ) -> None:
        self._users = users
        self._accounts = accounts
        self._agreements = agreements
        self._orders = orders
        self._audit = audit

    async def active(self, team_id: str, slack_user_id: str, account_id: int | None) -> OfferingsView:
        """The new issues open to the account (the default one unless named)."""
        user = await self._users.acting(team_id, slack_user_id)
        account, found = await self._accounts.resolve(user, account_id)
        return OfferingsView(account, found, await user.api.active_offerings(account))

    async def _offering(self, user: ActingUser, account_id: int, reference: str) -> tuple[Account, Offering]:
        account, found = await self._accounts.resolve(user, account_id)
        offering = find_offering(await user.api.active_offerings(account), reference)
        if offering is None:
            raise OfferingNotFound(reference, account)
        return found, offering

    async def preview(
        self,
        team_id: str,
        slack_user_id: str,
        account_id: int,
        reference: str,
        *,
        channel_id: str | None,
        response_url: str | None,
    ) -> SubscriptionPreview:
        """Subscribe clicked: the team's rules and the agreements first, then the offering read
        afresh, stored as a pending order awaiting the member's Confirm."""
        orders = self._orders
        rules = await orders.team.order_gate(team_id, slack_user_id, channel_id)
        user = await self._users.acting(team_id, slack_user_id)
        await self._agreements.require_signed(user)
        account, offering = await self._offering(user, account_id, reference)
        value = offering.min_ticket_size
        rules = orders.team.weigh(rules, value)
        ticket = OfferingTicket.of(offering)
        pending = await orders.hold(
            team_id,
            slack_user_id,
            account_id,
            symbol=(offering.ticker_symbol or offering.offering_reference)[:16],
            request=ticket.stored(),
            preview=None,
            value=value,
            channel_id=channel_id,
            response_url=response_url,
        )
        return SubscriptionPreview(
            account_id=account_id,
            account=account,
            offering=offering,
            pending=pending,
            approval=rules.approval,
            approvals_channel=rules.policy.approvals_channel if rules.approval else None,
        )

    async def unsubscribe(
        self, team_id: str, slack_user_id: str, account_id: int, reference: str
    ) -> Offering:
        """Stop following an offering (a trader's act, audited); the offering as it was shown."""
        await self._orders.team.require(team_id, slack_user_id, TRADER, ORDERS)
        user = await self._users.acting(team_id, slack_user_id)
        _, offering = await self._offering(user, account_id, reference)
        try:
            await user.api.unsubscribe_offering(account_id, reference)
        except e.AutoSharesConflict:
            raise OfferingRefused(offering.title, "unsubscribe from") from None
        await self._audit.record(
            subject="ipo",
            action="unsubscribed",
            team_id=team_id,
            slack_user_id=slack_user_id,
            detail={"account_id": account_id, "offering": reference},
        )
        return offering
