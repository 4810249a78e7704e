"""The limits an admin sets, and the one rule per setting that reads them from what was typed.

`/autoshares admin …` and App Home's team forms both read an amount (a member's largest order
value, the workspace's approval threshold) and a count (a member's orders per trading day) with
these functions, so they accept and refuse the same inputs and keep the same value.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: A limit in dollars: above 0, at most this, with at most two decimal places (cents).
MAX_LIMIT_AMOUNT = Decimal(1_000_000_000)
#: Orders per trading day: a whole number from 1 to this.
MAX_DAILY_ORDERS = 10_000
#: Words that clear a limit (as an empty form field does).
NO_LIMIT_WORDS = frozenset({"none", "off", "no", "unlimited"})

#: Dollars: an optional ``$``, digits with or without thousands commas, at most two decimals.
_AMOUNT_RE = re.compile(r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?")
_COUNT_RE = re.compile(r"[0-9]{1,9}")


class LimitProblem(ValueError):
    """Typed input that is no acceptable limit; ``str(problem)`` is a sentence for the user."""


def limit_amount(text: str) -> Decimal:
    """A dollar limit (``5000``, ``$25,000``, ``1234.5``) or :class:`LimitProblem`. No rounding:
    ``1.234`` is refused, never read as 1.23; ``1e3`` is refused, never read as 1000."""
    match = _AMOUNT_RE.fullmatch(text.strip())
    if match is None:
        raise LimitProblem(
            "The amount must be a number of dollars such as 5000 or 2500.50, with at most 2 decimals"
        )
    value = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    if not 0 < value <= MAX_LIMIT_AMOUNT:
        raise LimitProblem(f"The amount must be above 0 and at most {MAX_LIMIT_AMOUNT:,}")
    return value


def daily_order_count(text: str) -> int:
    """Orders per trading day (``5``) or :class:`LimitProblem`."""
    text = text.strip()
    if not _COUNT_RE.fullmatch(text) or not 0 < int(text) <= MAX_DAILY_ORDERS:
        raise LimitProblem(f"The daily limit must be a whole number from 1 to {MAX_DAILY_ORDERS:,}")
    return int(text)
