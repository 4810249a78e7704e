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


class OrderLeg(Resource):
    """One of an option spread's ``Legs`` as AutoShares holds them (an ``OrderResource`` of its
    own; only what names the leg is read, and nothing is required)."""

    symbol: str = ""
    side: Side | None = None
    quantity: Number | None = None


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
    #: An option spread's legs.
    legs: Annotated[list[OrderLeg], BeforeValidator(none_as_empty)] = []

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


class ReplacedTerms(Resource):
    """What a change to a working order replaces: the order's id and its terms before, with
    their estimated cost (the bot keeps them beside the change it stores, to show both)."""

    id: Whole
    quantity: Number | None = None
    price: Number | None = None
    stop_price: Number | None = None
    cost: Number | None = None

    def stored(self) -> dict[str, Any]:
        return {
            key: (float(value) if key != "Id" else value)
            for key, value in (
                ("Id", self.id),
                ("Quantity", self.quantity),
                ("Price", self.price),
                ("StopPrice", self.stop_price),
                ("Cost", self.cost),
            )
            if value is not None
        }


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
    #: A change to a working order: what it replaces (never part of the body sent).
    replaces: ReplacedTerms | None = None
    #: An option spread's legs (CreateOrderResource ``Legs``), each an order of its own.
    legs: Annotated[list[OrderTicket], BeforeValidator(none_as_empty)] = []

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
        if self.legs:
            body["Legs"] = [leg.body() for leg in self.legs]
        return body

    def stored(self) -> dict[str, Any]:
        """What the bot keeps of the order: the body, and what a change replaces."""
        body = self.body()
        if self.replaces is not None:
            body["Replaces"] = self.replaces.stored()
        return body

    def change(self, client_id: str | None = None) -> dict[str, Any]:
        """The ``ModifyOrderResource`` that gives the replaced order these terms."""
        assert self.replaces is not None, "only a change to an order has a replaced order"
        return OrderChange(
            id=self.replaces.id,
            type=self.type,
            quantity=self.quantity,
            price=self.price,
            stop_price=self.stop_price,
            time_in_force=self.time_in_force,
            client_id=client_id,
        ).body()


class OrderChangePreview(OrderPreview):
    """What replacing an order would cost (``OrderVerifiedResource``, the answer of
    ``PUT /accounts/{accountId}/preview/orders/{orderId}``); nothing is required."""

    order_id: Whole | None = None


class OrderChange(Resource):
    """A change to a working order the bot sends (``ModifyOrderResource``): the order's ``Id``
    and its new terms. ``client_id`` is the change's own id, which a replaced order carries, so
    an uncertain replace is settled by reading the order back."""

    id: Whole
    type: Kind | None = None
    quantity: Number | None = None
    price: Number | None = None
    stop_price: Number | None = None
    time_in_force: Tif | None = None
    client_id: str | None = None

    @classmethod
    def read(cls, body: object) -> OrderChange:
        """A stored change (the bot wrote it: a failure here is the bot's own bug)."""
        return parse(cls, body, "a stored order change")

    def body(self) -> dict[str, Any]:
        """The ``ModifyOrderResource`` JSON AutoShares takes (the spec's names and spelling:
        ``TimeInForce`` here, where ``CreateOrderResource`` has ``TimeInforce``)."""
        body: dict[str, Any] = {"Id": self.id}
        if self.type is not None:
            body["Type"] = self.type.value
        if self.quantity is not None:
            whole = self.quantity == self.quantity.to_integral_value()
            body["Quantity"] = int(self.quantity) if whole else float(self.quantity)
        if self.price is not None:
            body["Price"] = float(self.price)
        if self.stop_price is not None:
            body["StopPrice"] = float(self.stop_price)
        if self.time_in_force is not None:
            body["TimeInForce"] = self.time_in_force.value
        if self.client_id:
            body["ClientId"] = self.client_id
        return body
