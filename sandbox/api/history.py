"""PUT /history/symbols: ChartHistoryRequestModel -> ChartHistoryModel (candles only).

Request: {"Security": {"Symbol": "AAPL"}, "SecurityHistorySettings": {"Period": "Day"
(Minute|Hour|Day|Week|Month), "Interval": 1, "CandlesCount": 100 (1-1000), "EndDate": epoch
seconds (default now)}}. Answer: SecurityHistory = [[candle, ...]] (one series, oldest first,
candles are TimeSeriesValueCandleMapModel: Time, DateTime, Open, High, Low, Close, Volume,
IsMarket), IndicatorsHistory = [], SupportResistanceHistory = {SupportPrice, ResistancePrice,
Levels: []}. Missing/invalid fields: 422; unknown symbol: 409 ("Chart data cannot be provided").

PUT /history/compare: ChartCompareRequestModel ({"Securities": [{"Symbol": …}, …],
"SecuritiesHistorySettings": the same settings}) -> one series of candles per security, in the
order asked (TimeSeriesValueCandleMapModel[][]); an unknown symbol: 409 ("Comparison data cannot
be provided").

GET /accounts/{accountId}/history?startDate&endDate&step: AccountValueItem[] ({"Date", "Value"}),
one per day from startDate's day to endDate's (``sandbox.performance``); ``step`` is required
and, as the spec says, obsolete (ignored). Dates are ISO 8601 date-times; a missing or unreadable
one, or a start after the end: 422.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sandbox.api.errors import conflict, invalid_parameter
from sandbox.api.resources import iso
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.api.validation import BodyReader
from sandbox.history import PERIOD_SECONDS, Candle, candles
from sandbox.performance import account_values
from sandbox.securities import Security


@dataclass(frozen=True)
class HistorySettings:
    period: str
    interval: int
    count: int
    end: int


def _settings(reader: BodyReader, part: Any, name: str) -> HistorySettings:
    """SecurityHistoryRequestSettings (its problems are added to ``reader``'s, under ``name``)."""
    if not isinstance(part, dict):
        reader.problems.append((name, "Must be an object."))
        part = {}
    settings = BodyReader(part)
    period = settings.enum("Period", tuple(PERIOD_SECONDS)) or "Day"
    interval = settings.integer("Interval", minimum=1, maximum=1000) or 1
    count = settings.integer("CandlesCount", minimum=1, maximum=1000) or 100
    end = settings.integer("EndDate", minimum=0) or int(time.time())
    reader.problems += [(f"{name}.{n}", p) for n, p in settings.problems]
    return HistorySettings(period, interval, count, end)


def _series(call: ApiCall, security: Security, settings: HistorySettings) -> list[Candle]:
    return candles(
        seed=call.sb.config.seed,
        symbol=security.symbol,
        last=call.sb.market.quote(security.id).last,
        daily_volume=security.daily_volume,
        period=settings.period,
        interval=settings.interval,
        count=settings.count,
        end=settings.end,
    )


def _candle_json(c: Candle) -> dict[str, Any]:
    return {
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


async def get_chart(call: ApiCall) -> Any:
    body = await call.json_object()
    reader = BodyReader(body)
    security_part = body.get("Security")
    if not isinstance(security_part, dict):
        reader.problems.append(("Security", "The field is required."))
        security_part = {}
    security_reader = BodyReader(security_part)
    symbol = security_reader.string("Symbol", required=True)
    settings = _settings(reader, body.get("SecurityHistorySettings") or {}, "SecurityHistorySettings")
    reader.problems += [(f"Security.{n}", p) for n, p in security_reader.problems]
    reader.raise_if_invalid()
    security = call.sb.state.security(symbol or "")
    if security is None:
        raise conflict(f"Chart data cannot be provided for '{symbol}'.")
    series = _series(call, security, settings)
    return {
        "SecurityHistory": [[_candle_json(c) for c in series]],
        "IndicatorsHistory": [],
        "SupportResistanceHistory": {
            "SupportPrice": min(c.low for c in series),
            "ResistancePrice": max(c.high for c in series),
            "Levels": [],
        },
    }


#: The most securities one comparison takes.
MAX_COMPARED = 50


async def compare(call: ApiCall) -> Any:
    body = await call.json_object()
    reader = BodyReader(body)
    listed = body.get("Securities")
    if not isinstance(listed, list) or not listed:
        reader.problems.append(("Securities", "The field is required."))
        listed = []
    elif len(listed) > MAX_COMPARED:
        reader.problems.append(("Securities", f"At most {MAX_COMPARED} securities."))
        listed = []
    symbols: list[str] = []
    for index, item in enumerate(listed):
        item_reader = BodyReader(item if isinstance(item, dict) else {})
        symbol = item_reader.string("Symbol", required=True)
        reader.problems += [(f"Securities[{index}].{n}", p) for n, p in item_reader.problems]
        symbols.append(symbol or "")
    settings = _settings(reader, body.get("SecuritiesHistorySettings") or {}, "SecuritiesHistorySettings")
    reader.raise_if_invalid()
    found = []
    for symbol in symbols:
        security = call.sb.state.security(symbol)
        if security is None:
            raise conflict(f"Comparison data cannot be provided for '{symbol}'.")
        found.append(security)
    return [[_candle_json(c) for c in _series(call, security, settings)] for security in found]


def _moment(call: ApiCall, name: str) -> int:
    raw = call.query_str(name, required=True)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise invalid_parameter(name, f"The value '{raw}' is not a valid date-time.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


async def account_history(call: ApiCall) -> Any:
    account = call.account()
    start, end = _moment(call, "startDate"), _moment(call, "endDate")
    call.query_int("step", required=True)  # obsolete, but required by the spec
    if start > end:
        raise invalid_parameter("startDate", "The start of the period is after its end.")

    def closes(security_id: int, count: int, until: int) -> dict[int, float]:
        security = call.sb.state.security(security_id)
        if security is None:
            return {}
        # what one unit held is worth: an option contract stands for contract_size shares
        settings = HistorySettings("Day", 1, count, until)
        return {c.time: c.close * security.contract_size for c in _series(call, security, settings)}

    return [
        {"Date": iso(datetime.fromtimestamp(day, UTC)), "Value": value}
        for day, value in account_values(account, start, end, closes)
    ]


ENDPOINTS = (
    Endpoint("PUT", "/history/symbols", get_chart, bucket="history"),
    Endpoint("PUT", "/history/compare", compare, bucket="history"),
    Endpoint("GET", "/accounts/{accountId}/history", account_history, bucket="history"),
)
