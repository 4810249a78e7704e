"""Mutual funds: the four orders the bot sends (``BuyMutualFundResource``,
``SellMutualFundResource``, ``ExchangeMutualFundResource``, ``LiquidateMutualFundResource``),
AutoShares' answer to placing one (``MutualFundResource``) and to previewing one
(``MutualFundPreviewResource``).

A fund order the bot keeps between preview and placement is a :class:`FundTicket`: the spec's
body for its operation plus ``FundOperation``, a name of the bot's own that says which of the
four endpoints takes it (the body alone cannot tell a buy from a sell). ``body()`` is exactly
the spec's properties for that operation, never the marker.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator

from bot.autoshares.resources.base import Resource, parse
from bot.autoshares.resources.enums import OrderStatus, enum_value
from bot.autoshares.resources.numbers import Number, Whole

#: The key of a stored fund ticket that names its operation (not sent to AutoShares).
FUND_OPERATION_KEY = "FundOperation"


class FundOperation(StrEnum):
    """Which mutual fund endpoint an order goes to (``/orders/mutual-funds/<operation>``)."""

    buy = "buy"
    sell = "sell"
    exchange = "exchange"
    liquidate = "liquidate"


class QuantityQualifier(StrEnum):
    """``QuantityQualifier`` of BuyMutualFundResource and SellMutualFundResource: what
    ``Quantity`` counts (shares, or dollars)."""

    Shares = "Shares"
    EvenDollar = "EvenDollar"
    GrossDollar = "GrossDollar"
    MinusRounding = "MinusRounding"
    PlusRounding = "PlusRounding"


Qualifier = Annotated[QuantityQualifier, BeforeValidator(lambda v: enum_value(QuantityQualifier, v))]
Status = Annotated[OrderStatus, BeforeValidator(OrderStatus.read)]
#: Which properties each operation's body holds, in the spec's order.
BODY_PROPERTIES: dict[FundOperation, tuple[str, ...]] = {
    FundOperation.buy: (
        "Symbol",
        "Quantity",
        "QuantityQualifier",
        "ReinvestDividends",
        "ReinvestShortTermGains",
        "ReinvestLongTermGains",
    ),
    FundOperation.sell: ("Symbol", "Quantity", "QuantityQualifier"),
    FundOperation.exchange: (
        "SourceSymbol",
        "TargetSymbol",
        "ReinvestDividends",
        "ReinvestShortTermGains",
        "ReinvestLongTermGains",
    ),
    FundOperation.liquidate: ("Symbol",),
}


class FundTicket(Resource):
    """A mutual fund order the bot sends, read back from the ticket it stored. ``symbol`` is
    the fund bought, sold or liquidated, or the fund an exchange sells (``SourceSymbol``)."""

    fund_operation: FundOperation
    symbol: str
    target_symbol: str | None = None
    quantity: Number | None = None
    quantity_qualifier: Qualifier | None = None
    reinvest_dividends: bool | None = None
    reinvest_short_term_gains: bool | None = None
    reinvest_long_term_gains: bool | None = None

    @staticmethod
    def is_stored(stored: object) -> bool:
        """Whether a stored order body is a fund ticket (an equity order has no operation)."""
        return isinstance(stored, Mapping) and FUND_OPERATION_KEY in stored

    @classmethod
    def read(cls, stored: object) -> FundTicket:
        """A stored fund ticket (the bot wrote it: a failure here is the bot's own bug)."""
        return parse(cls, stored, "a stored mutual fund order")

    @property
    def in_dollars(self) -> bool:
        return self.quantity_qualifier not in (None, QuantityQualifier.Shares)

    def body(self) -> dict[str, Any]:
        """The JSON the operation's endpoint takes: the spec's properties, nothing else."""
        quantity = None
        if self.quantity is not None:
            whole = self.quantity == self.quantity.to_integral_value()
            quantity = int(self.quantity) if whole else float(self.quantity)
        values: dict[str, Any] = {
            "Symbol": self.symbol,
            "SourceSymbol": self.symbol,
            "TargetSymbol": self.target_symbol,
            "Quantity": quantity,
            "QuantityQualifier": self.quantity_qualifier.value if self.quantity_qualifier else None,
            "ReinvestDividends": self.reinvest_dividends,
            "ReinvestShortTermGains": self.reinvest_short_term_gains,
            "ReinvestLongTermGains": self.reinvest_long_term_gains,
        }
        return {
            name: values[name] for name in BODY_PROPERTIES[self.fund_operation] if values[name] is not None
        }

    def stored(self) -> dict[str, Any]:
        """What the bot keeps of the ticket: the body, its operation, and (for an exchange)
        the source fund under ``Symbol`` too, so every stored order names its fund alike."""
        return {**self.body(), "Symbol": self.symbol, FUND_OPERATION_KEY: self.fund_operation.value}


class FundOrder(Resource):
    """A mutual fund order AutoShares took (``MutualFundResource``): ``Id`` and ``Status``
    are required."""

    id: Whole
    status: Status
    execution_status: Status | None = None
    description: str | None = None
    executed_quantity: Number | None = None
    quantity: Number | None = None


class FundPreview(Resource):
    """AutoShares' verdict on a mutual fund order (``MutualFundPreviewResource``)."""

    is_successful: bool | None = None
    error_description: str | None = None
    error_description_text: str | None = None
    error_description_args: list[str] | None = None
