"""AutoShares' own enumerations (openapi.yaml), and the order-status sets built on them.

Each enum reads the spellings AutoShares is seen to use: the spec's names (any letter case) and,
for order statuses, the numbers the Get Filtered Orders page uses (``Status in (0,1,4,5,7)``).
``OPEN_ORDER_STATUSES`` and ``TERMINAL_ORDER_STATUSES`` are the only definitions of "still
working" and "done" in the project.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum
from typing import Any, TypeVar

E = TypeVar("E", bound=Enum)


def enum_value(kind: type[E], value: object) -> E:
    """``value`` as a member of ``kind``: the member itself, its name in any case, or (for
    number-valued enums) its number as an int or digit string. ``ValueError`` otherwise."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        text = value.strip()
        for member in kind:
            if member.name.casefold() == text.casefold() or str(member.value).casefold() == text.casefold():
                return member
    elif isinstance(value, int) and not isinstance(value, bool):
        for member in kind:
            if member.value == value:
                return member
    raise ValueError(f"{value!r} is not one of AutoShares' {kind.__name__} values")


class OrderStatus(IntEnum):
    """OrderResource.Status, numbered as the filter examples number them (0 New ... 15 Error, in
    the spec's order; Held, not on that page, takes the next place)."""

    New = 0
    PartiallyFilled = 1
    Filled = 2
    DoneForDay = 3
    Canceled = 4
    Replaced = 5
    PendingCancel = 6
    Stopped = 7
    Rejected = 8
    Suspended = 9
    PendingNew = 10
    Calculated = 11
    Expired = 12
    AcceptedForBidding = 13
    PendingReplace = 14
    Error = 15
    Held = 16

    @classmethod
    def read(cls, value: Any) -> OrderStatus:
        return enum_value(cls, value)


#: An order still working in the market: listed by `/order list` and App Home, offered a Cancel
#: button, followed up by the poller.
OPEN_ORDER_STATUSES = frozenset(
    {
        OrderStatus.New,
        OrderStatus.PartiallyFilled,
        OrderStatus.PendingNew,
        OrderStatus.PendingReplace,
        OrderStatus.PendingCancel,
        OrderStatus.Held,
        OrderStatus.Suspended,
        OrderStatus.AcceptedForBidding,
    }
)
#: An order after which nothing more happens.
TERMINAL_ORDER_STATUSES = frozenset(
    {OrderStatus.Filled, OrderStatus.Canceled, OrderStatus.Rejected, OrderStatus.Expired}
)
#: The same sets by name, for the database columns that store a status as its name.
OPEN_STATUS_NAMES = frozenset(s.name for s in OPEN_ORDER_STATUSES)
TERMINAL_STATUS_NAMES = frozenset(s.name for s in TERMINAL_ORDER_STATUSES)


class OrderSide(StrEnum):
    """OrderResource.Side / CreateOrderResource.Side."""

    Buy = "Buy"
    Sell = "Sell"
    SellShort = "SellShort"
    BuyToCover = "BuyToCover"


class OrderType(StrEnum):
    """OrderResource.Type."""

    Market = "Market"
    Limit = "Limit"
    Stop = "Stop"
    StopLimit = "StopLimit"
    Pegged = "Pegged"
    TrailingStop = "TrailingStop"
    TrailingStopLimit = "TrailingStopLimit"
    OneCancelOther = "OneCancelOther"
    OneTriggerOther = "OneTriggerOther"
    OneTriggerOneCancelOther = "OneTriggerOneCancelOther"
    External = "External"
    MutualFundsExchange = "MutualFundsExchange"
    StagingBlotter = "StagingBlotter"


#: The order types that carry a limit price (``Price``) and a stop price (``StopPrice``).
LIMIT_PRICED = frozenset({OrderType.Limit, OrderType.StopLimit})
STOP_PRICED = frozenset({OrderType.Stop, OrderType.StopLimit})


class TimeInForce(StrEnum):
    """OrderResource.TimeInForce (CreateOrderResource spells the property ``TimeInforce``)."""

    Day = "Day"
    GoodTillCancel = "GoodTillCancel"
    AtTheOpening = "AtTheOpening"
    ImmediateOrCancel = "ImmediateOrCancel"
    FillOrKill = "FillOrKill"
    GoodTillCrossing = "GoodTillCrossing"
    GoodTillDate = "GoodTillDate"
    AtTheClose = "AtTheClose"
    GoodTillTime = "GoodTillTime"
    GoodTillCancelPlus = "GoodTillCancelPlus"
    GoodTillDatePlus = "GoodTillDatePlus"


class ExecInst(StrEnum):
    """CreateOrderResource.ExecInst / OrderResource.ExecInst: how the order is to be executed
    (``CashAmountOrder``: the Quantity is a dollar amount; ``AllOrNone``: fill it whole or not)."""

    None_ = "None"
    CashAmountOrder = "CashAmountOrder"
    FullLiquidation = "FullLiquidation"
    DoNotIncrease = "DoNotIncrease"
    DoNotReduce = "DoNotReduce"
    AllOrNone = "AllOrNone"


class TrailingAmountType(StrEnum):
    """CreateOrderResource.TrailingStopAmountType (and TrailingLimitAmountType): a distance in
    dollars, or in percent, which the spec spells ``Persentage``; that spelling is the wire's."""

    Absolute = "Absolute"
    Persentage = "Persentage"


class AlertState(StrEnum):
    """PriceAlertInfoModel.State."""

    New = "New"
    Expired = "Expired"
    Completed = "Completed"
    Stopped = "Stopped"


class AlertOperator(StrEnum):
    """PriceAlertEditableModel.Operator as the README documents it (the spec types it string)."""

    GTEQ = "GTEQ"
    LTEQ = "LTEQ"


class AlertField(StrEnum):
    """PriceAlertEditableModel.Field as the README documents it."""

    Last = "Last"
    Bid = "Bid"
    Ask = "Ask"


class AccessType(StrEnum):
    """UserAccountModel.AccessType."""

    Full = "Full"
    ReadOnly = "ReadOnly"
    ClosePositionsOnly = "ClosePositionsOnly"
    Owner = "Owner"


class AgreementType(StrEnum):
    """AgreementItemResource.Type."""

    Platform = "Platform"
    Quotemedia = "Quotemedia"
    Quodd = "Quodd"
