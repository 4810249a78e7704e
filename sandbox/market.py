"""Seeded, deterministic price simulation.

Each security starts near its reference price (the seed picks the offset), then follows a
random walk, one step per ``tick``. The same seed gives the same sequence of prices, so a demo
or a benchmark can be replayed. The admin can set exact prices (``set_price``). The market only
computes numbers; reacting to a move (fills, alerts, streaming) is the engine's job.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sandbox.options import OptionTerms, fair_value, quote_prices
from sandbox.securities import Security
from sandbox.state import utc_now

#: Standard deviation of one tick's relative move (about 0.08 % per tick).
_TICK_VOLATILITY = 0.0008
#: Quotes spend roughly 6.5 hours of ticks per day: volume added per tick is daily / this.
_TICKS_PER_DAY = 23_400


def round_price(value: float) -> float:
    """Round to the cent (tick size 0.01), never below one cent."""
    return max(round(value + 1e-9, 2), 0.01)


def half_spread(price: float) -> float:
    """Half the bid/ask spread: about 1 basis point, at least one cent (so bid < last < ask)."""
    return max(round(price * 0.0001, 2), 0.01)


@dataclass
class Quote:
    """The live quote of one security (QuoteModel fields)."""

    security_id: int
    symbol: str
    last: float
    bid: float
    ask: float
    open: float
    high: float
    low: float
    previous_close: float
    volume: float
    bid_size: float
    ask_size: float
    timestamp: datetime

    @property
    def change(self) -> float:
        return round(self.last - self.previous_close, 4)

    @property
    def change_pc(self) -> float:
        if not self.previous_close:
            return 0.0
        return round((self.last - self.previous_close) / self.previous_close * 100, 4)

    def field(self, name: str) -> float:
        """Value of an alert field: Last, Bid or Ask."""
        return {"Last": self.last, "Bid": self.bid, "Ask": self.ask}[name]


#: EquityResource.Type of a mutual fund: priced at its net asset value (NAV), which does not
#: move with the market's ticks (the admin may set it), with no spread.
MUTUAL_FUND = "MutualFund"


def _net_asset_value(security: Security, now: datetime) -> Quote:
    nav = round_price(security.reference_price)
    return Quote(
        security_id=security.id,
        symbol=security.symbol,
        last=nav,
        bid=nav,
        ask=nav,
        open=nav,
        high=nav,
        low=nav,
        previous_close=nav,
        volume=0.0,
        bid_size=0.0,
        ask_size=0.0,
        timestamp=now,
    )


class Market:
    """Quotes for every listed security, moved by ``tick`` or ``set_price``."""

    def __init__(self, securities: Iterable[Security], seed: int) -> None:
        self._rng = random.Random(seed)
        self.securities = {s.id: s for s in securities}
        self.quotes: dict[int, Quote] = {}
        #: Listed option contracts (``sandbox.options.OptionBook`` adds them), priced on reading.
        self.options: dict[int, OptionTerms] = {}
        #: The simulation's clock, for an option's time to expiry.
        self.now: Callable[[], datetime] = utc_now
        now = utc_now()
        for security in self.securities.values():
            if security.type == MUTUAL_FUND:
                self.quotes[security.id] = _net_asset_value(security, now)
                continue
            previous_close = round_price(security.reference_price)
            opening = round_price(previous_close * (1 + self._rng.uniform(-0.01, 0.01)))
            half = half_spread(opening)
            self.quotes[security.id] = Quote(
                security_id=security.id,
                symbol=security.symbol,
                last=opening,
                bid=round_price(opening - half),
                ask=round_price(opening + half),
                open=opening,
                high=opening,
                low=opening,
                previous_close=previous_close,
                volume=float(int(security.daily_volume * self._rng.uniform(0.05, 0.15))),
                bid_size=float(self._rng.randint(1, 20) * 100),
                ask_size=float(self._rng.randint(1, 20) * 100),
                timestamp=now,
            )

    def quote(self, security_id: int) -> Quote:
        terms = self.options.get(security_id)
        return self.quotes[security_id] if terms is None else self._option_quote(security_id, terms)

    def _option_quote(self, security_id: int, terms: OptionTerms) -> Quote:
        """An option's quote from its underlying's, as of now (see ``sandbox.options``)."""
        spot, now = self.quotes[terms.underlying_id], self.now()
        bid, ask, last = quote_prices(fair_value(terms, spot.last, now))
        close = quote_prices(fair_value(terms, spot.previous_close, now))[2]
        return Quote(
            security_id=security_id,
            symbol=terms.symbol,
            last=last,
            bid=bid,
            ask=ask,
            open=close,
            high=max(close, last),
            low=min(close, last),
            previous_close=close,
            volume=0.0,
            bid_size=1000.0,
            ask_size=1000.0,
            timestamp=spot.timestamp,
        )

    def dependents(self, security_ids: list[int]) -> list[int]:
        """The option contracts whose underlying is among ``security_ids``."""
        moved = set(security_ids)
        return [option_id for option_id, terms in self.options.items() if terms.underlying_id in moved]

    def tick(self) -> list[int]:
        """Move every security one random-walk step; returns the ids that moved."""
        now = utc_now()
        moved: list[int] = []
        for security_id, quote in self.quotes.items():
            security = self.securities[security_id]
            if security.type == MUTUAL_FUND:
                continue  # a fund's price is its net asset value, struck once a day
            step = self._rng.gauss(0.0, _TICK_VOLATILITY)
            last = round_price(quote.last * math.exp(step))
            traded = security.daily_volume / _TICKS_PER_DAY * self._rng.uniform(0.5, 1.5)
            quote.volume = float(int(quote.volume + traded))
            quote.bid_size = float(self._rng.randint(1, 20) * 100)
            quote.ask_size = float(self._rng.randint(1, 20) * 100)
            if last != quote.last:
                self._apply(quote, last, None, None, now)
                moved.append(security_id)
            else:
                quote.timestamp = now
        return moved

    def set_price(
        self, security_id: int, last: float, bid: float | None = None, ask: float | None = None
    ) -> Quote:
        """Set exact values (admin); bid/ask default to last -/+ half the usual spread."""
        quote = self.quotes[security_id]
        self._apply(quote, last, bid, ask, utc_now())
        return quote

    @staticmethod
    def _apply(quote: Quote, last: float, bid: float | None, ask: float | None, now: datetime) -> None:
        half = half_spread(last)
        quote.last = round(last, 4)
        quote.bid = round(bid, 4) if bid is not None else max(round(last - half, 4), 0.0001)
        quote.ask = round(ask, 4) if ask is not None else round(last + half, 4)
        quote.high = max(quote.high, quote.last)
        quote.low = min(quote.low, quote.last)
        quote.timestamp = now
