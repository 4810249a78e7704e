"""What a user asks the bot to do, as typed requests: the grammar (``handlers.parsing``) produces
them and the use cases consume them. AutoShares' enum strings, no Slack and no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, TypeAlias

from bot.vocabulary.options import OptionContract, vertical_is_debit
from bot.vocabulary.roles import Role

Side = Literal["Buy", "Sell", "SellShort", "BuyToCover"]
OrderType = Literal["Market", "Limit", "Stop", "StopLimit", "TrailingStop", "TrailingStopLimit"]
TimeInForce = Literal["Day", "GoodTillCancel", "ImmediateOrCancel", "FillOrKill", "GoodTillDate"]
#: How a trailing stop's distance from the best price is given: in dollars or in percent.
TrailUnit = Literal["amount", "percent"]
AlertOperator = Literal["GTEQ", "LTEQ"]
AlertField = Literal["Last", "Bid", "Ask"]
ChartRange = Literal["1d", "5d", "1m", "6m", "1y"]
#: A performance period: a week, a month, three months, a year, or since the first of January.
PerformancePeriod = Literal["1w", "1m", "3m", "1y", "ytd"]
PERFORMANCE_PERIODS: tuple[PerformancePeriod, ...] = ("1w", "1m", "3m", "1y", "ytd")
#: Extended-hours trading as the user asked for it: ``ext`` (the extended session that comes
#: next, with regular hours), ``pre`` (pre-market and regular hours) or ``post`` (regular hours
#: and after-hours). ``bot.core.orders.extended_hours_value`` turns it into the documented
#: ``ExtendedHours`` value the order body carries.
ExtendedSession = Literal["ext", "pre", "post"]


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order to preview and, once the user confirms, place (AutoShares enum strings)."""

    side: Side
    quantity: int
    symbol: str
    order_type: OrderType
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = "Day"
    account_id: int | None = None
    extended_hours: ExtendedSession | None = None
    #: A trailing stop: the stop follows the best price at this distance (``trail_unit``).
    trail: Decimal | None = None
    trail_unit: TrailUnit = "amount"
    #: A trailing stop limit: the limit sits this many dollars past the stop once it triggers.
    limit_offset: Decimal | None = None
    #: A bracket's exits, placed once the entry fills: a limit at ``take_profit`` and a stop at
    #: ``stop_loss`` (both: one cancels the other; one alone: one triggers the other).
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    #: A dollar amount to trade instead of a share count (``quantity`` is then 0).
    cash_amount: Decimal | None = None
    #: Fill the whole quantity at once or not at all (it may wait for that).
    all_or_none: bool = False
    #: The last day a good-till-date order works.
    expire_date: date | None = None

    @property
    def is_bracket(self) -> bool:
        return self.take_profit is not None or self.stop_loss is not None


@dataclass(frozen=True, slots=True)
class OrderShowCommand:
    """`/order show <orderId> [account <id>]`: one order's status, executions and fees."""

    order_id: int
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderListCommand:
    """`/order list [account <id>]`: show open and recent orders."""

    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderCancelCommand:
    """`/order cancel <orderId> [account <id>]`: cancel one order."""

    order_id: int
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderTicketCommand:
    """`/order` with no text: open the order modal."""


@dataclass(frozen=True, slots=True)
class OrderEditCommand:
    """`/order edit <orderId> [qty <n>] [limit <price>] [stop <price>] [account <id>]`: change a
    working order's quantity or prices (at least one given); what is not given stays as it is."""

    order_id: int
    quantity: int | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class OptionLeg:
    """One leg of an option order: buy or sell this many contracts of one contract per order."""

    side: Side
    contract: OptionContract


@dataclass(frozen=True, slots=True)
class OptionOrderRequest:
    """An option order: one leg (`/order buy 1 AAPL 2027-01-15 200 call limit 5.10`) or a
    vertical spread of two (`/order spread AAPL 2027-01-15 buy 200 call sell 210 call limit
    3.20`), for ``quantity`` contracts (or spreads). A spread's limit is its net price: what it
    costs (a debit) or brings (a credit). It reads as an ``OrderRequest`` does where the order
    service needs it: ``side``, ``symbol``, ``stop_price`` and ``extended_hours``."""

    underlying: str
    quantity: int
    legs: tuple[OptionLeg, ...]
    order_type: Literal["Market", "Limit"]
    limit_price: Decimal | None = None
    time_in_force: TimeInForce = "Day"
    account_id: int | None = None
    stop_price: None = None
    extended_hours: None = None

    @property
    def is_spread(self) -> bool:
        return len(self.legs) > 1

    @property
    def is_debit(self) -> bool:
        """A spread that costs money (see ``vertical_is_debit``); a single bought option."""
        if not self.is_spread:
            return self.legs[0].side == "Buy"
        bought = next(leg.contract for leg in self.legs if leg.side == "Buy")
        sold = next(leg.contract for leg in self.legs if leg.side != "Buy")
        return vertical_is_debit(bought, sold)

    @property
    def side(self) -> Side:
        """The order's side: the leg's own, or for a spread Buy for a debit, Sell for a credit."""
        if not self.is_spread:
            return self.legs[0].side
        return "Buy" if self.is_debit else "Sell"

    @property
    def symbol(self) -> str:
        """What the order names: the contract's option symbol, or a spread's underlying."""
        return self.underlying if self.is_spread else self.legs[0].contract.symbol


