"""The bounds of what a member may ask for: order quantities and prices, alert percent moves,
expiries and cool-downs. The grammar and the forms refuse anything outside them; the use cases
rely on them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

#: Shares in one order: a whole number from 1.
MAX_QUANTITY = 1_000_000
#: An order's limit or stop price, or an alert's level: above 0, at most this, with at most
#: MAX_PRICE_PLACES decimal places.
MAX_PRICE = Decimal(1_000_000)
MAX_PRICE_PLACES = 4
#: A percent-move alert: above 0, at most MAX_MOVE_PERCENT, with at most MAX_MOVE_PLACES places.
MAX_MOVE_PERCENT = Decimal(50)
MAX_MOVE_PLACES = 2
#: How long an alert may stand before it expires.
MIN_ALERT_EXPIRY = timedelta(minutes=1)
MAX_ALERT_EXPIRY = timedelta(days=365)
#: A repeating alert's cool-down: how long after a trigger it is armed again.
DEFAULT_REPEAT_EVERY = timedelta(hours=1)
MIN_REPEAT_EVERY = timedelta(minutes=1)
MAX_REPEAT_EVERY = timedelta(days=7)


#: A dollar amount to trade in place of a share count (`buy $500 AAPL`): a price's bounds, in
#: whole cents.
CASH_AMOUNT_PLACES = 2
#: A trailing stop's distance in percent: above 0, below 100, with at most this many places.
TRAIL_PERCENT_PLACES = 2


def decimal_places(value: Decimal) -> int:
    """Digits after the point as written (``Decimal("1.50")`` has 2)."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def price_problem(value: Decimal) -> str | None:
    """Why ``value`` is no acceptable price (None when it is one), as the end of a sentence that
    begins with what the price is for: ``"must be above zero"``."""
    if not value.is_finite() or value <= 0:
        return "must be above zero"
    if value > MAX_PRICE:
        return f"can be at most {MAX_PRICE:,}"
    if decimal_places(value) > MAX_PRICE_PLACES:
        return f"can have at most {MAX_PRICE_PLACES} decimal places"
    return None


def quantity_in_bounds(value: int) -> bool:
    return 0 < value <= MAX_QUANTITY


#: A mutual fund order by amount: above 0, at most MAX_FUND_DOLLARS, in whole cents.
MAX_FUND_DOLLARS = Decimal(10_000_000)
MAX_FUND_DOLLAR_PLACES = 2
#: A mutual fund order by shares: above 0, at most MAX_QUANTITY, with at most this many
#: decimal places (funds hold fractional shares).
MAX_FUND_SHARE_PLACES = 3


def fund_amount_problem(value: Decimal, *, dollars: bool) -> str | None:
    """Why ``value`` is no acceptable fund amount (dollars or shares), as the end of a sentence
    that begins with what the amount is; None when it is one."""
    if not value.is_finite() or value <= 0:
        return "must be above zero"
    limit, places = (
        (MAX_FUND_DOLLARS, MAX_FUND_DOLLAR_PLACES)
        if dollars
        else (Decimal(MAX_QUANTITY), MAX_FUND_SHARE_PLACES)
    )
    if value > limit:
        return f"can be at most {'$' if dollars else ''}{limit:,}"
    if decimal_places(value) > places:
        return f"can have at most {places} decimal places"
    return None
