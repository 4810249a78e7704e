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

#: Order types the sandbox executes; the other spec types are rejected with InvalidOrderType.
SUPPORTED_ORDER_TYPES = ("Market", "Limit", "Stop", "StopLimit")
