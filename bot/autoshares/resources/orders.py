"""Orders: ``OrderResource`` (placed, listed, read, cancelled) and ``OrderPreviewResource``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field

from bot.autoshares.resources.base import Resource, parse
from bot.autoshares.resources.enums import (
    OPEN_ORDER_STATUSES,
    TERMINAL_ORDER_STATUSES,
    ExecInst,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    TrailingAmountType,
    enum_value,
)
from bot.autoshares.resources.market import Quote
from bot.autoshares.resources.numbers import Number, Whole, none_as_empty, to_int

Status = Annotated[OrderStatus, BeforeValidator(OrderStatus.read)]
Side = Annotated[OrderSide, BeforeValidator(lambda v: enum_value(OrderSide, v))]
Kind = Annotated[OrderType, BeforeValidator(lambda v: enum_value(OrderType, v))]
Tif = Annotated[TimeInForce, BeforeValidator(lambda v: enum_value(TimeInForce, v))]
Instruction = Annotated[ExecInst, BeforeValidator(lambda v: enum_value(ExecInst, v))]
Trailing = Annotated[TrailingAmountType, BeforeValidator(lambda v: enum_value(TrailingAmountType, v))]


def _identified(value: object) -> object:
    """A bracket's legs as orders: those AutoShares gives without an ``Id`` and a ``Status``
    are left out (the legs are extra; the order stands without them)."""
    if not isinstance(value, list):
        return none_as_empty(value)
    return [
        leg
        for leg in value
        if not isinstance(leg, dict) or {"id", "status"} <= {str(key).lower() for key in leg if leg[key] is not None}
    ]


def _moment(value: object) -> datetime | None:
    """``OrderDetailsModel``'s dates: epoch milliseconds, as the spec types them (int64), or
    an ISO date-time, as other answers write them."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.fromtimestamp(to_int(value) / 1000, tz=UTC)


Moment = Annotated[datetime | None, BeforeValidator(_moment)]


class Order(Resource):
    """An order AutoShares holds (``OrderResource``): ``Id`` and ``Status`` are required."""

    id: Whole
    status: Status
    symbol: str = ""
    security_id: Whole | None = None
    account_id: Whole | None = None
    client_id: str | None = None
    side: Side | None = None
    type: Kind | None = None
    #: The spec's OrderResource writes ``TimeInForce``; its CreateOrderResource ``TimeInforce``.
    time_in_force: Tif | None = Field(
        default=None, validation_alias=AliasChoices("TimeInForce", "timeInForce", "TimeInforce")
    )
    quantity: Number | None = None
    price: Number | None = None
    stop_price: Number | None = None
    executed_quantity: Number | None = None
    leaves_quantity: Number | None = None
    average_price: Number | None = None
    last_price: Number | None = None
    extended_hours: str | None = None
    transaction_date: str | None = None
    create_date: str | None = None
    description: str | None = None
    error_description_text: str | None = None
    comment: str | None = None
    exec_inst: Instruction | None = None
    expire_date: str | None = None
    trailing_stop_amount_type: Trailing | None = None
    trailing_stop_amount: Number | None = None
    trailing_limit_amount_type: Trailing | None = None
    trailing_limit_amount: Number | None = None
    #: A leg of a bracket names its parent order; the parent lists its legs.
    parent_id: Whole | None = None
    legs: Annotated[list[Order], BeforeValidator(_identified)] = []
    #: What AutoShares charged for the order (the spec's name keeps its spelling).
    broker_service_commission: Number | None = None

    @property
    def is_open(self) -> bool:
        """Still working in the market (``OPEN_ORDER_STATUSES``): cancellable, followed up."""
        return self.status in OPEN_ORDER_STATUSES

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_ORDER_STATUSES


class OrderPreview(Resource):
    """What an order would cost (``OrderPreviewResource``); nothing is required."""

    is_successful: bool | None = None
    error_description: str | None = None
    error_description_text: str | None = None
    commission: Number | None = None
    #: The quotes the preview priced the order with (``QuoteModel``).
    quotes: Annotated[list[Quote], BeforeValidator(none_as_empty)] = []
    cost: Number | None = None
    net_cost: Number | None = None
    total_cost: Number | None = None

    @property
    def last_price(self) -> Number | None:
        """The first positive price among the preview's quotes (Price, else Last)."""
        return next((q.value for q in self.quotes if q.value is not None and q.value > 0), None)


