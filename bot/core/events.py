"""AutoShares webhook events, read into what the order and alert services act on. No I/O.

The Webhooks page (AutoSharesAPI/API ``pages/webhooks.md``) documents the envelope
``{"id", "type", "timestamp", "accountId", "data"}``, twelve event types, and one example of
``data``, for ``order.filled``, in camelCase: ``orderId, symbol, side, type, quantity,
filledQuantity, averagePrice, status, executionTime``. For ``alert.triggered`` it says only that
the event carries "the symbol, the alert condition and the current price", without field names.
``openapi.yaml`` says nothing of webhooks. Earlier the bot and its sandbox agreed on PascalCase
resources in ``data`` (an OrderResource; a price alert with ``Id`` and ``Price``); those are
still read, so a deployment sending them keeps working.

``order_update`` turns either order shape into the OrderResource properties the order store
keeps (``Id``, ``Status``, ``ExecutedQuantity``, ``AveragePrice``, ``LeavesQuantity``…);
``alert_trigger`` finds the alert's id (when the event names it), symbol, condition and price.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


class EventOutcome(enum.Enum):
    """What became of one delivery."""

    DONE = "done"  # acted on, or recorded as nothing of ours
    DUPLICATE = "duplicate"  # its id was processed already: nothing done
    RETRY = "retry"  # nothing recorded: AutoShares should deliver it again later


#: The event types the Webhooks page lists.
ORDER_EVENTS = frozenset(
    {
        "order.created",
        "order.filled",
        "order.partial_fill",
        "order.cancelled",
        "order.rejected",
        "order.replaced",
    }
)
ALERT_TRIGGERED = "alert.triggered"
#: Documented types the bot has no use for: answered 200 and counted.
COUNTED_EVENTS = frozenset(
    {"position.opened", "position.closed", "transfer.completed", "transfer.failed", "account.updated"}
)
DOCUMENTED_EVENTS = ORDER_EVENTS | COUNTED_EVENTS | {ALERT_TRIGGERED}
#: An order event the bot acted on before it followed the page, which no page lists (still applied).
LEGACY_ORDER_EVENTS = frozenset({"order.expired"})

#: The status an order event implies when its data names none.
_STATUS_OF_EVENT = {
    "order.created": "New",
    "order.filled": "Filled",
    "order.partial_fill": "PartiallyFilled",
    "order.cancelled": "Canceled",
    "order.rejected": "Rejected",
    "order.replaced": "Replaced",
    "order.expired": "Expired",
}
#: Status spellings seen in event data, reduced to letters, → the spec's OrderResource.Status.
_STATUS_NAMES = {
    "new": "New",
    "partiallyfilled": "PartiallyFilled",
    "partialfill": "PartiallyFilled",
    "filled": "Filled",
    "doneforday": "DoneForDay",
    "canceled": "Canceled",
    "cancelled": "Canceled",
    "replaced": "Replaced",
    "pendingcancel": "PendingCancel",
    "stopped": "Stopped",
    "rejected": "Rejected",
    "suspended": "Suspended",
    "pendingnew": "PendingNew",
    "calculated": "Calculated",
    "expired": "Expired",
    "acceptedforbidding": "AcceptedForBidding",
    "pendingreplace": "PendingReplace",
    "error": "Error",
    "held": "Held",
}
_TERMINAL = frozenset({"Filled", "Canceled", "Rejected", "Expired"})


def event_kind(event_type: str) -> str:
    """What the bot does with a type: ``order``, ``alert``, ``counted`` (documented, no use
    here) or ``other`` (no page lists it)."""
    if event_type in ORDER_EVENTS or event_type in LEGACY_ORDER_EVENTS:
        return "order"
    if event_type == ALERT_TRIGGERED:
        return "alert"
    return "counted" if event_type in COUNTED_EVENTS else "other"


def _first(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = data.get(name)
        if value is not None and value != "":
            return value
    return None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _integer(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number.is_integer() else None


def order_status(value: Any, event_type: str) -> str:
    """The spec's status name for what the event says (``Cancelled`` → ``Canceled``…), or the
    status the event type implies when the data names none."""
    if value is not None and value != "":
        key = re.sub(r"[^a-z]", "", str(value).lower())
        return _STATUS_NAMES.get(key, str(value))
    return _STATUS_OF_EVENT.get(event_type, "")


def is_legacy_order(data: Mapping[str, Any]) -> bool:
    """An OrderResource in PascalCase (the shape the bot's sandbox used to send)."""
    return any(key in data for key in ("Id", "ClientId", "ExecutedQuantity"))


def order_update(data: Mapping[str, Any], *, event_type: str, account_id: Any = None) -> dict[str, Any]:
    """The order properties an event states, in OrderResource names. Only what the event says
    is kept (the stored order fills in the rest)."""
    order: dict[str, Any] = {}
    if is_legacy_order(data):
        order.update(data)
        order["Status"] = order_status(order.get("Status"), event_type)
        return order
    order_id = _integer(_first(data, "orderId", "id"))
    if order_id is not None:
        order["Id"] = order_id
    for source, target in (("symbol", "Symbol"), ("side", "Side"), ("type", "Type")):
        if _first(data, source) is not None:
            order[target] = str(data[source])
    quantity = _number(_first(data, "quantity"))
    filled = _number(_first(data, "filledQuantity", "executedQuantity"))
    average = _number(_first(data, "averagePrice", "fillPrice", "price"))
    status = order_status(_first(data, "status"), event_type)
    if quantity is not None:
        order["Quantity"] = quantity
    if filled is not None:
        order["ExecutedQuantity"] = filled
    if average is not None and filled:
        order["AveragePrice"] = average
    remaining = _number(_first(data, "remainingQuantity", "leavesQuantity"))
    if remaining is None and quantity is not None and filled is not None:
        remaining = 0.0 if status in _TERMINAL else max(quantity - filled, 0.0)
    if remaining is not None:
        order["LeavesQuantity"] = remaining
    if status:
        order["Status"] = status
    when = _first(data, "executionTime", "timestamp")
    if when is not None:
        order["TransactionDate"] = str(when)
    reason = _first(data, "reason", "rejectionReason", "cancellationReason")
    if reason is not None:
        order["Description"] = str(reason)
    client_id = _first(data, "clientId", "clientOrderId")
    if client_id is not None:
        order["ClientId"] = str(client_id)
    account = _integer(account_id)
    if account is not None:
        order["AccountId"] = account
    return order


# -- alert.triggered --------------------------------------------------------------------------------

_OPERATORS = {
    ">=": "GTEQ",
    "=>": "GTEQ",
    ">": "GTEQ",
    "≥": "GTEQ",
    "gteq": "GTEQ",
    "gte": "GTEQ",
    "above": "GTEQ",
    "<=": "LTEQ",
    "=<": "LTEQ",
    "<": "LTEQ",
    "≤": "LTEQ",
    "lteq": "LTEQ",
    "lte": "LTEQ",
    "below": "LTEQ",
}
_FIELDS = {"last": "Last", "price": "Last", "bid": "Bid", "ask": "Ask"}
_CONDITION = re.compile(
    r"^\s*(?:(?P<field>[A-Za-z]+)(?:\s+|(?=[<>=≥≤])))?(?P<op>>=|=>|<=|=<|>|<|≥|≤|[A-Za-z]+)\s*\$?(?P<value>-?\d+(?:\.\d+)?)\s*$"
)


@dataclass(frozen=True)
class AlertTrigger:
    """What an alert.triggered event says. ``alert_id`` only when the event names the alert;
    otherwise the symbol and condition say which alerts it may be."""

    alert_id: int | None
    symbol: str | None
    operator: str | None = None  # GTEQ or LTEQ
    field: str | None = None  # Last, Bid or Ask
    argument: Decimal | None = None
    price: float | None = None

    def may_be(self, symbol: str, operator: str, field: str, argument: Decimal) -> bool:
        """Whether an alert set on ``symbol`` with this condition could be the one that fired
        (what the event leaves out matches anything)."""
        if not self.symbol or self.symbol.upper() != symbol.upper():
            return False
        if self.operator is not None and self.operator != operator:
            return False
        if self.field is not None and self.field != field:
            return False
        return self.argument is None or self.argument == argument

    def states(self, symbol: str, operator: str, field: str, argument: Decimal) -> bool:
        """Whether the event states this very condition in full (symbol, operator, field and
        price all given and equal): enough to tell the alert when AutoShares cannot be asked."""
        stated = None not in (self.operator, self.field, self.argument)
        return stated and self.may_be(symbol, operator, field, argument)


def _decimal(value: Any) -> Decimal | None:
    if _number(value) is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _condition(value: Any) -> tuple[str | None, str | None, Decimal | None]:
    """(operator, field, argument) from a condition written as text (``Last >= 235``,
    ``above 235``) or as an object (``{"field", "operator", "argument"|"value"|"price"}``)."""
    if isinstance(value, Mapping):
        lowered = {str(k).lower(): v for k, v in value.items()}
        op_text = str(lowered.get("operator") or lowered.get("op") or "").strip().lower()
        field_text = str(lowered.get("field") or "").strip().lower()
        argument = _decimal(_first(lowered, "argument", "value", "price", "threshold"))
        return _OPERATORS.get(op_text), _FIELDS.get(field_text), argument
    if isinstance(value, str):
        match = _CONDITION.match(value)
        if match is None:
            return None, None, None
        field = match.group("field")
        return (
            _OPERATORS.get(match.group("op").lower()),
            _FIELDS.get(field.lower()) if field else None,
            _decimal(match.group("value")),
        )
    return None, None, None


def alert_trigger(data: Mapping[str, Any]) -> AlertTrigger:
    """Read an alert.triggered event in either shape."""
    alert_id = _integer(_first(data, "alertId", "Id", "id", "AlertId"))
    symbol = _first(data, "symbol", "Symbol")
    operator, field, argument = _condition(_first(data, "condition", "Condition"))
    operator = operator or _OPERATORS.get(str(_first(data, "Operator", "operator") or "").lower())
    field = field or _FIELDS.get(str(_first(data, "Field", "field") or "").lower())
    argument = argument if argument is not None else _decimal(_first(data, "Argument", "argument"))
    price = _number(_first(data, "currentPrice", "price", "Price", "lastPrice"))
    return AlertTrigger(
        alert_id=alert_id,
        symbol=str(symbol).strip().upper() if symbol else None,
        operator=operator,
        field=field,
        argument=argument,
        price=price,
    )