@dataclass(frozen=True, slots=True)
class OptionChainRequest:
    """`/options AAPL [2027-01-15]`: the chain of the nearest (or the given) expiration."""

    symbol: str
    expiration: date | None = None


OrderCommand: TypeAlias = (
    OrderRequest
    | OptionOrderRequest
    | OrderListCommand
    | OrderCancelCommand
    | OrderTicketCommand
    | OrderEditCommand
    | OrderShowCommand
)


#: What `/fund` does with a mutual fund (the mutual fund endpoint each goes to).
FundAction = Literal["buy", "sell", "exchange", "liquidate"]


@dataclass(frozen=True, slots=True)
class FundRequest:
    """A mutual fund order to preview and, once the user confirms, place.

    ``dollars`` or ``shares`` is the amount (a buy takes dollars, a sell either; an exchange and
    a liquidation move the whole holding and take neither). ``target``: the fund an exchange
    buys. The reinvestment choices apply to a buy and to an exchange (None: not chosen, which
    the use case reads as reinvest, AutoShares' usual default)."""

    action: FundAction
    symbol: str
    target: str | None = None
    dollars: Decimal | None = None
    shares: Decimal | None = None
    reinvest_dividends: bool | None = None
    reinvest_gains: bool | None = None
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class FundCancelCommand:
    """`/fund cancel <orderId> [account <id>]`: cancel a mutual fund order not yet filled."""

    order_id: int
    account_id: int | None = None


FundCommand: TypeAlias = FundRequest | FundCancelCommand


#: A percent move from the previous close: either way, up only, or down only.
AlertDirection = Literal["moves", "up", "down"]
#: Where a member's alert triggers go: where each alert was set, or their DM with the bot.
AlertDelivery = Literal["channel", "dm"]


@dataclass(frozen=True, slots=True)
class AlertRequest:
    """A price alert to create: notify when `field` crosses `price` in the `operator` direction.
    ``repeat_every``: a repeating alert, armed again this long after each trigger (None: once)."""

    symbol: str
    operator: AlertOperator
    price: Decimal
    field: AlertField = "Last"
    expires_in: timedelta | None = None
    repeat_every: timedelta | None = None


@dataclass(frozen=True, slots=True)
class AlertMoveRequest:
    """A percent-move alert: notify when `field` moves `percent` from the previous close (either
    way for ``moves``); the levels are worked out from the close when it is set."""

    symbol: str
    direction: AlertDirection
    percent: Decimal
    field: AlertField = "Last"
    expires_in: timedelta | None = None
    repeat_every: timedelta | None = None


@dataclass(frozen=True, slots=True)
class AlertListCommand:
    """`/alert list`: show the user's alerts."""


@dataclass(frozen=True, slots=True)
class AlertDeleteCommand:
    """`/alert delete <id>`: remove one alert (and the rest of its group)."""

    alert_id: int


@dataclass(frozen=True, slots=True)
class AlertDeliverCommand:
    """`/alert deliver dm|channel`: where the member's triggers go."""

    to: AlertDelivery


@dataclass(frozen=True, slots=True)
class AlertEditCommand:
    """`/alert edit <id> above|below <price> [last|bid|ask] [expires 2d]`: the alert watches a
    new level (and, when given, another field or expiry) in place, keeping its id."""

    alert_id: int
    operator: AlertOperator
    price: Decimal
    field: AlertField | None = None
    expires_in: timedelta | None = None


AlertCommand: TypeAlias = (
    AlertRequest
    | AlertMoveRequest
    | AlertListCommand
    | AlertDeleteCommand
    | AlertDeliverCommand
    | AlertEditCommand
)


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    """Quotes for up to ten distinct symbols (in the order given), with an optional chart."""

    symbols: tuple[str, ...]
    chart_range: ChartRange | None = None


@dataclass(frozen=True, slots=True)
class PerformanceRequest:
    """`/autoshares performance [period] [vs SYMBOL] [account <id>]`: the account's (the default
    one unless named) value over the period, against a benchmark's return when one is named."""

    period: PerformancePeriod = "1m"
    benchmark: str | None = None
    account_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewsRequest:
    """`/news AAPL`: the latest headlines of one symbol."""

    symbol: str


