"""What an order asks for and what the checks find: the request as validated, the
assessment (preview figures and the first rejection), and the events the outside world hears
about. No I/O; ``sandbox.trading``, ``sandbox.brackets`` and ``sandbox.spreads`` share them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.market import Quote
from sandbox.securities import Security
from sandbox.state import Order, Position, PriceAlert

BUY_SIDES = frozenset({"Buy", "BuyToCover"})

REJECTION_TEXT = {
    "SymbolNotFound": "Symbol {symbol} was not found.",
    "InvalidOrderType": "The order type is not valid: {detail}.",
    "MarketClosed": "The market is closed.",
    "AccountRestricted": "The account is restricted: sign the outstanding agreements first.",
    "QuotePriceIsInvalid": "The order price is invalid: {detail}.",
    "InsufficientShares": "Not enough shares: {detail}.",
    "DayTradingBuyingPowerExceeded": "Not enough buying power: {detail}.",
}


@dataclass(frozen=True)
class OrderRequest:
    """A CreateOrderResource that passed schema validation."""

    symbol: str
    side: str
    type: str
    quantity: float
    time_in_force: str = "Day"
    price: float | None = None
    stop_price: float | None = None
    client_id: str = ""
    comment: str = ""
    extended_hours: str = ""
    exec_inst: str = "None"
    expire_date: str = ""
    trail_type: str = ""
    trail_amount: float | None = None
    trail_limit_type: str = ""
    trail_limit_amount: float | None = None
    #: A bracket's orders, the entry first (``Legs`` of a OneTriggerOther or
    #: OneTriggerOneCancelOther order).
    legs: tuple[OrderRequest, ...] = ()
    #: An option spread's legs (``Legs`` of a Market or Limit order): each a contract bought
    #: or sold.
    spread_legs: tuple[LegRequest, ...] = ()

    @property
    def is_buy(self) -> bool:
        return self.side in BUY_SIDES

    @property
    def is_cash_amount(self) -> bool:
        return self.exec_inst == "CashAmountOrder"


@dataclass(frozen=True)
class LegRequest:
    """One leg of a spread (a CreateOrderResource inside ``Legs``)."""

    symbol: str
    side: str
    quantity: float


@dataclass
class Assessment:
    """What the checks found: the figures for a preview, and the first rejection, if any."""

    security: Security | None
    quote: Quote | None
    estimated_price: float = 0.0
    cost: float = 0.0
    commission: float = 0.0
    error_code: str = ""
    error_text: str = ""

    @property
    def ok(self) -> bool:
        return not self.error_code


@dataclass
class Event:
    """Something the outside world hears about (webhook, streamer). ``order`` and
    ``positions`` are copies taken when the event happened, not the live records."""

    type: str  # order.created, order.filled, order.partial_fill, order.cancelled, ...
    account_id: int | None
    order: Order | None = None
    alert: PriceAlert | None = None
    price: float | None = None
    positions: list[Position] = field(default_factory=list)
    #: "opened" when the fill opened a position, "closed" when it closed one.
    position_change: str | None = None


def reject(result: Assessment, code: str, **details: Any) -> Assessment:
    result.error_code = code
    result.error_text = REJECTION_TEXT[code].format(**{"symbol": "", "detail": "", **details})
    return result
