"""The New York market's clock: zone, sessions, NYSE holidays and early closes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.core.market_clock import (
    EARLY_CLOSE,
    MARKET_ZONE,
    REGULAR_CLOSE,
    is_market_holiday,
    is_regular_session,
    is_trading_day,
    regular_close,
    trading_day,
)


def test_a_holiday_closes_the_market_all_day() -> None:
    thanksgiving = date(2026, 11, 26)
    assert is_market_holiday(thanksgiving) and not is_trading_day(thanksgiving)
    assert regular_close(thanksgiving) is None
    assert is_market_holiday(date(2026, 7, 3))  # July 4 falls on a Saturday: observed on Friday
    assert is_market_holiday(date(2026, 4, 3))  # Good Friday: an exchange holiday, not a federal one


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 27),  # the day after Thanksgiving
        date(2026, 12, 24),  # Christmas Eve
        date(2025, 7, 3),  # the day before Independence Day, a Thursday
    ],
)
def test_early_closes_end_the_regular_session_at_one(day: date) -> None:
    assert is_trading_day(day) and regular_close(day) == EARLY_CLOSE == time(13, 0)
    assert is_regular_session(datetime.combine(day, time(12, 59), MARKET_ZONE))
    assert not is_regular_session(datetime.combine(day, time(13, 0), MARKET_ZONE))


def test_an_ordinary_day_and_a_weekend() -> None:
    monday = date(2026, 12, 7)
    assert regular_close(monday) == REGULAR_CLOSE == time(16, 0)
    assert not is_regular_session(datetime.combine(monday, time(9, 29), MARKET_ZONE))
    assert is_regular_session(datetime.combine(monday, time(9, 30), MARKET_ZONE))
    assert is_regular_session(datetime(2026, 12, 7, 20, 59, tzinfo=UTC))  # 15:59 in New York
    assert not is_regular_session(datetime(2026, 12, 7, 21, 0, tzinfo=UTC))
    saturday = date(2026, 12, 5)
    assert not is_trading_day(saturday) and regular_close(saturday) is None


def test_the_trading_day_is_the_date_in_new_york() -> None:
    assert trading_day(datetime(2026, 12, 1, 4, 59, tzinfo=UTC)) == "2026-11-30"
    assert trading_day(datetime(2026, 7, 1, 3, 59, tzinfo=UTC)) == "2026-06-30"  # daylight time: UTC-4
    assert trading_day(datetime(2026, 7, 1, 4, 0, tzinfo=UTC)) == "2026-07-01"
