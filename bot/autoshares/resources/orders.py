"""Orders: ``OrderResource`` (placed, listed, read, cancelled) and ``OrderPreviewResource``."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field

from bot.autoshares.resources.base import Resource, parse
from bot.autoshares.resources.enums import (
    OPEN_ORDER_STATUSES,
    TERMINAL_ORDER_STATUSES,
    OrderSide,
    OrderStatus,
    OrderType,
    TimeInForce,
    enum_value,
)
from bot.autoshares.resources.market import Quote
from bot.autoshares.resources.numbers import Number, Whole, none_as_empty

Status = Annotated[OrderStatus, BeforeValidator(OrderStatus.read)]
Side = Annotated[OrderSide, BeforeValidator(lambda v: enum_value(OrderSide, v))]
Kind = Annotated[OrderType, BeforeValidator(lambda v: enum_value(OrderType, v))]
Tif = Annotated[TimeInForce, BeforeValidator(lambda v: enum_value(TimeInForce, v))]


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

    @classmethod
    def read(cls, body: object) -> OrderTicket:
        """A stored order body (the bot wrote it: a failure here is the bot's own bug)."""
        return parse(cls, body, "a stored order body")

    def body(self) -> dict[str, Any]:
        """The ``CreateOrderResource`` JSON AutoShares takes (the spec's names and spelling)."""
        quantity = int(self.quantity) if self.quantity == self.quantity.to_integral_value() else float(self.quantity)
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
        return body
