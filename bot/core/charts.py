"""Price history for charts: the ``PUT /history/symbols`` request for a range and the candles
out of its answer, and the form of a kept chart's id. Drawing them is the Slack surface's job
(``handlers.charts``); keeping and serving them, ``bot.core.chart_images``."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.autoshares.resources import Candle as HistoryBar
from bot.autoshares.resources import ChartHistory
from bot.autoshares.resources.market import history_body

#: A kept chart's id is ``secrets.token_urlsafe(CHART_ID_BYTES)``: 192 random bits, 32 URL-safe
#: characters (it appears in the image URL and in the Share button's value).
CHART_ID_BYTES = 24
CHART_ID_RE = re.compile(r"[A-Za-z0-9_-]{32}")

PERIOD_SECONDS = {"Minute": 60, "Hour": 3600, "Day": 86_400, "Week": 604_800, "Month": 2_592_000}
MAX_CANDLES = 1000


@dataclass(frozen=True)
class RangeSpec:
    """How a chart range maps onto SecurityHistoryRequestSettings: a candle size and the
    calendar time the chart covers."""

    label: str
    period: str  # Minute, Hour, Day, Week, Month
    interval: int
    span_seconds: int

    @property
    def step_seconds(self) -> int:
        return PERIOD_SECONDS[self.period] * self.interval

    @property
    def candles(self) -> int:
        """Enough candles to cover the span even where every hour trades (a feed with market
        hours only returns fewer per day, so the series is trimmed to the span afterwards)."""
        return min(math.ceil(self.span_seconds / self.step_seconds) + 1, MAX_CANDLES)


DAY = 86_400
RANGES: dict[str, RangeSpec] = {
    "1d": RangeSpec("1 day", "Minute", 5, DAY),
    "5d": RangeSpec("5 days", "Hour", 1, 5 * DAY),
    "1m": RangeSpec("1 month", "Day", 1, 30 * DAY),
    "6m": RangeSpec("6 months", "Day", 1, 182 * DAY),
    "1y": RangeSpec("1 year", "Day", 1, 365 * DAY),
}


@dataclass(frozen=True)
class Candle:
    time: int
    open: float
    high: float
    low: float
    close: float
    volume: float


def history_request(symbol: str, chart_range: str, *, end: int | None = None) -> dict[str, Any]:
    """The ChartHistoryRequestModel (written by the client) for ``symbol`` over ``chart_range``
    (a key of RANGES)."""
    spec = RANGES[chart_range]
    end = int(time.time()) if end is None else end
    return history_body(
        symbol,
        period=spec.period,
        interval=spec.interval,
        candles=spec.candles,
        start=end - spec.span_seconds,
        end=end,
    )


def within_range(candles: Sequence[Candle], chart_range: str) -> list[Candle]:
    """The candles of the last ``span`` before the newest one (oldest first)."""
    if not candles:
        return []
    start = candles[-1].time - RANGES[chart_range].span_seconds
    return [c for c in candles if c.time > start]


def _moment(bar: HistoryBar) -> int | None:
    """The bar's time in epoch seconds: ``Time``, else ``DateTime`` (ISO 8601)."""
    if bar.time is not None:
        return int(bar.time)
    if bar.date_time:
        try:
            return int(datetime.fromisoformat(bar.date_time.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return None
    return None


def candles_from(model: ChartHistory | None) -> list[Candle]:
    """The first series of a ChartHistoryModel, oldest first; candles without a close or a
    time are skipped."""
    first = model.security_history[0] if model is not None and model.security_history else []
    return candles_of(first)


def candles_of(bars: Sequence[HistoryBar]) -> list[Candle]:
    """One series of bars as candles, oldest first; bars without a close or a time are skipped."""
    found = []
    for bar in bars:
        moment = _moment(bar)
        if bar.close is None or moment is None:
            continue
        close = float(bar.close)
        found.append(
            Candle(
                time=moment,
                open=float(bar.open or close),
                high=float(bar.high or close),
                low=float(bar.low or close),
                close=close,
                volume=float(bar.volume or 0),
            )
        )
    return sorted(found, key=lambda c: c.time)
