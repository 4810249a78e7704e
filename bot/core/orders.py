"""The order service: preview, confirm exactly once, place with a ClientId, follow up.

``preview`` checks the agreements gate, resolves the account, asks AutoShares for the preview
and stores a pending order (id = uuid4 = the ClientId it will be placed with). ``confirm`` is
the Confirm click: it moves the row pending → submitting with one conditional UPDATE (only the
requester, only before expiry, only once), re-checks the agreements and places the order. Every
caller that did not win waits for the winner's result and shows that instead, so a double click,
a Slack retry or two replicas produce one order and the same message.

A timeout or 5xx while placing is uncertain: the order may stand. It is resolved by looking the
order up by ClientId, never by sending a second, different order; what cannot be resolved now
stays ``submitting`` and the follow-up poller resolves it later.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import (
    LIMIT_PRICED,
    OPEN_ORDER_STATUSES,
    STOP_PRICED,
    Account,
    Agreement,
    Balance,
    ExecInst,
    FundOrder,
    FundPreview,
    FundTicket,
    OfferingTicket,
    Order,
    OrderChangePreview,
    OrderDetail,
    OrderLimits,
    OrderPreview,
    OrderSide,
    OrderTicket,
    OrderType,
    ReplacedTerms,
    TimeInForce,
    TrailingAmountType,
    expire_at,
    fixed_kind,
)
from bot.core.accounts import AccountService
from bot.core.agreements import AgreementService
from bot.core.commands import ExtendedSession, OptionOrderRequest, OrderEditCommand, OrderRequest
from bot.core.errors import (
    AgreementsOutstandingError,
    BotError,
    DailyOrderLimit,
    EditDoesNotFit,
    OrderNotCancellable,
    OrderNotEditable,
    OrderNotFound,
    OrderOverLimit,
    OwnApproval,
    TeamRefusal,
)
from bot.core.events import OrderEvent, order_update
from bot.core.market_clock import AFTER_HOURS_CLOSE, REGULAR_OPEN, is_trading_day, market_time
from bot.core.options import contract_size, option_notional, option_order_body
from bot.core.team import APPROVALS, APPROVER, OrderGate, TeamService
from bot.core.users import ActingUser, LinkedUsers
from bot.telemetry.metrics import Metrics
from bot.vocabulary.options import is_option_symbol, listed_under
from bot.vocabulary.states import UNCONFIRMED
from storage.audit import AuditLog
from storage.orders import DayQuota, OrderUpdate, OverDailyLimit, PendingOrderRepository
from storage.records import AWAITING_APPROVAL, PENDING, SUBMITTING, OrderState, Pending

log = logging.getLogger(__name__)

#: ExtendedHours values the bot sends. The spec types the property as a free string; the
#: documented values are PRE, POST, REGPRE and REGPOST (AutoSharesAPI/API
#: pages/orders/extended-hours.md). The bot keeps regular hours in every order it sends.
PRE_AND_REGULAR = "REGPRE"
REGULAR_AND_POST = "REGPOST"
#: How long a losing click waits for the winner's result before saying "still placing".
SETTLE_WAIT_SECONDS = 25.0
SETTLE_POLL_SECONDS = 0.1
#: Pages of recent orders searched for a ClientId when the filter query is not supported.
LOOKUP_PAGES = 3
LOOKUP_PAGE_SIZE = 100
#: pageNumber of the first page: zero-based, as the Pagination page says.
FIRST_PAGE = 0
#: Open orders shown by `/order list` and App Home (the newest page).
OPEN_ORDERS_PAGE_SIZE = 50
#: The filters asked of AutoShares for open orders, in turn until one is accepted: the
#: documented form (numeric statuses, as the Get Filtered Orders page writes them), then status
#: names; a deployment that takes neither is read page by page.
OPEN_FILTERS = (
    "Status in ({})".format(",".join(str(int(s)) for s in sorted(OPEN_ORDER_STATUSES))),
    "Status in ({})".format(
        ", ".join(f"'{s.name}'" for s in sorted(OPEN_ORDER_STATUSES, key=lambda s: s.name))
    ),
)
#: The documented form alone (the name callers used when there was one form).
OPEN_FILTER = OPEN_FILTERS[0]
#: Why a placement failed when AutoShares answered with an error and has no order with our id.
NOT_TAKEN = "not_taken"
#: AutoShares' answers that say it did not take a request to place or subscribe: a definite
#: refusal, settled at once (anything else may have reached it and is read back).
REFUSALS: tuple[type[Exception], ...] = (
    e.AutoSharesRateLimited,
    e.AutoSharesInvalid,
    e.AutoSharesForbidden,
    e.AutoSharesNotFound,
    e.RelinkRequired,
)
#: A subscription's refusals: those, and a conflict (the offering no longer takes it).
SUBSCRIPTION_REFUSALS: tuple[type[Exception], ...] = (e.AutoSharesConflict, *REFUSALS)


# -- pure rules ------------------------------------------------------------------------------------


def extended_hours_value(session: ExtendedSession, now: datetime) -> str:
    """The documented ExtendedHours value for what the user asked: ``pre`` is pre-market and
    regular hours (REGPRE), ``post`` regular hours and after-hours (REGPOST), and ``ext`` the
    extended session that comes next at ``now``: REGPRE before the open on a trading day, REGPOST
    from the open until after-hours end, REGPRE again after that, at weekends and on NYSE holidays (the next
    extended session is then a pre-market one). No value covers both extended sessions: the
    pages' newest list (PRE, POST, REGPRE, REGPOST) has none, and the older ETNA ones (ALL,
    PREPOST) are not on it."""
    if session == "pre":
        return PRE_AND_REGULAR
    if session == "post":
        return REGULAR_AND_POST
    local = market_time(now)
    if is_trading_day(local.date()) and REGULAR_OPEN <= local.time() < AFTER_HOURS_CLOSE:
        return REGULAR_AND_POST
    return PRE_AND_REGULAR


def order_body(
    request: OrderRequest, client_id: str | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The CreateOrderResource for a parsed order (written by the client's ``OrderTicket``).
    ``now`` decides what ``ext`` means (see :func:`extended_hours_value`); the body is built
    once, at the preview, and the order is placed with that same body. A bracket is one order
    whose ``Legs`` are the entry and then its exits (see :func:`bracket_ticket`)."""
    session = request.extended_hours
    ticket = order_ticket(request).model_copy(
        update={
            "extended_hours": extended_hours_value(session, now or datetime.now(UTC)) if session else None,
            "client_id": client_id,
        }
    )
    if request.is_bracket:
        ticket = bracket_ticket(request, ticket)
    return ticket.body()