WatchAction = Literal["show", "add", "remove"]


@dataclass(frozen=True, slots=True)
class WatchRequest:
    """`/watch` (show the watchlist), `/watch add SYM…` or `/watch remove SYM…` (distinct
    symbols, in the order given)."""

    action: WatchAction = "show"
    symbols: tuple[str, ...] = ()


# -- team administration (`/autoshares admin …` and App Home's team forms) -------------------------
# ``member``: a Slack user id. A None limit is no limit; None places are anywhere (else channel
# ids and ``dm``); a None role is the deployment's default role.


@dataclass(frozen=True, slots=True)
class ShowTeam:
    """`/autoshares admin`: show the team's roles, limits and rules; changes nothing."""


@dataclass(frozen=True, slots=True)
class GrantRole:
    """`admin role @member viewer|trader|approver|admin|default`."""

    member: str
    role: Role | None


@dataclass(frozen=True, slots=True)
class SetOrderValueLimit:
    """`admin limit @member value 5000|none`: the member's largest order, in dollars."""

    member: str
    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class SetDailyOrderLimit:
    """`admin limit @member daily 5|none`: the member's orders per trading day."""

    member: str
    count: int | None


@dataclass(frozen=True, slots=True)
class SetNeedsApproval:
    """`admin approval @member on|off`: every order of the member needs a second person."""

    member: str
    required: bool


@dataclass(frozen=True, slots=True)
class SetMember:
    """App Home's member form: every setting of one member at once."""

    member: str
    role: Role | None
    max_order_value: Decimal | None
    max_orders_per_day: int | None
    needs_approval: bool


@dataclass(frozen=True, slots=True)
class SetApprovalThreshold:
    """`admin approvals over 10000|off`: orders above this value need approval."""

    amount: Decimal | None


@dataclass(frozen=True, slots=True)
class SetApprovalsChannel:
    """`admin approvals in #channel`: where approvers decide."""

    channel: str


@dataclass(frozen=True, slots=True)
class SetOrderPlaces:
    """`admin orders anywhere|dm|in #a #b [dm]`: where orders may be placed."""

    places: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class SetAlertPlaces:
    """`admin alerts anywhere|dm|in #a #b [dm]`: where alerts may be set and posted."""

    places: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class SetPause:
    """`admin pause` / `admin resume`: stop or restart all trading in the workspace."""

    paused: bool


@dataclass(frozen=True, slots=True)
class SetPolicy:
    """App Home's workspace form: every workspace rule at once."""

    trading_paused: bool
    order_places: tuple[str, ...] | None
    alert_places: tuple[str, ...] | None
    approval_threshold: Decimal | None
    approvals_channel: str | None


#: A change to one member.
MemberChange: TypeAlias = GrantRole | SetOrderValueLimit | SetDailyOrderLimit | SetNeedsApproval | SetMember
#: A change to the workspace's rules.
PolicyChange: TypeAlias = (
    SetApprovalThreshold | SetApprovalsChannel | SetOrderPlaces | SetAlertPlaces | SetPause | SetPolicy
)
TeamChange: TypeAlias = MemberChange | PolicyChange
#: What `/autoshares admin …` asks for.
TeamCommand: TypeAlias = ShowTeam | TeamChange


DigestEvery = Literal["daily", "weekdays"]


@dataclass(frozen=True, slots=True)
class DigestRequest:
    """`/autoshares digest daily 16:15` (``at``: HH:MM in the member's time zone) or
    `… weekdays at close` (``market_time``: close or open, New York time)."""

    every: DigestEvery
    at: str | None = None
    market_time: Literal["close", "open"] | None = None


@dataclass(frozen=True, slots=True)
class DigestListCommand:
    """`/autoshares digest` or `digest list`."""


@dataclass(frozen=True, slots=True)
class DigestOffCommand:
    """`/autoshares digest off [id]`: one schedule, or all of the member's."""

    digest_id: int | None = None


DigestCommand: TypeAlias = DigestRequest | DigestListCommand | DigestOffCommand


#: How far back `/autoshares activity` looks: the last 7 or 30 days, or since 1 January.
ActivityPeriod = Literal["7d", "30d", "ytd"]
#: Which of the account's activity it shows.
ActivityKind = Literal["trades", "dividends", "fees", "all"]


@dataclass(frozen=True, slots=True)
class ActivityRequest:
    """`/autoshares activity [7d|30d|ytd] [trades|dividends|fees|all] [account 12]`."""

    period: ActivityPeriod = "30d"
    kind: ActivityKind = "all"
    account_id: int | None = None
