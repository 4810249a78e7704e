"""Returns over a period, worked out without I/O: the periods, the account's value line, the
change in money and percent, a benchmark's return, and each holding's price move ranked.

The holdings' moves are their prices' moves over the period (first to last daily close), not
the holder's gain: a holding bought during the period moved as much before it was bought.
``bot.core.performance`` fetches what these read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.autoshares.resources import Account, AccountValue, Position
from bot.core.charts import Candle
from bot.core.commands import PerformancePeriod

DAY = 86_400


@dataclass(frozen=True)
class Period:
    """A performance period: its word in the command, how it reads, and its days (None: since
    the first of January)."""

    key: PerformancePeriod
    label: str
    days: int | None

    def start(self, now: datetime) -> datetime:
        if self.days is None:
            return datetime(now.year, 1, 1, tzinfo=UTC)
        return now - timedelta(days=self.days)


PERIODS: dict[PerformancePeriod, Period] = {
    p.key: p
    for p in (
        Period("1w", "1 week", 7),
        Period("1m", "1 month", 30),
        Period("3m", "3 months", 91),
        Period("1y", "1 year", 365),
        Period("ytd", "the year to date", None),
    )
}


@dataclass(frozen=True)
class Line:
    """A series to draw: epoch seconds and values, oldest first."""

    times: tuple[int, ...]
    values: tuple[Decimal, ...]


@dataclass(frozen=True)
class HoldingMove:
    symbol: str
    quantity: Decimal | None
    percent: Decimal


@dataclass(frozen=True)
class Benchmark:
    symbol: str
    percent: Decimal | None
    line: Line


@dataclass(frozen=True)
class PerformanceReport:
    """What `/autoshares performance` shows (``change``/``percent`` None: too few values)."""

    account_id: int
    account: Account
    period: Period
    line: Line
    start_value: Decimal | None
    end_value: Decimal | None
    change: Decimal | None
    percent: Decimal | None
    benchmark: Benchmark | None
    best: HoldingMove | None
    worst: HoldingMove | None
    holdings: int
    compared: int


def percent_change(first: Decimal, last: Decimal) -> Decimal | None:
    """(last − first) / first in percent, to the hundredth; None from zero."""
    if not first:
        return None
    return ((last - first) / first * 100).quantize(Decimal("0.01"))


def value_line(points: Sequence[AccountValue], start: int) -> Line:
    """The account's values from ``start``'s day on, oldest first."""
    first_day = start - start % DAY
    kept = sorted((p for p in points if p.moment >= first_day), key=lambda p: p.moment)
    return Line(tuple(p.moment for p in kept), tuple(p.value for p in kept))


def close_line(candles: Sequence[Candle], start: int) -> Line:
    first_day = start - start % DAY
    kept = [c for c in candles if c.time >= first_day]
    return Line(tuple(c.time for c in kept), tuple(Decimal(str(c.close)) for c in kept))


def moves(positions: Sequence[Position], lines: Sequence[Line]) -> list[HoldingMove]:
    """Each holding's price move over its line, best first (holdings without two closes are left out)."""
    found = []
    for position, line in zip(positions, lines, strict=True):
        if len(line.values) < 2 or not position.symbol:
            continue
        change = percent_change(line.values[0], line.values[-1])
        if change is not None:
            found.append(HoldingMove(position.symbol, position.quantity, change))
    return sorted(found, key=lambda m: m.percent, reverse=True)


def report(
    account_id: int,
    account: Account,
    period: Period,
    line: Line,
    benchmark: Benchmark | None,
    ranked: Sequence[HoldingMove],
    holdings: int,
) -> PerformanceReport:
    """The figures of a report from its lines (pure)."""
    first = line.values[0] if line.values else None
    last = line.values[-1] if line.values else None
    change = last - first if first is not None and last is not None and len(line.values) > 1 else None
    percent = (
        percent_change(first, last) if change is not None and first is not None and last is not None else None
    )
    return PerformanceReport(
        account_id=account_id,
        account=account,
        period=period,
        line=line,
        start_value=first,
        end_value=last,
        change=change,
        percent=percent,
        benchmark=benchmark,
        best=ranked[0] if ranked else None,
        worst=ranked[-1] if len(ranked) > 1 else None,
        holdings=holdings,
        compared=len(ranked),
    )