def order_ticket(request: OrderRequest) -> OrderTicket:
    """One order's ticket: its type, prices, trailing distances, instruction and expiry."""
    trail_type: TrailingAmountType | None = None
    if request.trail is not None:
        trail_type = (
            TrailingAmountType.Persentage if request.trail_unit == "percent" else TrailingAmountType.Absolute
        )
    instruction = (
        ExecInst.CashAmountOrder
        if request.cash_amount is not None
        else ExecInst.AllOrNone
        if request.all_or_none
        else None
    )
    return OrderTicket(
        symbol=request.symbol,
        side=OrderSide(request.side),
        type=OrderType(request.order_type),
        quantity=request.cash_amount if request.cash_amount is not None else Decimal(request.quantity),
        price=request.limit_price,
        stop_price=request.stop_price,
        time_in_force=TimeInForce(request.time_in_force),
        exec_inst=instruction,
        expire_date=expire_at(request.expire_date.isoformat()) if request.expire_date else None,
        trailing_stop_amount_type=trail_type,
        trailing_stop_amount=request.trail,
        trailing_limit_amount_type=TrailingAmountType.Absolute if request.limit_offset is not None else None,
        trailing_limit_amount=request.limit_offset,
    )


#: The side that closes what an entry opens.
EXIT_SIDES = {
    OrderSide.Buy: OrderSide.Sell,
    OrderSide.Sell: OrderSide.Buy,
    OrderSide.SellShort: OrderSide.BuyToCover,
    OrderSide.BuyToCover: OrderSide.SellShort,
}


def bracket_ticket(request: OrderRequest, entry: OrderTicket) -> OrderTicket:
    """A bracket as AutoShares takes it: one order of type ``OneTriggerOneCancelOther`` (both
    exits: the entry's fill triggers a take-profit limit and a stop-loss stop, and the first
    of them to fill cancels the other) or ``OneTriggerOther`` (one exit), whose ``Legs`` are
    the entry first, then the exits (take-profit, then stop-loss), each a CreateOrderResource
    for the same symbol and quantity. The exits last until cancelled; the parent carries the
    entry's side, quantity, time in force and the ``ClientId``."""
    exit_side = EXIT_SIDES[entry.side]
    plain = entry.model_copy(update={"client_id": None})
    exits = [
        OrderTicket(
            symbol=entry.symbol,
            side=exit_side,
            type=order_type,
            quantity=entry.quantity,
            price=level if order_type is OrderType.Limit else None,
            stop_price=level if order_type is OrderType.Stop else None,
            time_in_force=TimeInForce.GoodTillCancel,
        )
        for order_type, level in ((OrderType.Limit, request.take_profit), (OrderType.Stop, request.stop_loss))
        if level is not None
    ]
    kind = OrderType.OneTriggerOneCancelOther if len(exits) == 2 else OrderType.OneTriggerOther
    return OrderTicket(
        symbol=entry.symbol,
        side=entry.side,
        type=kind,
        quantity=entry.quantity,
        time_in_force=entry.time_in_force,
        client_id=entry.client_id,
        legs=[plain, *exits],
    )


def notional(request: OrderRequest, preview: OrderPreview | None) -> Decimal | None:
    """quantity × (limit, else stop, else last price), or a dollar order's amount; from the
    preview's cost as a last resort."""
    if request.cash_amount is not None:
        return request.cash_amount.quantize(Decimal("0.0001"))
    price = request.limit_price or request.stop_price or (preview.last_price if preview else None)
    if price is not None:
        return (Decimal(request.quantity) * price).quantize(Decimal("0.0001"))
    cost = preview.cost if preview is not None else None
    return cost.quantize(Decimal("0.0001")) if cost is not None and cost > 0 else None


def edit_terms(
    order: Order, command: OrderEditCommand, last_price: Decimal | None = None, size: Decimal | None = Decimal(1)
) -> OrderTicket:
    """The working ``order``'s terms with ``command``'s changes (what it leaves out stays), and
    what they replace (``size``: the shares one unit of the order stands for, an option's
    contract size; None when it cannot be known, which leaves the cost unknown);
    ``EditDoesNotFit`` when the order cannot change in place (``fixed_kind``),
    a price is one the order does not have, the new
    quantity is not above what already filled, or nothing would change."""
    kind = order.type or OrderType.Market
    fixed = fixed_kind(order)
    if fixed is not None:
        raise EditDoesNotFit(order.id, "fixed", fixed)
    if command.stop_price is not None and kind not in STOP_PRICED:
        raise EditDoesNotFit(order.id, "no_stop", kind.value)
    if command.limit_price is not None and kind not in LIMIT_PRICED:
        raise EditDoesNotFit(order.id, "no_limit", kind.value)
    before = order.quantity if order.quantity is not None else Decimal(0)
    quantity = Decimal(command.quantity) if command.quantity is not None else before
    filled = order.executed_quantity or Decimal(0)
    if quantity <= filled:
        raise EditDoesNotFit(order.id, "filled", kind.value, filled)
    price = command.limit_price if command.limit_price is not None else order.price
    stop = command.stop_price if command.stop_price is not None else order.stop_price
    if (quantity, price, stop) == (before, order.price, order.stop_price):
        raise EditDoesNotFit(order.id, "same", kind.value)
    if order.side is None or not order.symbol:
        raise e.AutoSharesMalformed(
            "AutoShares GET /accounts/{accountId}/orders/{orderId} answered an order without Side or Symbol",
            endpoint="GET /accounts/{accountId}/orders/{orderId}",
            field="Side",
        )
    old_price = _priced_at(kind, order.price, order.stop_price) or last_price
    return OrderTicket(
        symbol=order.symbol,
        side=order.side,
        type=kind,
        quantity=quantity,
        price=price if kind in LIMIT_PRICED else None,
        stop_price=stop if kind in STOP_PRICED else None,
        time_in_force=order.time_in_force,
        extended_hours=order.extended_hours or None,
        expire_date=order.expire_date,
        trailing_stop_amount_type=order.trailing_stop_amount_type,
        trailing_stop_amount=order.trailing_stop_amount,
        trailing_limit_amount_type=order.trailing_limit_amount_type,
        trailing_limit_amount=order.trailing_limit_amount,
        replaces=ReplacedTerms(
            id=order.id,
            quantity=before,
            price=order.price,
            stop_price=order.stop_price,
            cost=(before * old_price * size).quantize(Decimal("0.01"))
            if old_price is not None and size is not None
            else None,
        ),
    )


async def order_contract_size(api: UserApi, order: Order) -> Decimal | None:
    """The shares one unit of a placed order stands for: 1 for a share, an option's contract
    size as AutoShares lists it (None when it cannot be read: the order's value is then
    unknown and fails closed)."""
    if not is_option_symbol(order.symbol or ""):
        return Decimal(1)
    try:
        return (await api.option(order.symbol or "")).shares_per_contract
    except e.AutoSharesError as exc:
        log.info("contract size of %s unavailable for an edit: %s", order.symbol, exc.code)
        return None


def carries_change(order: Order, change_id: str, ticket: OrderTicket) -> bool:
    """Whether AutoShares' order has taken the change ``change_id`` (``ticket``'s terms): it
    carries the change's ClientId, or, where a deployment keeps the order's first ClientId on a
    replace, it has the change's quantity and prices."""
    if (order.client_id or "") == change_id:
        return True
    return (order.quantity, order.price, order.stop_price) == (
        ticket.quantity,
        ticket.price,
        ticket.stop_price,
    )


def _priced_at(kind: OrderType, price: Decimal | None, stop: Decimal | None) -> Decimal | None:
    """The price an order's value is reckoned at: its limit, else its stop."""
    if kind in LIMIT_PRICED and price is not None:
        return price
    return stop if kind in STOP_PRICED else None


