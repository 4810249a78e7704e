"""Listed options of the simulated underlyings: expirations, strikes and a simple price.

Every equity and ETF has options: weekly expirations on the next four Fridays, the monthly ones
(the third Friday) of the next twelve months, and January of the next two years. Strikes run
in steps that suit the underlying's reference price (1, 2.5, 5 or 10 dollars), twelve each side
of the reference, so a strike once listed stays listed while the price moves.

A contract is named by its OCC option symbol without padding (``AAPL270115C00200000``) and
becomes a security of its own (type ``Option``, 100 shares a contract) the first time a chain
lists it or an order names it, with an id from ``OPTION_ID_START`` on. Its quote is worked out
from the underlying's last price whenever it is read: Black-Scholes at ``VOLATILITY`` and
``RATE``, never below intrinsic value, with a bid below the ask.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sandbox.securities import Security

CONTRACT_SIZE = 100.0
OPTION_ID_START = 100_000
VOLATILITY = 0.30
RATE = 0.04
STRIKES_EACH_SIDE = 12
WEEKLIES = 4
MONTHLIES = 12
_NEW_YORK = ZoneInfo("America/New_York")
_EXPIRY_TIME = time(16, 0)
_OSI_RE = re.compile(r"([A-Z][A-Z0-9.]{0,5})([0-9]{6})([CP])([0-9]{8})")


@dataclass(frozen=True)
class OptionTerms:
    """What a contract is: underlying, expiration, Call or Put, strike."""

    underlying_id: int
    underlying: str
    expiration: date
    right: str
    strike: float

    @property
    def symbol(self) -> str:
        return occ_symbol(self.underlying, self.expiration, self.right, self.strike)


def occ_symbol(root: str, expiration: date, right: str, strike: float) -> str:
    return f"{root}{expiration:%y%m%d}{right[0]}{round(strike * 1000):08d}"


def parse_occ(symbol: str) -> tuple[str, date, str, float] | None:
    match = _OSI_RE.fullmatch(symbol.replace(" ", "").upper())
    if match is None:
        return None
    root, day, right, strike = match.groups()
    try:
        expiration = date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        return None
    return root, expiration, "Call" if right == "C" else "Put", int(strike) / 1000


def market_date(now: datetime) -> date:
    """The day it is in New York (expirations are New York days)."""
    return now.astimezone(_NEW_YORK).date()


def _third_friday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(4 - first.weekday()) % 7 + 14)


def expirations(today: date) -> list[tuple[date, str]]:
    """Expirations from ``today`` on, each with its ExpirationType (Weekly or Regular)."""
    found: dict[date, str] = {}
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    for week in range(WEEKLIES):
        found[friday + timedelta(weeks=week)] = "Weekly"
    for offset in range(MONTHLIES + 1):
        year, month = divmod(today.month - 1 + offset, 12)
        found[_third_friday(today.year + year, month + 1)] = "Regular"
    for year in (today.year + 1, today.year + 2):
        found[_third_friday(year, 1)] = "Regular"
    return sorted((day, kind) for day, kind in found.items() if day >= today)


def strike_step(price: float) -> float:
    return 1.0 if price < 25 else 2.5 if price < 100 else 5.0 if price < 500 else 10.0


def strikes(reference_price: float) -> list[float]:
    """The listed strikes around a reference price (all above zero)."""
    step = strike_step(reference_price)
    centre = round(reference_price / step) * step
    listed = (centre + step * i for i in range(-STRIKES_EACH_SIDE, STRIKES_EACH_SIDE + 1))
    return [round(value, 2) for value in listed if value > 0]


def _normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def fair_value(terms: OptionTerms, spot: float, now: datetime) -> float:
    """Black-Scholes value per share, never below the intrinsic value."""
    expiry = datetime.combine(terms.expiration, _EXPIRY_TIME, _NEW_YORK).astimezone(UTC)
    years = max((expiry - now).total_seconds() / (365 * 86400), 1 / (365 * 24))
    call = terms.right == "Call"
    intrinsic = max(spot - terms.strike, 0.0) if call else max(terms.strike - spot, 0.0)
    spread = VOLATILITY * math.sqrt(years)
    d1 = (math.log(spot / terms.strike) + (RATE + VOLATILITY**2 / 2) * years) / spread
    d2 = d1 - spread
    discount = terms.strike * math.exp(-RATE * years)
    value = spot * _normal_cdf(d1) - discount * _normal_cdf(d2)
    if not call:
        value = discount * _normal_cdf(-d2) - spot * _normal_cdf(-d1)
    return max(value, intrinsic)


def quote_prices(value: float) -> tuple[float, float, float]:
    """(bid, ask, last) around a fair value: bid below ask, at least a cent."""
    half = max(round(value * 0.02, 2), 0.02)
    bid = max(round(value - half, 2), 0.01)
    ask = max(round(value + half, 2), round(bid + 0.02, 2))
    last = min(max(round(value, 2), bid), ask)
    return bid, ask, last


class OptionBook:
    """The contracts listed so far, as securities of their own."""

    def __init__(
        self,
        securities: dict[int, Security],
        by_symbol: dict[str, Security],
        today: Callable[[], date],
    ) -> None:
        self._securities = securities
        self._by_symbol = by_symbol
        self._today = today
        self._ids = itertools.count(OPTION_ID_START)
        self.terms: dict[int, OptionTerms] = {}

    def expirations(self, underlying: Security) -> list[tuple[date, str]]:
        return expirations(self._today()) if underlying.type != "Option" else []

    def chain(self, underlying: Security, expiration: date) -> list[Security]:
        """Every contract of one expiration, strike by strike, call then put."""
        return [
            self._listed(OptionTerms(underlying.id, underlying.symbol, expiration, right, strike))
            for strike in strikes(underlying.reference_price)
            for right in ("Call", "Put")
        ]

    def contract(self, symbol: str) -> Security | None:
        """The contract an option symbol names, when the book lists it."""
        known = self._by_symbol.get(symbol.replace(" ", "").upper())
        if known is not None:
            return known if known.id in self.terms else None
        parsed = parse_occ(symbol)
        if parsed is None:
            return None
        root, expiration, right, strike = parsed
        underlying = self._by_symbol.get(root)
        if underlying is None or underlying.id in self.terms:
            return None
        if expiration not in dict(self.expirations(underlying)) or strike not in strikes(underlying.reference_price):
            return None
        return self._listed(OptionTerms(underlying.id, underlying.symbol, expiration, right, strike))

    def _listed(self, terms: OptionTerms) -> Security:
        symbol = terms.symbol
        known = self._by_symbol.get(symbol)
        if known is not None:
            return known
        name = f"{terms.underlying} {terms.expiration:%b %d %Y} {terms.strike:g} {terms.right}"
        security = Security(
            next(self._ids), symbol, name, "OPRA", "Option", "Options", 0.0, 0, contract_size=CONTRACT_SIZE
        )
        self._securities[security.id] = security
        self._by_symbol[symbol] = security
        self.terms[security.id] = terms
        return security
