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
    "minor_units",
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
#: ISO 4217 currencies whose minor unit is not two decimals (the yen has none, the dinar three);
#: every other code shows two.
MINOR_UNITS = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
         "XAF", "XOF", "XPF"),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}  # fmt: skip
#: Volume's compact units, smallest first: each is used while the rounded figure stays under 1000.
VOLUME_UNITS = ((1e3, "K"), (1e6, "M"), (1e9, "B"))


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


def minor_units(currency: str | None) -> int:
    """How many decimals an amount in ``currency`` shows (ISO 4217; two when not listed)."""
    return MINOR_UNITS.get((currency or "USD").upper(), 2)


def money(value: Figure, currency: str | None = "USD", *, places: int | None = None) -> str:
    """``$1,234.56``, ``-$12.00``, ``¥1,234``; other currencies as ``1,234.56 CHF``. ``places``
    defaults to the currency's own minor units."""
    amount = number(value)
    if amount is None:
        return MISSING
    if places is None:
        places = minor_units(currency)
    prefix, suffix = _sign(currency)
    minus = "-" if amount < 0 and round(abs(amount), places) != 0 else ""
    return f"{minus}{prefix}{abs(amount):,.{places}f}{suffix}"


def signed_money(value: Figure, currency: str | None = "USD") -> str:
    """A change in money: ``+$1.23`` or ``-$1.23`` (zero has no sign)."""
    amount = number(value)
    if amount is None:
        return MISSING
    text = money(amount, currency)
    return f"+{text}" if round(amount, minor_units(currency)) > 0 else text


def percent(value: Figure, *, signed: bool = True, places: int = 2) -> str:
    """``+1.23%`` (value already in percent, as AutoShares' ChangePc is)."""
    amount = number(value)
    if amount is None:
        return MISSING
    if round(amount, places) == 0:
        amount = 0.0
    return f"{amount:+.{places}f}%" if signed and amount else f"{amount:.{places}f}%"


def price(value: Figure, currency: str | None = "USD") -> str:
    """A quote price: the currency's minor units (two for the dollar), two more for a price
    in fractions of them (``$0.1234``, ``¥1,234.50``)."""
    amount = number(value)
    if amount is None:
        return MISSING
    places = minor_units(currency)
    if round(amount, places) != round(amount, places + 2):
        places += 2
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
    """Traded volume, compact: ``950``, ``12.3K``, ``52.1M``, ``1.2B``. The unit is chosen after
    rounding, so 999,950 is ``1.0M`` (not ``1000.0K``) and 999.6 is ``1.0K``."""
    amount = number(value)
    if amount is None:
        return MISSING
    text, suffix = f"{amount:,.0f}", ""
    for limit, unit in VOLUME_UNITS:
        if abs(float(text.replace(",", ""))) < 1000:
            break
        text, suffix = f"{amount / limit:.1f}", unit
    return f"{text}{suffix}"


def trend(value: Figure) -> str:
    """An emoji for the direction of a change (empty for flat or unknown)."""
    amount = number(value)
    if amount is None or round(amount, 4) == 0:
        return ""
    return ":small_red_triangle:" if amount > 0 else ":small_red_triangle_down:"
