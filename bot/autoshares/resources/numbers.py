"""The one reader of numbers in AutoShares answers.

AutoShares writes money, prices and quantities as JSON numbers (some deployments as strings);
every one of them becomes a ``Decimal`` here and nowhere else. NaN, infinities, booleans and
text that is not a number are refused, so a broken answer stops at the client instead of
turning into a price in a Slack message.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator


class NotFinite(ValueError):
    """A number, but NaN or infinite: never a figure the bot shows or trades on."""


def to_decimal(value: object) -> Decimal:
    """``value`` as a finite ``Decimal``; ``ValueError`` for anything else (NaN, ±inf, ``True``,
    ``"abc"``, ``None``)."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest text that reads back as this float
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"expected a number, got {value[:20]!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise NotFinite("expected a finite number")
    return number


def to_int(value: object) -> int:
    """A whole number (an id, a count): ints, integral floats and digit strings."""
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"expected a whole number, got {number}")
    return int(number)


#: A finite decimal read by ``to_decimal``: money, prices, quantities, percentages.
Number = Annotated[Decimal, BeforeValidator(to_decimal)]
#: A whole number read by ``to_int``: ids, epoch seconds, counts.
Whole = Annotated[int, BeforeValidator(to_int)]


def none_as_empty(value: object) -> object:
    """A list AutoShares sends as ``null`` is an empty one (the spec's arrays are optional)."""
    return [] if value is None else value
