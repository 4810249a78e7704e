"""Securities and prices: ``EquityResource``, ``QuoteModel`` and chart history candles."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.numbers import Number, Whole


class Security(Resource):
    """A security (``EquityResource``): ``Id`` and ``Symbol`` are required."""

    id: Whole
    symbol: str
    description: str | None = None
    exchange: str | None = None
    currency: str | None = None


class Quote(Resource):
    """A quote (``QuoteModel``) from the streamer; nothing is required."""

    symbol: str | None = None
    security_id: Whole | None = Field(
        default=None, validation_alias=AliasChoices("SecurityId", "securityId", "Key", "key")
    )
    price: Number | None = None
    last: Number | None = None
    bid: Number | None = None
    ask: Number | None = None
    open: Number | None = None
    high: Number | None = None
    low: Number | None = None
    close: Number | None = None
    previous_close: Number | None = None
    change: Number | None = None
    change_pc: Number | None = None
    volume: Number | None = None
    total_daily_volume: Number | None = None
    is_halted: bool | None = None
    timestamp: str | None = None
    date: str | None = None

    @property
    def value(self) -> Number | None:
        """The price to show: ``Price``, or ``Last`` when Price is absent or 0 (README)."""
        return self.price if self.price else self.last


class Candle(Resource):
    """One bar of ``ChartHistoryModel.SecurityHistory`` (a bar without a close or a time is
    left out by whoever draws it)."""

    close: Number | None = None
    open: Number | None = None
    high: Number | None = None
    low: Number | None = None
    volume: Number | None = None
    #: Epoch seconds, when given as ``Time``; else ``DateTime`` (ISO 8601).
    time: Number | None = None
    date_time: str | None = None


def _bars(series: object) -> object:
    """Series of bars: what is not a bar (a stray string, a null) is left out."""
    if series is None:
        return []
    if not isinstance(series, list):
        return series
    return [[bar for bar in one if isinstance(bar, dict)] if isinstance(one, list) else one for one in series]


class ChartHistory(Resource):
    """``PUT /history/symbols``: one series of bars per security asked for."""

    security_history: Annotated[list[list[Candle]], BeforeValidator(_bars)] = []


def history_settings(*, period: str, interval: int, candles: int, start: int, end: int) -> dict[str, Any]:
    """The ``SecurityHistoryRequestSettings`` of a chart request: which candles (epoch seconds)."""
    return {
        "Period": period,
        "Interval": interval,
        "CandlesCount": candles,
        "StartDate": start,
        "EndDate": end,
        "IncludeNonMarketData": False,
    }


def history_body(symbol: str, *, period: str, interval: int, candles: int, start: int, end: int) -> dict[str, Any]:
    """The ``ChartHistoryRequestModel`` AutoShares takes for one symbol's candles (epoch seconds)."""
    return {
        "Security": {"Symbol": symbol},
        "SecurityHistorySettings": history_settings(
            period=period, interval=interval, candles=candles, start=start, end=end
        ),
    }
