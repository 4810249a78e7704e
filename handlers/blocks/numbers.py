"""Numbers as a trader reads them: money, signed changes, percentages, share counts, volume.

Values come typed from the client's resources (``Decimal``, already refused there when NaN,
infinite or not a number) or from the bot's own figures; every helper shows an em dash for a
value that is not stated, so a builder never fails on one missing field.
"""

from __future__ import annotations

import math
from decimal import Decimal

__all__ = [
    "MISSING",
    "number",
    "money",
    "signed_money",
    "percent",
    "price",
    "shares",
    "volume",
    "trend",
]

MISSING = "—"
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


#: A figure to show: a resource's Decimal, or a number the bot worked out; None is not stated.
Figure = Decimal | float | int | None


def number(value: Figure) -> float | None:
    """The value as a finite float for formatting, or None when it is not stated."""
    if value is None or isinstance(value, bool):
        return None
    result = float(value)
    return result if math.isfinite(result) else None


def _sign(currency: str | None) -> tuple[str, str]:
    """The sign before an amount, or the code after it. A currency is AutoShares' text: anything
    but a plain code is escaped, so it can never become a link or a mention."""
    code = (currency or "USD").upper()
    if code in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[code], ""
    if not (code.isascii() and code.isalpha() and len(code) <= 4):
        code = code[:16].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "", f" {code}"


def money(value: Figure, currency: str | None = "USD", *, places: int = 2) -> str:
    """``$1,234.56``, ``-$12.00``; other currencies as ``1,234.56 CHF``."""
    amount = number(value)
    if amount is None:
        return MISSING
    prefix, suffix = _sign(currency)
    minus = "-" if amount < 0 and round(abs(amount), places) != 0 else ""
    return f"{minus}{prefix}{abs(amount):,.{places}f}{suffix}"


def signed_money(value: Figure, currency: str | None = "USD") -> str:
    """A change in money: ``+$1.23`` or ``-$1.23`` (zero has no sign)."""
    amount = number(value)
    if amount is None:
        return MISSING
    text = money(amount, currency)
    return f"+{text}" if round(amount, 2) > 0 else text


def percent(value: Figure, *, signed: bool = True, places: int = 2) -> str:
    """``+1.23%`` (value already in percent, as AutoShares' ChangePc is)."""
    amount = number(value)
    if amount is None:
        return MISSING
    if round(amount, places) == 0:
        amount = 0.0
    return f"{amount:+.{places}f}%" if signed and amount else f"{amount:.{places}f}%"


def price(value: Figure, currency: str | None = "USD") -> str:
    """A quote price: two decimals, up to four for sub-dollar or fractional-cent prices."""
    amount = number(value)
    if amount is None:
        return MISSING
    places = 2
    if round(amount, 2) != round(amount, 4):
        places = 4
    return money(amount, currency, places=places)


def shares(value: Figure) -> str:
    """``10``, ``1,500``, ``0.5`` (fractional shares keep up to four decimals)."""
    amount = number(value)
    if amount is None:
        return MISSING
    if amount == int(amount):
        return f"{int(amount):,}"
    return f"{amount:,.4f}".rstrip("0").rstrip(".")


def volume(value: Figure) -> str:
    """Traded volume, compact: ``950``, ``12.3K``, ``52.1M``, ``1.2B``."""
    amount = number(value)
    if amount is None:
        return MISSING
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(amount) >= limit:
            return f"{amount / limit:.1f}{suffix}"
    return f"{amount:,.0f}"


def trend(value: Figure) -> str:
    """An emoji for the direction of a change (empty for flat or unknown)."""
    amount = number(value)
    if amount is None or round(amount, 4) == 0:
        return ""
    return ":small_red_triangle:" if amount > 0 else ":small_red_triangle_down:"
