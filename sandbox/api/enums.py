"""Enum values copied from openapi.yaml (tests/contract checks they still match the spec)."""

from __future__ import annotations

ORDER_SIDES = ("Buy", "Sell", "SellShort", "BuyToCover")
ORDER_TYPES = (
    "Market",
    "Limit",
    "Stop",
    "StopLimit",
    "Pegged",
    "TrailingStop",
    "TrailingStopLimit",
    "OneCancelOther",
    "OneTriggerOther",
    "OneTriggerOneCancelOther",
    "External",
    "MutualFundsExchange",
    "StagingBlotter",
)
TIME_IN_FORCE = (
    "Day",
    "GoodTillCancel",
    "AtTheOpening",
    "ImmediateOrCancel",
    "FillOrKill",
    "GoodTillCrossing",
    "GoodTillDate",
    "AtTheClose",
    "GoodTillTime",
    "GoodTillCancelPlus",
    "GoodTillDatePlus",
)
EXEC_INST = ("None", "CashAmountOrder", "FullLiquidation", "DoNotIncrease", "DoNotReduce", "AllOrNone")
ORDER_STATUSES = (
    "New",
    "PartiallyFilled",
    "Filled",
    "DoneForDay",
    "Canceled",
    "Replaced",
    "PendingCancel",
    "Stopped",
    "Rejected",
    "Suspended",
    "PendingNew",
    "Calculated",
    "Expired",
    "AcceptedForBidding",
    "PendingReplace",
    "Error",
    "Held",
)
ACCESS_TYPES = ("Full", "ReadOnly", "ClosePositionsOnly", "Owner")
ALERT_STATES = ("New", "Expired", "Completed", "Stopped")
# PriceAlertEditableModel types Operator and Field as free strings; the documentation names these.
ALERT_OPERATORS = ("GTEQ", "LTEQ")
ALERT_FIELDS = ("Last", "Bid", "Ask")

# CreateOrderResource types ExtendedHours as a free string ("if empty - than there is no specific
# requirement for extended session"); the documentation names these values. The orders pages
# (AutoSharesAPI/API pages/orders/extended-hours.md) list the first four; the older ETNA Place
# Order page (rest-api/private-api/orders/place-order) also lists ALL, PREREG and PREPOST, and
# uses REG in an example. Anything else is refused, as AutoShares would.
EXTENDED_HOURS = ("PRE", "POST", "REGPRE", "REGPOST")
EXTENDED_HOURS_OLDER = ("ALL", "PREREG", "PREPOST", "REG")

#: Order types the sandbox executes; the other spec types are rejected with InvalidOrderType.
SUPPORTED_ORDER_TYPES = (
    "Market",
    "Limit",
    "Stop",
    "StopLimit",
    "TrailingStop",
    "TrailingStopLimit",
    "OneTriggerOther",
    "OneTriggerOneCancelOther",
)
#: Order types whose Legs are the orders: the entry first, then the exits it triggers.
BRACKET_TYPES = ("OneTriggerOther", "OneTriggerOneCancelOther")
#: The amount types of a trailing stop's distances (the spec's spelling).
TRAILING_AMOUNT_TYPES = ("Absolute", "Persentage")
