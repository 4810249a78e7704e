"""PUT /history/symbols: ChartHistoryRequestModel -> ChartHistoryModel (candles only).

Request: {"Security": {"Symbol": "AAPL"}, "SecurityHistorySettings": {"Period": "Day"
(Minute|Hour|Day|Week|Month), "Interval": 1, "CandlesCount": 100 (1-1000), "EndDate": epoch
seconds (default now)}}. Answer: SecurityHistory = [[candle, ...]] (one series, oldest first,
candles are TimeSeriesValueCandleMapModel: Time, DateTime, Open, High, Low, Close, Volume,
IsMarket), IndicatorsHistory = [], SupportResistanceHistory = {SupportPrice, ResistancePrice,
Levels: []}. Missing/invalid fields: 422; unknown symbol: 409 ("Chart data cannot be provided").
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sandbox.api.errors import conflict
from sandbox.api.resources import iso
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.api.validation import BodyReader
from sandbox.history import PERIOD_SECONDS, candles


async def get_chart(call: ApiCall) -> Any:
    body = await call.json_object()
    reader = BodyReader(body)
    security_part = body.get("Security")
    settings_part = body.get("SecurityHistorySettings") or {}
    if not isinstance(security_part, dict):
        reader.problems.append(("Security", "The field is required."))
        security_part = {}
    if not isinstance(settings_part, dict):
        reader.problems.append(("SecurityHistorySettings", "Must be an object."))
        settings_part = {}
    security_reader = BodyReader(security_part)
    symbol = security_reader.string("Symbol", required=True)
    settings = BodyReader(settings_part)
    period = settings.enum("Period", tuple(PERIOD_SECONDS)) or "Day"
    interval = settings.integer("Interval", minimum=1, maximum=1000) or 1
    count = settings.integer("CandlesCount", minimum=1, maximum=1000) or 100
    end = settings.integer("EndDate", minimum=0) or int(time.time())
    reader.problems += [(f"Security.{n}", p) for n, p in security_reader.problems]
    reader.problems += [(f"SecurityHistorySettings.{n}", p) for n, p in settings.problems]
    reader.raise_if_invalid()
    security = call.sb.state.security(symbol or "")
    if security is None:
        raise conflict(f"Chart data cannot be provided for '{symbol}'.")
    series = candles(
        seed=call.sb.config.seed,
        symbol=security.symbol,
        last=call.sb.market.quote(security.id).last,
        daily_volume=security.daily_volume,
        period=period,
        interval=interval,
        count=count,
        end=end,
    )
    payload = [
        {
            "Time": c.time,
            "DateTime": iso(datetime.fromtimestamp(c.time, UTC)),
            "Open": c.open,
            "High": c.high,
            "Low": c.low,
            "Close": c.close,
            "Volume": c.volume,
            "IsMarket": True,
            "OpenInterest": 0,
            "ValuationLevels": [],
        }
        for c in series
    ]
    return {
        "SecurityHistory": [payload],
        "IndicatorsHistory": [],
        "SupportResistanceHistory": {
            "SupportPrice": min(c.low for c in series),
            "ResistancePrice": max(c.high for c in series),
            "Levels": [],
        },
    }


ENDPOINTS = (Endpoint("PUT", "/history/symbols", get_chart, bucket="history"),)