class OrderTicket(Resource):
    """An order the bot sends (``CreateOrderResource``), read back from the body it built and
    stored; its terms are named as an ``Order``'s are, so one summary shows either."""

    symbol: str
    side: Side
    type: Kind
    quantity: Number
    price: Number | None = None
    stop_price: Number | None = None
    time_in_force: Tif | None = Field(
        default=None, validation_alias=AliasChoices("TimeInforce", "TimeInForce", "timeInForce")
    )
    extended_hours: str | None = None
    client_id: str | None = None
    exec_inst: Instruction | None = None
    #: GoodTillDate's last day (a date-time on the wire).
    expire_date: str | None = None
    trailing_stop_amount_type: Trailing | None = None
    trailing_stop_amount: Number | None = None
    trailing_limit_amount_type: Trailing | None = None
    trailing_limit_amount: Number | None = None
    #: A bracket's orders: the entry first, then its exits.
    legs: Annotated[list[OrderTicket], BeforeValidator(none_as_empty)] = []

    @classmethod
    def read(cls, body: object) -> OrderTicket:
        """A stored order body (the bot wrote it: a failure here is the bot's own bug)."""
        return parse(cls, body, "a stored order body")

    def body(self) -> dict[str, Any]:
        """The ``CreateOrderResource`` JSON AutoShares takes (the spec's names and spelling)."""
        quantity = (
            int(self.quantity) if self.quantity == self.quantity.to_integral_value() else float(self.quantity)
        )
        body: dict[str, Any] = {
            "Symbol": self.symbol,
            "Side": self.side.value,
            "Type": self.type.value,
            "Quantity": quantity,
            "TimeInforce": (self.time_in_force or TimeInForce.Day).value,
        }
        if self.price is not None:
            body["Price"] = float(self.price)
        if self.stop_price is not None:
            body["StopPrice"] = float(self.stop_price)
        if self.extended_hours:
            body["ExtendedHours"] = self.extended_hours
        if self.client_id:
            body["ClientId"] = self.client_id
        return body | self._instructions()

    def _instructions(self) -> dict[str, Any]:
        """The properties beyond a plain order's: instruction, expiry, trailing distances, legs."""
        extra: dict[str, Any] = {}
        if self.exec_inst is not None and self.exec_inst is not ExecInst.None_:
            extra["ExecInst"] = self.exec_inst.value
        if self.expire_date:
            extra["ExpireDate"] = self.expire_date
        for name, kind, amount in (
            ("TrailingStop", self.trailing_stop_amount_type, self.trailing_stop_amount),
            ("TrailingLimit", self.trailing_limit_amount_type, self.trailing_limit_amount),
        ):
            if kind is not None and amount is not None:
                extra[f"{name}AmountType"] = kind.value
                extra[f"{name}Amount"] = float(amount)
        if self.legs:
            extra["Legs"] = [leg.body() for leg in self.legs]
        return extra

    @property
    def is_cash_amount(self) -> bool:
        """The Quantity is a dollar amount, not a share count."""
        return self.exec_inst is ExecInst.CashAmountOrder


def expire_at(day: str) -> str:
    """The ``ExpireDate`` date-time for a GoodTillDate order's last day (``2027-01-15``): its
    last second in UTC, which is after that day's close in New York."""
    moment = datetime.fromisoformat(day).replace(hour=23, minute=59, second=59, tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


class OrderDetail(Resource):
    """One line of an order's history (``OrderDetailsModel``): the request, an execution, a
    cancel. An execution carries ``ExecId``, ``LastQuantity`` and ``LastPrice``; the dates are
    epoch milliseconds."""

    id: Whole | None = None
    is_request: bool | None = None
    side: str | None = None
    exec_id: str | None = None
    execution_status: str | None = None
    status: str | None = None
    last_quantity: Number | None = None
    last_price: Number | None = None
    transaction_date: Moment = None
    order_status_description: str | None = None
    reject_reason: str | None = None
    broker_service_commission: Number | None = None

    @property
    def is_execution(self) -> bool:
        return bool(self.exec_id) and (self.last_quantity or 0) > 0

    @property
    def when(self) -> datetime | None:
        return self.transaction_date


class OrderLimits(Resource):
    """How much of a symbol the account can buy and sell now (``OrderLimits``): share counts
    at the prices AutoShares assumed."""

    symbol: str | None = None
    account_id: Whole | None = None
    buy_price: Number | None = None
    sell_price: Number | None = None
    buy_limit: Number | None = None
    sell_limit: Number | None = None
