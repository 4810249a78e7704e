"""An account's value day by day, from its fills and the securities' daily closes.

The value on a day is the cash plus every holding times that day's close, the account's cash
and holdings being what they were at the end of that day: today's state with every later fill
(``Account.ledger``) undone. The closes are the same deterministic daily candles that
``PUT /history/symbols`` and ``PUT /history/compare`` give (``sandbox.history``), the newest at
the live price, so the last value is the account's equity now (``GET /accounts/{id}/info``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from sandbox.state import Account

DAY = 86_400
#: The most daily values one answer holds (a bit over four years).
MAX_DAYS = 1500

#: security id -> (day slot -> close), for as many days back as asked
Closes = Callable[[int, int, int], Mapping[int, float]]


def day_slot(moment: int) -> int:
    """The UTC midnight a moment (epoch seconds) falls on: a daily candle's time."""
    return moment - moment % DAY


def slots(start: int, end: int) -> list[int]:
    """The day slots from ``start``'s day to ``end``'s, oldest first (at most MAX_DAYS)."""
    first, last = day_slot(start), day_slot(end)
    count = min((last - first) // DAY + 1, MAX_DAYS)
    return [last - (count - 1 - index) * DAY for index in range(count)]


def account_values(account: Account, start: int, end: int, closes: Closes) -> list[tuple[int, float]]:
    """(day slot, value) from ``start``'s day to ``end``'s; ``closes(security_id, count, end)``
    gives a security's daily closes by slot."""
    days = slots(start, end)
    if not days:
        return []
    cash = account.cash
    held = {sid: p.quantity for sid, p in account.positions.items()}
    later = sorted(account.ledger, key=lambda entry: entry.at, reverse=True)
    wanted = set(held) | {e.security_id for e in later if e.security_id is not None}
    series = {sid: closes(sid, len(days), end) for sid in wanted}
    values: list[tuple[int, float]] = []
    undone = 0
    for day in reversed(days):
        end_of_day = day + DAY  # what was done after it is undone
        while undone < len(later) and later[undone].at.timestamp() >= end_of_day:
            entry = later[undone]
            cash -= entry.cash
            if entry.security_id is not None:
                held[entry.security_id] = held.get(entry.security_id, 0.0) - entry.quantity
            undone += 1
        worth = sum(quantity * series[sid].get(day, 0.0) for sid, quantity in held.items() if quantity)
        values.append((day, round(cash + worth, 2)))
    values.reverse()
    return values


def as_datetime(moment: int) -> datetime:
    return datetime.fromtimestamp(moment, UTC)
