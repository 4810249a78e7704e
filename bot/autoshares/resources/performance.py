"""An account's value over time (``AccountValueItem``) and the comparison of securities'
histories (``PUT /history/compare``: one series of ``TimeSeriesValueCandleMapModel`` each)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, RootModel

from bot.autoshares.resources.base import Resource
from bot.autoshares.resources.market import Candle, _bars, history_settings
from bot.autoshares.resources.numbers import Number


class AccountValue(Resource):
    """One point of ``GET /accounts/{accountId}/history``: both ``Date`` and ``Value`` are
    required (a point without either cannot be drawn)."""

    date: datetime
    value: Number

    @property
    def moment(self) -> int:
        """The point's time in epoch seconds (a date without a zone is UTC)."""
        date = self.date if self.date.tzinfo else self.date.replace(tzinfo=UTC)
        return int(date.timestamp())


class ComparedHistory(RootModel[Annotated[list[list[Candle]], BeforeValidator(_bars)]]):
    """``PUT /history/compare``: the series of each security asked for, in the order asked."""

    model_config = {"frozen": True}

    @property
    def series(self) -> list[list[Candle]]:
        return self.root


def compare_body(
    symbols: list[str], *, period: str, interval: int, candles: int, start: int, end: int
) -> dict[str, Any]:
    """The ``ChartCompareRequestModel`` for ``symbols``' candles (epoch seconds)."""
    return {
        "Securities": [{"Symbol": symbol} for symbol in symbols],
        "SecuritiesHistorySettings": history_settings(
            period=period, interval=interval, candles=candles, start=start, end=end
        ),
    }
