"""The New York market's clock, defined once: its zone, the regular session, the extended
sessions, NYSE holidays and early closes.

Holidays and early closes (13:00: the day before Independence Day, the day after Thanksgiving,
Christmas Eve, when each is a weekday and not itself a holiday) come from the NYSE calendar of
the ``holidays`` package (its ``public`` and ``half_day`` categories), so they follow the
exchange's published rules year by year without a table here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MARKET_ZONE_NAME = "America/New_York"
#: The exchange's zone: it decides trading days, sessions and named times such as "at close".
MARKET_ZONE = ZoneInfo(MARKET_ZONE_NAME)
#: Pre-market opens, the regular session opens and closes, after-hours ends.
PRE_MARKET_OPEN = time(4, 0)
REGULAR_OPEN = time(9, 30)
REGULAR_CLOSE = time(16, 0)
EARLY_CLOSE = time(13, 0)
AFTER_HOURS_CLOSE = time(20, 0)


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.financial_holidays("NYSE", years=year)


@lru_cache(maxsize=16)
def _early_closes(year: int) -> holidays.HolidayBase:
    return holidays.financial_holidays("NYSE", years=year, categories=("half_day",))


def is_market_holiday(day: date) -> bool:
    """The NYSE is closed all day (a weekday holiday or its observed day)."""
    return day in _calendar(day.year)


def is_trading_day(day: date) -> bool:
    """A weekday the NYSE is open."""
    return day.weekday() < 5 and not is_market_holiday(day)


def regular_close(day: date) -> time | None:
    """When the regular session ends on ``day`` (New York time): 16:00, 13:00 on an early
    close, None when the market does not open."""
    if not is_trading_day(day):
        return None
    return EARLY_CLOSE if day in _early_closes(day.year) else REGULAR_CLOSE


def market_time(now: datetime | None = None) -> datetime:
    """``now`` (default: the current time) on the exchange's clock."""
    return (now or datetime.now(UTC)).astimezone(MARKET_ZONE)


def trading_day(now: datetime | None = None) -> str:
    """The exchange's date as ``YYYY-MM-DD``: daily order limits reset at its midnight."""
    return market_time(now).date().isoformat()


def is_regular_session(now: datetime) -> bool:
    """Whether the regular session is open at ``now``."""
    local = market_time(now)
    close = regular_close(local.date())
    return close is not None and REGULAR_OPEN <= local.time() < close