def edit_value(
    ticket: OrderTicket, preview: OrderPreview | None, size: Decimal | None = Decimal(1)
) -> Decimal | None:
    """What a changed order is worth: quantity × (limit, else stop, else the preview's last
    price) × ``size`` (an option's contract size), from the preview's cost as a last resort (as
    :func:`notional` for a new order). A size that cannot be known leaves the value unknown,
    which the workspace's limits count as over them."""
    if size is None:
        return None
    price = _priced_at(ticket.type, ticket.price, ticket.stop_price) or (preview.last_price if preview else None)
    if price is not None:
        return (ticket.quantity * price * size).quantize(Decimal("0.0001"))
    cost = preview.cost if preview is not None else None
    return cost.quantize(Decimal("0.0001")) if cost is not None and cost > 0 else None


def over_limit(request: OrderRequest, limits: OrderLimits | None) -> OrderOverLimit | None:
    """The refusal for an order asking more than AutoShares says the account can buy (buys and
    covers) or sell (sells and shorts) of the symbol now; None when it fits or the limits are
    unknown. A dollar amount counts as the shares it buys at the limits' price."""
    if limits is None:
        return None
    buying = request.side in (OrderSide.Buy, OrderSide.BuyToCover)
    limit = limits.buy_limit if buying else limits.sell_limit
    if limit is None:
        return None
    wanted = Decimal(request.quantity)
    if request.cash_amount is not None:
        at = limits.buy_price if buying else limits.sell_price
        if not at:
            return None
        wanted = (request.cash_amount / at).quantize(Decimal("0.0001"))
    if wanted <= limit:
        return None
    return OrderOverLimit(request.symbol, buying, wanted, limit)


def is_large(value: Decimal | None, threshold: int) -> bool:
    """Orders above the threshold need the symbol typed as a second confirmation. An order whose
    value cannot be known (no price, no cost in the preview) is large: the step fails closed."""
    return value is None or value > Decimal(threshold)


def failure_code(exc: BaseException) -> str:
    """What a failed placement's row keeps: the error's code and AutoShares' own reason, if any
    (the Slack surface turns it into a sentence)."""
    code = str(getattr(exc, "code", "unexpected"))
    description = getattr(exc, "description", None)
    return f"{code}: {description}" if description else code


def buying_power_after(balances: Balance | None, preview: OrderPreview, side: str) -> Decimal | None:
    """Buying power once this order is filled: buys and shorts use it, sells and covers don't."""
    if balances is None:
        return None
    power = balances.buying_power
    if power is None:
        return None
    cost = next(
        (c for c in (preview.total_cost, preview.net_cost, preview.cost) if c is not None), Decimal(0)
    )
    if side in (OrderSide.Buy, OrderSide.SellShort):
        return (power - cost).quantize(Decimal("0.01"))
    return power.quantize(Decimal("0.01"))


def event_state(event: OrderEvent) -> OrderState:
    """What the bot keeps of what an order event states."""
    return OrderState(
        order_id=event.order_id,
        client_id=event.client_id,
        account_id=event.account_id,
        status=event.status.name if event.status is not None else None,
        symbol=event.symbol,
        executed_quantity=event.executed_quantity,
        average_price=event.average_price,
        leaves_quantity=event.leaves_quantity,
        description=event.description,
    )


def fund_order_state(order: FundOrder, row: Pending) -> OrderState:
    """What the bot keeps of AutoShares' answer to a mutual fund order (``MutualFundResource``
    names neither the account nor the fund: the pending order does)."""
    return OrderState(
        order_id=order.id,
        account_id=row.account_id,
        status=order.status.name,
        symbol=row.symbol,
        executed_quantity=order.executed_quantity,
        description=order.description,
    )


def order_state(order: Order) -> OrderState:
    """What the bot keeps of an order AutoShares answered with."""
    return OrderState(
        order_id=order.id,
        client_id=order.client_id or None,
        account_id=order.account_id,
        status=order.status.name,
        symbol=order.symbol or None,
        executed_quantity=order.executed_quantity,
        average_price=order.average_price,
        leaves_quantity=order.leaves_quantity,
        description=order.error_description_text or order.description,
    )


# -- outcomes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewResult:
    """What the confirmation message shows. ``pending`` is None when the preview failed."""

    request: OrderRequest | OptionOrderRequest
    body: dict[str, Any]
    account_id: int
    account: Account
    preview: OrderPreview
    buying_power_after: Decimal | None
    notional: Decimal | None
    large: bool
    pending: Pending | None
    #: Why Confirm will send it for approval instead of placing it (None: it places it).
    approval: str | None = None
    approvals_channel: str | None = None
    #: What the account can buy and sell of the symbol now (None: AutoShares did not say).
    limits: OrderLimits | None = None

    @property
    def ok(self) -> bool:
        return bool(self.preview.is_successful) and self.pending is not None

    @property
    def ticket(self) -> OrderTicket:
        """The order previewed, as the bot will send it."""
        return OrderTicket.read(self.body)


@dataclass(frozen=True)
class EditPreviewResult:
    """What the confirmation of a change shows: the order before (``order``), its new terms
    (``ticket``, what it replaces included) and AutoShares' preview of the replace.
    ``pending`` is None when the preview failed."""

    command: OrderEditCommand
    order: Order
    ticket: OrderTicket
    account_id: int
    account: Account
    preview: OrderChangePreview
    notional: Decimal | None
    large: bool
    pending: Pending | None
    approval: str | None = None
    approvals_channel: str | None = None

    @property
    def ok(self) -> bool:
        return bool(self.preview.is_successful) and self.pending is not None


class ConfirmKind(enum.Enum):
    SETTLED = "settled"  # the order's fate is known (placed, failed, cancelled, expired)
    NOT_YOURS = "not_yours"  # someone else's order: only the requester may confirm
    NEEDS_SYMBOL = "needs_symbol"  # a large order: type the symbol first
    UNKNOWN = "unknown"  # no such pending order
    IN_FLIGHT = "in_flight"  # still being placed (or unresolved); the message will update
    SENT_FOR_APPROVAL = "sent_for_approval"  # Confirm sent it to the approvers' channel


@dataclass(frozen=True)
class OrderDetails:
    """`/order show`: an order as AutoShares holds it and its history (request, executions,
    end)."""

    account_id: int
    order: Order
    lines: list[OrderDetail]

    @property
    def executions(self) -> list[OrderDetail]:
        return [line for line in self.lines if line.is_execution]

    @property
    def fees(self) -> Decimal | None:
        """What AutoShares charged: the executions' commissions, else the order's."""
        charged = [
            line.broker_service_commission for line in self.executions if line.broker_service_commission
        ]
        if charged:
            return sum(charged, Decimal(0))
        return self.order.broker_service_commission


@dataclass(frozen=True)
class ConfirmResult:
    kind: ConfirmKind
    pending: Pending | None = None
    agreements: list[Agreement] | None = None


