"""AutoShares webhook data, read into typed values. No I/O.

The Webhooks page (AutoSharesAPI/API ``pages/webhooks.md``) documents the envelope
``{"id", "type", "timestamp", "accountId", "data"}``, twelve event types, and one example of
``data``, for ``order.filled``, in camelCase: ``orderId, symbol, side, type, quantity,
filledQuantity, averagePrice, status, executionTime``. For ``alert.triggered`` it says only that
the event carries "the symbol, the alert condition and the current price", without field names.
``openapi.yaml`` says nothing of webhooks. Earlier the bot and its sandbox agreed on PascalCase
resources in ``data`` (an OrderResource; a price alert with ``Id`` and ``Price``); those are
still read, so a deployment sending them keeps working.

``order_update`` turns either order shape into an ``OrderEvent`` (what the event states of the
order); ``alert_trigger`` finds the alert's id (when the event names it), symbol, condition and
price. The data's shape is undocumented, so a value that is not usable (a number that is NaN or
text, an unknown status) counts as not stated rather than failing the delivery.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.autoshares.resources.enums import (
    TERMINAL_ORDER_STATUSES,
    OrderStatus,
    enum_value,
)
from bot.autoshares.resources.numbers import to_decimal, to_int

#: The status an order event implies when its data names none.
_STATUS_OF_EVENT = {
    "order.created": OrderStatus.New,
    "order.filled": OrderStatus.Filled,
    "order.partial_fill": OrderStatus.PartiallyFilled,
    "order.cancelled": OrderStatus.Canceled,
    "order.rejected": OrderStatus.Rejected,
    "order.replaced": OrderStatus.Replaced,
    "order.expired": OrderStatus.Expired,
}
#: Spellings seen in event data beyond the spec's names (compared as letters only).
_STATUS_SPELLINGS = {"cancelled": OrderStatus.Canceled, "partialfill": OrderStatus.PartiallyFilled}


#: Ids an order or alert event's data may carry (camelCase as documented, PascalCase as before).
DATA_IDS = ("orderId", "alertId", "Id")


def data_problem(kind: str, data: Mapping[str, Any], is_id: Callable[[object], bool]) -> str | None:
    """What makes an order or alert event's data unusable (a short phrase for the log), or None:
    an id in it that ``is_id`` refuses, or an alert event naming neither its alert nor a symbol."""
    for name in DATA_IDS:
        if data.get(name) is not None and not is_id(data[name]):
            return f"the {name} is not an AutoShares id"
    names_alert = any(data.get(name) is not None for name in ("alertId", "Id"))
    names_symbol = any(isinstance(data.get(name), str) and data[name].strip() for name in ("symbol", "Symbol"))
    if kind == "alert" and not (names_alert or names_symbol):
        return "the alert event names neither an alert nor a symbol"
    return None


def _first(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = data.get(name)
        if value is not None and value != "":
            return value
    return None


def _decimal(value: Any) -> Decimal | None:
    """A stated number, or None when the value is missing or unusable."""
    try:
        return to_decimal(value)
    except ValueError:
        return None


def _integer(value: Any) -> int | None:
    try:
        return to_int(value)
    except ValueError:
        return None


def order_status(value: Any, event_type: str) -> OrderStatus | None:
    """The spec's status for what the event says (``Cancelled`` → ``Canceled``, a number, any
    case or punctuation…), or the status the event type implies when the data names none."""
    if value is None or value == "":
        return _STATUS_OF_EVENT.get(event_type)
    for spelling in (value, re.sub(r"[^a-z]", "", str(value).lower())):
        try:
            return enum_value(OrderStatus, spelling)
        except ValueError:
            pass
    return _STATUS_SPELLINGS.get(re.sub(r"[^a-z]", "", str(value).lower()))


@dataclass(frozen=True)
class OrderEvent:
    """What an order event states of the order; None where it says nothing."""

    order_id: int | None = None
    client_id: str | None = None
    account_id: int | None = None
    status: OrderStatus | None = None
    symbol: str | None = None
    side: str | None = None
    type: str | None = None
    quantity: Decimal | None = None
    executed_quantity: Decimal | None = None
    average_price: Decimal | None = None
    leaves_quantity: Decimal | None = None
    transaction_date: str | None = None
    description: str | None = None


def is_legacy_order(data: Mapping[str, Any]) -> bool:
    """An OrderResource in PascalCase (the shape the bot's sandbox used to send)."""
    return any(key in data for key in ("Id", "ClientId", "ExecutedQuantity"))


def _text(value: Any) -> str | None:
    return str(value) if value is not None and value != "" else None


def order_update(data: Mapping[str, Any], *, event_type: str, account_id: Any = None) -> OrderEvent:
    """The order properties an event states, in either shape. Only what the event says is
    kept (the stored order fills in the rest)."""
    legacy = is_legacy_order(data)
    status = order_status(_first(data, "Status" if legacy else "status"), event_type)
    quantity = _decimal(_first(data, "Quantity", "quantity"))
    filled = _decimal(_first(data, "ExecutedQuantity", "filledQuantity", "executedQuantity"))
    average = _decimal(_first(data, "AveragePrice", "averagePrice", "fillPrice", "price"))
    remaining = _decimal(_first(data, "LeavesQuantity", "remainingQuantity", "leavesQuantity"))
    if not legacy:
        if not filled:
            average = None  # a price with nothing filled is the order's limit, not a fill
        if remaining is None and quantity is not None and filled is not None:
            remaining = Decimal(0) if status in TERMINAL_ORDER_STATUSES else max(quantity - filled, Decimal(0))
    return OrderEvent(
        order_id=_integer(_first(data, "Id", "orderId", "id")),
        client_id=_text(_first(data, "ClientId", "clientId", "clientOrderId")),
        account_id=_integer(_first(data, "AccountId")) if legacy else _integer(account_id),
        status=status,
        symbol=_text(_first(data, "Symbol", "symbol")),
        side=_text(_first(data, "Side", "side")),
        type=_text(_first(data, "Type", "type")),
        quantity=quantity,
        executed_quantity=filled,
        average_price=average,
        leaves_quantity=remaining,
        transaction_date=_text(_first(data, "TransactionDate", "executionTime", "timestamp")),
        description=_text(
            _first(data, "ErrorDescriptionText", "Description", "reason", "rejectionReason", "cancellationReason")
        ),
    )


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
    price: Decimal | None = None

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
    price = _decimal(_first(data, "currentPrice", "price", "Price", "lastPrice"))
    return AlertTrigger(
        alert_id=alert_id,
        symbol=str(symbol).strip().upper() if symbol else None,
        operator=operator,
        field=field,
        argument=argument,
        price=price,
    )
