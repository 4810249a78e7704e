"""Orders: ``OrderResource`` (placed, listed, read, cancelled) and ``OrderPreviewResource``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol

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
    #: A leg of a bracket names its parent order; the parent lists its legs (a bracket's
    #: entry and exits, or an option spread's contracts, each an order of its own).
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
    exec_inst: Instruction | None = None
    #: GoodTillDate's last day (a date-time on the wire).
    expire_date: str | None = None
    trailing_stop_amount_type: Trailing | None = None
    trailing_stop_amount: Number | None = None
    trailing_limit_amount_type: Trailing | None = None
    trailing_limit_amount: Number | None = None
    #: CreateOrderResource ``Legs``, each an order of its own: an option spread's contracts,
    #: or a bracket's orders (the entry first, then its exits).
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
        extra |= _expiry_and_trailing(self)
        if self.legs:
            extra["Legs"] = [leg.body() for leg in self.legs]
        return extra

    @property
    def is_cash_amount(self) -> bool:
        """The Quantity is a dollar amount, not a share count."""
        return self.exec_inst is ExecInst.CashAmountOrder

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
            expire_date=self.expire_date,
            extended_hours=self.extended_hours,
            trailing_stop_amount_type=self.trailing_stop_amount_type,
            trailing_stop_amount=self.trailing_stop_amount,
            trailing_limit_amount_type=self.trailing_limit_amount_type,
            trailing_limit_amount=self.trailing_limit_amount,
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
    #: What the order keeps through the change (a replace that left them out could drop them).
    expire_date: str | None = None
    extended_hours: str | None = None
    trailing_stop_amount_type: Trailing | None = None
    trailing_stop_amount: Number | None = None
    trailing_limit_amount_type: Trailing | None = None
    trailing_limit_amount: Number | None = None

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
        return body | self._kept()

    def _kept(self) -> dict[str, Any]:
        """The order's expiry, session and trailing distances, sent again as they are."""
        session = {"ExtendedHours": self.extended_hours} if self.extended_hours else {}
        return _expiry_and_trailing(self) | session


def _expiry_and_trailing(terms: OrderTicket | OrderChange) -> dict[str, Any]:
    """``ExpireDate`` and the trailing distances, as CreateOrderResource and ModifyOrderResource
    both name them (each distance only with its type)."""
    extra: dict[str, Any] = {"ExpireDate": terms.expire_date} if terms.expire_date else {}
    for name, kind, amount in (
        ("TrailingStop", terms.trailing_stop_amount_type, terms.trailing_stop_amount),
        ("TrailingLimit", terms.trailing_limit_amount_type, terms.trailing_limit_amount),
    ):
        if kind is not None and amount is not None:
            extra[f"{name}AmountType"] = kind.value
            extra[f"{name}Amount"] = float(amount)
    return extra


class _Kind(Protocol):
    """What ``fixed_kind`` reads of an order (an ``Order``, an ``OrderTicket`` or either's view)."""

    @property
    def type(self) -> OrderType | None: ...
    @property
    def exec_inst(self) -> ExecInst | None: ...
    @property
    def legs(self) -> Sequence[object]: ...


#: ``fixed_kind`` of a mutual fund order (cancelled at its own endpoint, `/fund cancel`).
FUND_ORDER_KIND = "a mutual fund order"


def fixed_kind(order: _Kind) -> str | None:
    """What keeps an order from being changed in place, in words (``a bracket``, ``a leg of a
    bracket``, ``an option spread``, ``a dollar-amount order``, ``a mutual fund order``: its
    operation has no replace), or None when its quantity and
    prices can change: a replace (``ModifyOrderResource``) carries no ``Legs`` and no
    ``ExecInst``, so it cannot keep what these are."""
    if order.type in (OrderType.OneTriggerOther, OrderType.OneTriggerOneCancelOther):
        return "a bracket"
    if order.type == OrderType.MutualFundsExchange:
        return FUND_ORDER_KIND
    if getattr(order, "parent_id", None) is not None:
        return "a leg of a bracket"
    if order.legs:
        return "an option spread"
    if order.exec_inst is ExecInst.CashAmountOrder:
        return "a dollar-amount order"
    return None


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