# -- the service -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderPolicy:
    """The workspace's order rules: how long a confirmation stands, and above which value an
    order needs its symbol typed as a second confirmation."""

    confirm_seconds: int = 120
    large_order_notional: int = 25_000
    #: A Confirm's answer is owed to the outbox this long after the click, in case the process
    #: answering it dies first (the settle window of the follow-up poller).
    settle_after_seconds: float = 60.0


class OrderService:
    """Orders for Slack users: preview, confirm exactly once, cancel, follow up."""

    def __init__(
        self,
        *,
        users: LinkedUsers,
        accounts: AccountService,
        agreements: AgreementService,
        repo: PendingOrderRepository,
        audit: AuditLog,
        metrics: Metrics,
        policy: OrderPolicy,
        team: TeamService,
    ) -> None:
        self.team = team
        self._users = users
        self._accounts = accounts
        self._agreements = agreements
        self.repo = repo
        self._audit = audit
        self._metrics = metrics
        self.policy = policy

    async def hold(
        self,
        team_id: str,
        slack_user_id: str,
        account_id: int,
        *,
        symbol: str,
        request: dict[str, Any],
        preview: dict[str, Any] | None,
        value: Decimal | None,
        channel_id: str | None,
        response_url: str | None,
    ) -> Pending:
        """A previewed order, change, fund order or subscription stored for Confirm: it expires
        after the policy's confirmation window."""
        return await self.repo.create(
            id=str(uuid.uuid4()),
            team_id=team_id,
            slack_user_id=slack_user_id,
            account_id=account_id,
            symbol=listed_under(symbol),
            request=request,
            preview=preview,
            notional=value,
            ttl=timedelta(seconds=self.policy.confirm_seconds),
            channel_id=channel_id,
            response_url=response_url,
        )

    # -- preview ---------------------------------------------------------------------------------
    async def preview(
        self,
        team_id: str,
        slack_user_id: str,
        request: OrderRequest | OptionOrderRequest,
        *,
        channel_id: str | None,
        response_url: str | None,
    ) -> PreviewResult:
        """Gate, resolve the account, preview at AutoShares and store the pending order.

        The four AutoShares calls (agreements, accounts, preview, balances) run at once when
        the account is known ahead (asked for, or the user's default); a preview has no effect
        at AutoShares, so it is simply discarded when the gate or the account check refuses.
        Otherwise the gate and the account list go first, then the preview and the balances.
        The workspace's rules (role, pause, place, daily count) are read before any of them,
        and the order's value is weighed against the member's limit and the approval threshold
        once the preview has priced it.
        """
        rules = await self.team.order_gate(team_id, slack_user_id, channel_id)
        user = await self._users.acting(team_id, slack_user_id)
        body, size = await self._body(user, request)
        account_id, account, preview, balances, limits = await self._priced(user, request, body)
        if isinstance(request, OptionOrderRequest):
            value = option_notional(request, preview, size)
        else:
            refusal = over_limit(request, limits)
            if refusal is not None:
                await self.refused(team_id, slack_user_id, account_id, body, refusal.code)
                raise refusal
            value = notional(request, preview)
        large = is_large(value, self.policy.large_order_notional)
        rules, pending = await self.hold_if_previewed(
            rules,
            team_id,
            slack_user_id,
            account_id,
            symbol=request.symbol,
            request=body,
            preview=preview,
            value=value,
            channel_id=channel_id,
            response_url=response_url,
        )
        return PreviewResult(
            request=request,
            body=body,
            account_id=account_id,
            account=account,
            preview=preview,
            buying_power_after=buying_power_after(balances, preview, request.side),
            notional=value,
            large=large,
            pending=pending,
            approval=rules.approval,
            approvals_channel=rules.policy.approvals_channel if rules.approval else None,
            limits=limits,
        )

    async def hold_if_previewed(
        self,
        rules: OrderGate,
        team_id: str,
        slack_user_id: str,
        account_id: int,
        *,
        symbol: str,
        request: dict[str, Any],
        preview: OrderPreview | FundPreview,
        value: Decimal | None,
        channel_id: str | None,
        response_url: str | None,
        autoshares_id: int | None = None,
    ) -> tuple[OrderGate, Pending | None]:
        """After AutoShares' preview of an order, a change or a fund order: when it passed, the
        rules weighed against the order's value and the order held for Confirm; when it failed,
        the refusal noted in the audit trail and nothing held."""
        if not preview.is_successful:
            await self.refused(
                team_id,
                slack_user_id,
                account_id,
                request,
                preview.error_description,
                autoshares_id=autoshares_id,
            )
            return rules, None
        pending = await self.hold(
            team_id,
            slack_user_id,
            account_id,
            symbol=symbol,
            request=request,
            preview=preview.model_dump(mode="json", exclude_none=True),
            value=value,
            channel_id=channel_id,
            response_url=response_url,
        )
        return self.team.weigh(rules, value), pending

    async def refused(
        self,
        team_id: str,
        slack_user_id: str,
        account_id: int,
        body: dict[str, Any],
        error: str | None,
        *,
        autoshares_id: int | None = None,
    ) -> None:
        """The audit trail's note of a preview (of an order, a change or a fund order) that
        cannot be confirmed, and why."""
        await self._audit.record(
            subject="order",
            action="previewed",
            team_id=team_id,
            slack_user_id=slack_user_id,
            autoshares_id=autoshares_id,
            detail={"account_id": account_id, "order": body, "ok": False, "error": error},
        )

    async def preview_edit(
        self,
        team_id: str,
        slack_user_id: str,
        command: OrderEditCommand,
        *,
        channel_id: str | None,
        response_url: str | None,
    ) -> EditPreviewResult:
        """A change to a working order, previewed: the workspace's rules, the agreements gate,
        a fresh read of the order (a finished one cannot change), AutoShares' preview of the
        replace, and a pending change stored for Confirm (the same exactly-once way as an
        order). The new value is weighed against the member's limit and the approval threshold."""
        rules = await self.team.order_gate(team_id, slack_user_id, channel_id)
        user = await self._users.acting(team_id, slack_user_id)
        (account_id, account), _ = await asyncio.gather(
            self._accounts.resolve(user, command.account_id), self._agreements.require_signed(user)
        )
        order = await self.working_order(user.api, account_id, command.order_id)
        size = await order_contract_size(user.api, order)
        ticket = edit_terms(order, command, size=size)
        preview = await user.api.preview_replace(account_id, order.id, ticket.change())
        if ticket.replaces is not None and ticket.replaces.cost is None and preview.last_price is not None:
            ticket = edit_terms(order, command, preview.last_price, size)
        value = edit_value(ticket, preview, size)
        rules, pending = await self.hold_if_previewed(
            rules,
            team_id,
            slack_user_id,
            account_id,
            symbol=order.symbol,
            request=ticket.stored(),
            preview=preview,
            value=value,
            channel_id=channel_id,
            response_url=response_url,
            autoshares_id=order.id,
        )
        return EditPreviewResult(
            command=command,
            order=order,
            ticket=ticket,
            account_id=account_id,
            account=account,
            preview=preview,
            notional=value,
            large=is_large(value, self.policy.large_order_notional),
            pending=pending,
            approval=rules.approval,
            approvals_channel=rules.policy.approvals_channel if rules.approval else None,
        )

    @staticmethod
    async def working_order(api: UserApi, account_id: int, order_id: int) -> Order:
        """The order as AutoShares has it now, if it is still working (else
        ``OrderNotEditable``; ``OrderNotFound`` when the account has no such order)."""
        try:
            order = await api.order(account_id, order_id)
        except e.AutoSharesNotFound:
            raise OrderNotFound(order_id, account_id) from None
        if not order.is_open:
            raise OrderNotEditable(order.id, order.status.name)
        return order

    @staticmethod
    async def _body(
        user: ActingUser, request: OrderRequest | OptionOrderRequest
    ) -> tuple[dict[str, Any], Decimal]:
        """The order's body, and the shares one unit of it stands for: an option's contracts
        are read back from AutoShares first (their contract size), a share is one."""
        if isinstance(request, OptionOrderRequest):
            return option_order_body(request), await contract_size(user.api, request)
        return order_body(request), Decimal(1)

    async def _priced(
        self, user: ActingUser, request: OrderRequest | OptionOrderRequest, body: dict[str, Any]
    ) -> tuple[int, Account, OrderPreview, Balance | None, OrderLimits | None]:
        """The agreements gate, the account chosen, AutoShares' preview of ``body`` on it, the
        account's balances and its limits for the symbol (a share order's only): all at once
        when the account is known ahead (see ``preview``)."""
        guess = request.account_id if request.account_id is not None else user.link.default_account_id
        early: tuple[Any, Any, Any] | None = None
        if guess is None:
            _, accounts = await asyncio.gather(self._agreements.require_signed(user), user.api.accounts())
        else:
            gate, listed, *early_list = await asyncio.gather(
                self._agreements.require_signed(user),
                user.api.accounts(),
                user.api.preview_order(guess, body),
                self._balances(user.api, guess),
                self._limits(user.api, guess, request),
                return_exceptions=True,
            )
            for outcome in (gate, listed):  # the gate's refusal first, then the account list's
                if isinstance(outcome, BaseException):
                    raise outcome
            assert not isinstance(listed, BaseException)
            accounts = listed
            early = (early_list[0], early_list[1], early_list[2])
        account_id, account = await self._accounts.choose(user, accounts, request.account_id)
        if early is not None and account_id == guess:
            preview_or_error, balances, limits = early
            for outcome in (preview_or_error, limits):
                if isinstance(outcome, BaseException):
                    raise outcome
            preview = preview_or_error
        else:
            preview, balances, limits = await asyncio.gather(
                user.api.preview_order(account_id, body),
                self._balances(user.api, account_id),
                self._limits(user.api, account_id, request),
            )
        return account_id, account, preview, balances, limits

    @staticmethod
    async def _limits(
        api: UserApi, account_id: int, request: OrderRequest | OptionOrderRequest
    ) -> OrderLimits | None:
        """What the account can buy and sell of the order's symbol now, or None when AutoShares
        cannot say (its preview and its placement still check the order). An option order has
        none: the limits count shares, not contracts."""
        if isinstance(request, OptionOrderRequest):
            return None
        try:
            return await api.order_limits(account_id, request.symbol)
        except e.AutoSharesError as exc:
            log.info("order limits unavailable for the preview: %s", exc.code)
            return None

    @staticmethod
    async def _balances(api: UserApi, account_id: int) -> Balance | None:
        """The account's balances, or None: the figure is a courtesy; the preview stands alone."""
        try:
            return await api.balances(account_id)
        except e.AutoSharesError as exc:
            log.info("balances unavailable for the preview: %s", exc.code)
            return None

    # -- confirm ---------------------------------------------------------------------------------
    async def confirm(
        self,
        pending_id: str,
        team_id: str,
        slack_user_id: str,
        *,
        response_url: str | None = None,
        symbol_confirmed: bool = False,
    ) -> ConfirmResult:
        """The Confirm click. Exactly one caller places the order (or sends it for approval);
        the others get its result. Only the requester (the same user in the same workspace) may
        confirm, and only while the workspace's rules still allow the order."""
        row = await self.repo.get(pending_id)
        if row is None:
            return ConfirmResult(ConfirmKind.UNKNOWN)
        if (row.team_id, row.slack_user_id) != (team_id, slack_user_id):
            return ConfirmResult(ConfirmKind.NOT_YOURS, row)
        if row.status != PENDING or row.is_expired():
            return await self._outcome_for_loser(pending_id)
        if is_large(row.notional, self.policy.large_order_notional) and not symbol_confirmed:
            return ConfirmResult(ConfirmKind.NEEDS_SYMBOL, row)
        try:
            gate = self.team.weigh(
                await self.team.order_gate(team_id, slack_user_id, row.channel_id), row.notional
            )
        except TeamRefusal:
            # A racing click may have just sent this very order (and counted it): show that.
            latest = await self.repo.get(pending_id)
            if latest is not None and latest.status != PENDING:
                return await self._outcome_for_loser(pending_id)
            raise
        if gate.approval is not None:
            return await self._send_for_approval(row, gate, response_url)
        answer_within = timedelta(seconds=self.policy.settle_after_seconds)
        try:
            won = await self.repo.claim(
                pending_id,
                team_id,
                slack_user_id,
                response_url=response_url,
                answer_within=answer_within,
                quota=gate.quota,
            )
        except OverDailyLimit:
            raise DailyOrderLimit(gate.quota.limit or 0) from None
        if won:
            return await self._latest(await self._place(pending_id, quota=gate.quota))
        return await self._outcome_for_loser(pending_id)

    async def _send_for_approval(
        self, row: Pending, gate: OrderGate, response_url: str | None
    ) -> ConfirmResult:
        channel = gate.policy.approvals_channel
        assert channel is not None and gate.approval is not None  # TeamService.weigh saw to it
        sent = await self.repo.request_approval(
            row.id,
            row.team_id,
            row.slack_user_id,
            channel=channel,
            ttl=timedelta(seconds=self.team.rules.approval_seconds),
            reason=gate.approval,
            response_url=response_url,
        )
        if not sent:
            return await self._outcome_for_loser(row.id)
        return ConfirmResult(ConfirmKind.SENT_FOR_APPROVAL, await self.repo.get(row.id))

    # -- two-person approval ---------------------------------------------------------------------
    async def approve(self, pending_id: str, team_id: str, approver: str) -> ConfirmResult:
        """The Approve click: a member with the approver role, not the requester, places the
        order exactly once (the same race rules as Confirm); every other click gets its result."""
        row = await self.repo.get(pending_id)
        if row is None or row.team_id != team_id:
            return ConfirmResult(ConfirmKind.UNKNOWN)
        if row.slack_user_id == approver:
            raise OwnApproval()
        if row.status != AWAITING_APPROVAL or row.is_expired():
            return await self._outcome_for_loser(pending_id)
        quota = await self.team.approver_gate(team_id, approver, row.slack_user_id)
        try:
            won = await self.repo.approve(pending_id, team_id, approver, quota=quota)
        except OverDailyLimit:
            raise DailyOrderLimit(quota.limit or 0, requester=row.slack_user_id) from None
        if won:
            return await self._latest(await self._place(pending_id, quota=quota, announce=True))
        return await self._outcome_for_loser(pending_id)

    async def reject(self, pending_id: str, team_id: str, approver: str) -> ConfirmResult:
        """The Reject click: nothing is placed; the requester hears it (never the requester's
        own click, and only from an approver)."""
        row = await self.repo.get(pending_id)
        if row is None or row.team_id != team_id:
            return ConfirmResult(ConfirmKind.UNKNOWN)
        if row.slack_user_id == approver:
            raise OwnApproval()
        await self.team.require(team_id, approver, APPROVER, APPROVALS)
        await self.repo.reject(pending_id, team_id, approver)
        return await self._outcome_for_loser(pending_id)

    async def _latest(self, result: ConfirmResult) -> ConfirmResult:
        """``result`` with the order as stored now, so that the click's answer never shows an
        older state than an update that came in meanwhile (a fill webhook, announced apart)."""
        if result.pending is None:
            return result
        return dataclasses.replace(result, pending=await self.repo.get(result.pending.id) or result.pending)

    async def click_answered(self, result: ConfirmResult, *, answered: bool) -> None:
        """After a Confirm was answered in place (or could not be): a final answer that reached
        Slack withdraws the one owed to the outbox; one that did not makes it owed now."""
        row = result.pending
        if row is None or (answered and row.status in (PENDING, SUBMITTING)):
            return  # not the last word: the owed message (or the follow-up) still says it
        await self.repo.click_answered(row.id, answered=answered)

    async def _outcome_for_loser(self, pending_id: str) -> ConfirmResult:
        row = await self.repo.get(pending_id)
        if row is None:
            return ConfirmResult(ConfirmKind.UNKNOWN)
        if row.is_expired():
            await self.repo.expire(pending_id, announce=row.status == AWAITING_APPROVAL)
            row = await self.repo.get(pending_id) or row
        if row.status == SUBMITTING:
            row = await self.wait_settled(pending_id)
            if row is None:
                return ConfirmResult(ConfirmKind.UNKNOWN)
        if row.status in (PENDING, SUBMITTING):
            return ConfirmResult(ConfirmKind.IN_FLIGHT, row)
        return ConfirmResult(ConfirmKind.SETTLED, row)

    async def wait_settled(self, pending_id: str, timeout: float = SETTLE_WAIT_SECONDS) -> Pending | None:
        """Poll the row until it leaves ``submitting`` (or the timeout passes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            row = await self.repo.get(pending_id)
            if row is None or row.status != SUBMITTING or loop.time() >= deadline:
                return row
            await asyncio.sleep(SETTLE_POLL_SECONDS)

    async def _place(
        self, pending_id: str, *, quota: DayQuota | None = None, announce: bool = False
    ) -> ConfirmResult:
        """We won the claim: gate again, then place with ClientId = the pending id, acting as
        the requester. ``announce``: the requester is not the clicker (an approval), so the
        outcome is owed to their message through the outbox. An order AutoShares refused
        outright gives its place in the day's ``quota`` back."""
        row = await self.repo.get(pending_id)
        assert row is not None
        give_back = quota.day if quota is not None else None

        async def refused(code: str) -> Pending | None:
            return await self.repo.record_failed(pending_id, code, announce=announce, give_back_day=give_back)

        try:
            user = await self._users.acting(row.team_id, row.slack_user_id)
            await self._agreements.require_signed(user)
        except AgreementsOutstandingError as exc:
            failed = await refused(failure_code(exc))
            return ConfirmResult(ConfirmKind.SETTLED, failed, agreements=exc.agreements)
        except (BotError, e.AutoSharesError) as exc:  # not linked, relink needed, AutoShares down
            return ConfirmResult(ConfirmKind.SETTLED, await refused(failure_code(exc)))
        ticket = row.ticket
        if isinstance(ticket, OfferingTicket):
            return await self._subscribe(row, user.api, refused, announce=announce)
        if isinstance(ticket, OrderTicket) and ticket.replaces is not None:
            return await self._replace(
                row, user.api, ticket.replaces.id, ticket.change(pending_id), refused, announce=announce
            )
        try:
            placed = await self._send(user.api, row)
        except (e.AutoSharesServerError, e.AutoSharesUnavailable) as exc:
            log.warning(
                "placing order %s was uncertain (%s); looking it up by ClientId", pending_id, exc.code
            )
            return await self._resolve_uncertain(user.api, row, exc, announce=announce)
        except REFUSALS as exc:
            # A definite refusal: AutoShares did not take the order.
            return ConfirmResult(ConfirmKind.SETTLED, await refused(failure_code(exc)))
        except e.AutoSharesError as exc:
            return await self._resolve_uncertain(user.api, row, exc, announce=announce)
        except Exception:
            # We cannot tell whether the request reached AutoShares: leave the row for the poller.
            log.exception("placing order %s failed unexpectedly", pending_id)
            await self.repo.note_uncertain(pending_id, "unexpected error while placing")
            return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(pending_id))
        return ConfirmResult(
            ConfirmKind.SETTLED, await self._record_placed(pending_id, placed, announce=announce)
        )

    @staticmethod
    async def _send(api: UserApi, row: Pending) -> OrderState:
        """Send the stored order to AutoShares: an equity order with ClientId = the pending id,
        a mutual fund order to its operation's endpoint (whose body has no ClientId)."""
        if isinstance(row.ticket, FundTicket):
            return fund_order_state(await api.place_fund(row.account_id, row.ticket), row)
        body = OrderTicket.read(row.request).model_copy(update={"client_id": row.id}).body()
        return order_state(await api.place_order(row.account_id, body))

    async def _replace(
        self,
        row: Pending,
        api: UserApi,
        order_id: int,
        change: dict[str, Any],
        refused: Callable[[str], Awaitable[Pending | None]],
        *,
        announce: bool,
    ) -> ConfirmResult:
        """We won the claim of a change: replace the order with ClientId = the change's id. A
        definite refusal settles it as not changed; a 409 or no answer is decided by a fresh
        read of the order (:meth:`_settle_replace`)."""
        try:
            order = await api.replace_order(row.account_id, order_id, change)
        except (
            e.AutoSharesConflict,
            e.AutoSharesInvalid,  # a finished order may be refused as invalid terms: read it
            e.AutoSharesServerError,
            e.AutoSharesUnavailable,
        ) as exc:
            return await self._settle_replace(api, row, order_id, exc, refused, announce=announce)
        except (
            e.AutoSharesRateLimited,
            e.AutoSharesForbidden,
            e.AutoSharesNotFound,
            e.RelinkRequired,
        ) as exc:
            return ConfirmResult(ConfirmKind.SETTLED, await refused(failure_code(exc)))
        except e.AutoSharesError as exc:
            return await self._settle_replace(api, row, order_id, exc, refused, announce=announce)
        except Exception:
            log.exception("replacing order %s for change %s failed unexpectedly", order_id, row.id)
            await self.repo.note_uncertain(row.id, "unexpected error while replacing")
            return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(row.id))
        placed = await self._record_placed(row.id, order_state(order), announce=announce, replaced=True)
        return ConfirmResult(ConfirmKind.SETTLED, placed)

    async def _settle_replace(
        self,
        api: UserApi,
        row: Pending,
        order_id: int,
        exc: e.AutoSharesError,
        refused: Callable[[str], Awaitable[Pending | None]],
        *,
        announce: bool,
    ) -> ConfirmResult:
        """AutoShares refused the replace (409) or its answer is unknown: the order read afresh
        decides. It carries this change's ClientId: it was replaced. It has finished (filled,
        cancelled meanwhile): nothing was changed, and the user is told so. Otherwise a 409 or
        422 or AutoShares' own error means it did not take the change; no answer at all leaves
        the change to the follow-up poller."""
        definite = isinstance(exc, e.AutoSharesConflict | e.AutoSharesInvalid) or answered_by_autoshares(exc)
        try:
            current = await api.order(row.account_id, order_id)
        except e.AutoSharesError as lookup_error:
            log.warning("reading order %s after its replace failed: %s", order_id, lookup_error.code)
            current = None
        if current is not None and carries_change(current, row.id, OrderTicket.read(row.request)):
            placed = await self._record_placed(row.id, order_state(current), announce=announce, replaced=True)
            return ConfirmResult(ConfirmKind.SETTLED, placed)
        if current is not None and not current.is_open:
            return ConfirmResult(
                ConfirmKind.SETTLED, await refused(f"{OrderNotEditable.code}: {current.status.name}")
            )
        if definite:
            return ConfirmResult(ConfirmKind.SETTLED, await refused(failure_code(exc)))
        await self.repo.note_uncertain(row.id, f"replace uncertain: {exc.code}")
        return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(row.id))

    async def _subscribe(
        self,
        row: Pending,
        api: UserApi,
        refused: Callable[[str], Awaitable[Pending | None]],
        *,
        announce: bool,
    ) -> ConfirmResult:
        """A subscription to a new issue: AutoShares follows the offering (no order id comes
        back). Following is idempotent at AutoShares, so an answer lost on the way is settled by
        reading whether the account follows the offering now, never by guessing."""
        ticket = OfferingTicket.read(row.request)
        try:
            await api.subscribe_offering(row.account_id, ticket.offering_reference)
        except SUBSCRIPTION_REFUSALS as exc:
            return ConfirmResult(ConfirmKind.SETTLED, await refused(failure_code(exc)))
        except e.AutoSharesError as exc:
            log.warning("subscribing %s was uncertain (%s); reading the offering back", row.id, exc.code)
            return await self._settle_subscription(api, row, exc, refused)
        except Exception:
            log.exception("subscribing %s failed unexpectedly", row.id)
            await self.repo.note_uncertain(row.id, "unexpected error while subscribing")
            return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(row.id))
        return ConfirmResult(ConfirmKind.SETTLED, await self._record_subscribed(row, announce=announce))

    async def _settle_subscription(
        self,
        api: UserApi,
        row: Pending,
        exc: BaseException,
        refused: Callable[[str], Awaitable[Pending | None]],
    ) -> ConfirmResult:
        """After a timeout/5xx: subscribed if the account follows the offering now; failed only
        when AutoShares itself answered and does not; otherwise left for the follow-up poller."""
        try:
            followed = await follows(api, row.account_id, OfferingTicket.read(row.request).offering_reference)
        except e.AutoSharesError as lookup_error:
            log.warning("reading offering for %s failed: %s", row.id, lookup_error.code)
            followed = None
        if followed:
            return ConfirmResult(ConfirmKind.SETTLED, await self._record_subscribed(row))
        if followed is False and answered_by_autoshares(exc):
            return ConfirmResult(ConfirmKind.SETTLED, await refused(NOT_TAKEN))
        await self.repo.note_uncertain(row.id, f"subscription uncertain: {getattr(exc, 'code', exc)}")
        return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(row.id))

    async def _record_subscribed(self, row: Pending, *, announce: bool = False) -> Pending | None:
        """Store that AutoShares follows the offering for the account (audited ``placed``)."""
        state = OrderState(client_id=row.id, account_id=row.account_id, symbol=row.symbol)
        return await self.repo.record_placed(row.id, state, announce=announce)

    async def _record_placed(
        self, pending_id: str, order: OrderState, *, announce: bool = False, replaced: bool = False
    ) -> Pending | None:
        """Store that AutoShares holds the order (``replaced``: it took a change), and count it."""
        placed = await self.repo.record_placed(pending_id, order, announce=announce, replaced=replaced)
        self._metrics.orders_placed.inc()
        return placed

    async def _resolve_uncertain(
        self, api: UserApi, row: Pending, exc: BaseException, *, announce: bool = False
    ) -> ConfirmResult:
        """After a timeout/5xx: the order stands if AutoShares has our ClientId. It failed only
        when AutoShares itself answered with an error and has no such order; after no answer (a
        timeout, a dropped connection, a gateway's 502/503/504) the request may still be on its
        way, so the order stays ``submitting`` and the follow-up poller settles it once
        ``ORDER_SETTLE_SECONDS`` have passed, never sooner. A mutual fund order carries no
        ClientId to look it up by: it is settled as :data:`UNCONFIRMED` at once."""
        if isinstance(row.ticket, FundTicket):
            unconfirmed = await self.repo.record_failed(row.id, UNCONFIRMED, announce=announce)
            return ConfirmResult(ConfirmKind.SETTLED, unconfirmed)
        for attempt in range(2):
            try:
                found = await find_by_client_id(api, row.account_id, row.id)
            except e.AutoSharesError as lookup_error:
                log.warning("looking up ClientId %s failed: %s", row.id, lookup_error)
                await self.repo.note_uncertain(row.id, f"placement uncertain: {exc}")
                return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(row.id))
            if found is not None:
                placed = await self._record_placed(row.id, order_state(found), announce=announce)
                return ConfirmResult(ConfirmKind.SETTLED, placed)
            if attempt == 0:
                await asyncio.sleep(1.0)
        if not answered_by_autoshares(exc):
            await self.repo.note_uncertain(row.id, f"no answer while placing: {getattr(exc, 'code', exc)}")
            return ConfirmResult(ConfirmKind.IN_FLIGHT, await self.repo.get(row.id))
        failed = await self.repo.record_failed(row.id, NOT_TAKEN, announce=announce)
        return ConfirmResult(ConfirmKind.SETTLED, failed)

    async def resolve_stuck(self, row: Pending) -> Pending | None:
        """Poller: settle a submission left without an answer (crash, lost response); the
        requester's message is owed the outcome (a mutual fund order, which has no ClientId to
        look it up by, as :data:`UNCONFIRMED`)."""
        if isinstance(row.ticket, FundTicket):
            return await self.repo.record_failed(row.id, UNCONFIRMED, announce=True)
        user = await self._users.acting(row.team_id, row.slack_user_id)
        if isinstance(row.ticket, OfferingTicket):  # a subscription: does the account follow it now?
            reference = row.ticket.offering_reference
            if await follows(user.api, row.account_id, reference):
                return await self._record_subscribed(row, announce=True)
            return await self.repo.record_failed(row.id, NOT_TAKEN, announce=True)
        ticket = OrderTicket.read(row.request)
        if ticket.replaces is not None:  # a change: the order read back says if it was taken
            current = await user.api.order(row.account_id, ticket.replaces.id)
            if carries_change(current, row.id, ticket):
                return await self._record_placed(row.id, order_state(current), announce=True, replaced=True)
            return await self.repo.record_failed(row.id, NOT_TAKEN, announce=True)
        found = await find_by_client_id(user.api, row.account_id, row.id)
        if found is not None:
            return await self._record_placed(row.id, order_state(found), announce=True)
        return await self.repo.record_failed(row.id, NOT_TAKEN, announce=True)

    # -- cancel ----------------------------------------------------------------------------------
    async def cancel_pending(self, pending_id: str, team_id: str, slack_user_id: str) -> ConfirmResult:
        """The Cancel button of a confirmation, or of a request waiting for approval: nothing
        is placed (only the requester)."""
        row = await self.repo.get(pending_id)
        if row is None:
            return ConfirmResult(ConfirmKind.UNKNOWN)
        if (row.team_id, row.slack_user_id) != (team_id, slack_user_id):
            return ConfirmResult(ConfirmKind.NOT_YOURS, row)
        if await self.repo.cancel(pending_id, team_id, slack_user_id):
            return ConfirmResult(ConfirmKind.SETTLED, await self.repo.get(pending_id))
        return await self._outcome_for_loser(pending_id)

    async def cancel_order(
        self, team_id: str, slack_user_id: str, order_id: int, account_id: int | None
    ) -> Order | None:
        """Cancel a placed order at AutoShares (409: already filled or cancelled); AutoShares'
        answer, when it gives the order back."""
        user = await self._users.acting(team_id, slack_user_id)
        account, _ = await self._accounts.resolve(user, account_id)
        try:
            result = await user.api.cancel_order(account, order_id)
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
            detail={"account_id": account, "status": result.status.name if result else None},
        )
        if result is not None:
            # Whichever comes first, this answer or the order.cancelled webhook, owes the
            # order's confirmation message its update; the other finds nothing new.
            await self.repo.apply_order_update(order_state(result), actor=slack_user_id)
        return result

    async def limits(self, team_id: str, slack_user_id: str, symbol: str) -> OrderLimits:
        """What the member's default account can buy and sell of ``symbol`` now (the order
        ticket shows it)."""
        user = await self._users.acting(team_id, slack_user_id)
        account, _ = await self._accounts.resolve(user, None)
        return await user.api.order_limits(account, symbol)

    async def details(
        self, team_id: str, slack_user_id: str, order_id: int, account_id: int | None
    ) -> OrderDetails:
        """`/order show`: the order and its executions, read at once."""
        user = await self._users.acting(team_id, slack_user_id)
        account, _ = await self._accounts.resolve(user, account_id)
        try:
            order, lines = await asyncio.gather(
                user.api.order(account, order_id), user.api.order_details(account, order_id)
            )
        except e.AutoSharesNotFound:
            raise OrderNotFound(order_id, account) from None
        return OrderDetails(account, order, lines)

    async def open_orders(
        self, team_id: str, slack_user_id: str, account_id: int | None
    ) -> tuple[int, list[Order]]:
        """The account's orders still working in the market, newest first."""
        user = await self._users.acting(team_id, slack_user_id)
        account, _ = await self._accounts.resolve(user, account_id)
        return account, await open_orders(user.api, account)

    # -- follow-up -------------------------------------------------------------------------------
    async def apply_order_event(
        self, data: Mapping[str, Any], *, event_id: str | None, event_type: str, account_id: Any = None
    ) -> OrderUpdate:
        """An order webhook: read its data (the documented camelCase, or an OrderResource) and
        record it, deduplicated and forward-only; a change owes the order's message its update
        (outbox). An event for an order this account is still placing, known only by its Id, is
        ``deferred`` (see ``PendingOrderRepository.apply_order_update``)."""
        order = event_state(order_update(data, event_type=event_type, account_id=account_id))
        return await self.repo.apply_order_update(
            order, event_id=event_id, event_type=event_type, account_id=order.account_id
        )

    async def apply_polled(self, order: Order) -> OrderUpdate:
        """An order read from AutoShares by the follow-up poller: recorded forward-only like an
        event (no event id), a change owing the order's message its update."""
        return await self.repo.apply_order_update(order_state(order), event_type="poll")

    async def refresh(self, row: Pending) -> OrderUpdate | None:
        """Poller: read one placed order's status from AutoShares and apply it."""
        if row.autoshares_order_id is None:
            return None
        user = await self._users.acting(row.team_id, row.slack_user_id)
        order = await user.api.order(row.account_id, row.autoshares_order_id)
        return await self.repo.apply_order_update(order_state(order))


#: Statuses a gateway answers with when AutoShares itself did not (it may still act).
GATEWAY_STATUSES = frozenset({502, 503, 504})


def answered_by_autoshares(exc: BaseException) -> bool:
    """Whether AutoShares itself answered the request (a 5xx of its own), so that an order it
    does not have was not taken; a timeout, a dropped connection or a gateway's answer says
    nothing about what AutoShares did with the request."""
    return isinstance(exc, e.AutoSharesServerError) and getattr(exc, "status", None) not in GATEWAY_STATUSES


async def open_orders(api: UserApi, account_id: int) -> list[Order]:
    """Open orders of an account (``OPEN_ORDER_STATUSES``), newest first: the one definition
    used by `/order list` and App Home."""
    orders = await _recent_orders(api, account_id, filters=OPEN_FILTERS)
    return sorted((o for o in orders if o.is_open), key=lambda o: o.id, reverse=True)


async def _recent_orders(api: UserApi, account_id: int, *, filters: tuple[str, ...] = ()) -> list[Order]:
    """Orders of an account: the first page of the first filter AutoShares accepts (a 400 or
    422 means it does not take that form), else the first pages unfiltered."""
    for form in filters:
        try:
            page = await api.orders(account_id, page=FIRST_PAGE, page_size=LOOKUP_PAGE_SIZE, filter=form)
        except e.AutoSharesInvalid:
            log.info("AutoShares refused an order filter on %s; trying the next form", form.split(" ")[0])
            continue
        return page.items
    found: list[Order] = []
    for number in range(FIRST_PAGE, FIRST_PAGE + LOOKUP_PAGES):
        page = await api.orders(account_id, page=number, page_size=LOOKUP_PAGE_SIZE)
        found.extend(page.items)
        if not page.has_next:
            break
    return found


async def find_by_client_id(api: UserApi, account_id: int, client_id: str) -> Order | None:
    """The account's order placed with ``client_id``, or None (raises when AutoShares fails).
    The filter page documents no ClientId clause; it is asked with the page's ``=`` first,
    then with ``eq``, then the recent orders are read."""
    quoted = client_id.replace("'", "''")
    filters = (f"ClientId = '{quoted}'", f"ClientId eq '{quoted}'")
    orders = await _recent_orders(api, account_id, filters=filters)
    return next((o for o in orders if (o.client_id or "") == client_id), None)


async def follows(api: UserApi, account_id: int, offering_reference: str) -> bool:
    """Whether the account follows (is subscribed to) the offering, by AutoShares' own list."""
    offerings = await api.active_offerings(account_id)
    return any(o.offering_reference == offering_reference and o.is_subscribed for o in offerings)
