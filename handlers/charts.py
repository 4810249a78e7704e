"""Charts drawn for Slack: a PNG with matplotlib's Agg backend, and a Unicode sparkline for when
no image can be posted (the bot is not in the channel, or lacks the files scope) or drawn
(matplotlib comes with the optional ``charts`` extra).

No pyplot: a ``Figure`` with its own Agg canvas per chart, so nothing global is touched and
charts can be drawn from several tasks (in a worker thread) at once.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.core.charts import RANGES, Candle
from bot.core.returns import Line

SPARK_BARS = "▁▂▃▄▅▆▇█"

#: What the asker reads under the sparkline when this install cannot draw chart images.
NO_IMAGES = (
    "Chart images need the bot's `charts` extra: ask whoever runs it to install `autoshares-slack[charts]`."
)


class ChartImagesUnavailable(RuntimeError):
    """matplotlib (the ``charts`` extra) is not installed: only sparklines can be drawn."""


def sparkline(values: Sequence[float], width: int = 40) -> str:
    """``▁▂▅▇█``: the values resampled to at most ``width`` bars, scaled min to max."""
    points = [float(v) for v in values]
    if not points:
        return ""
    if len(points) > width:
        step = len(points) / width
        points = [points[min(int(i * step), len(points) - 1)] for i in range(width - 1)] + [points[-1]]
    low, high = min(points), max(points)
    if high == low:
        return SPARK_BARS[len(SPARK_BARS) // 2] * len(points)
    top = len(SPARK_BARS) - 1
    return "".join(SPARK_BARS[round((p - low) / (high - low) * top)] for p in points)


def render_png(symbol: str, candles: Sequence[Candle], chart_range: str, *, currency: str = "USD") -> bytes:
    """A line chart of closes with the day's range shaded, as PNG bytes. matplotlib is imported
    here, on the first chart, not with the module: it takes a third of a second, and a process
    that never draws a chart (the CLI, a sparkline) need not pay it; an install without the
    ``charts`` extra has none (ChartImagesUnavailable)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartImagesUnavailable("matplotlib is not installed (the charts extra)") from exc

    if not candles:
        raise ValueError("no candles to draw")
    spec = RANGES.get(chart_range)
    times = [datetime.fromtimestamp(c.time, UTC) for c in candles]
    closes = [c.close for c in candles]
    rising = closes[-1] >= closes[0]
    colour = "#2e7d32" if rising else "#c62828"

    figure = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # matplotlib's stubs do not admit datetimes, which its units registry plots as dates.
    lows, highs = [c.low for c in candles], [c.high for c in candles]
    axes.fill_between(times, lows, highs, color=colour, alpha=0.12, linewidth=0)  # type: ignore[arg-type]
    axes.plot(times, closes, color=colour, linewidth=1.6)  # type: ignore[arg-type]
    _time_axis(axes)
    change = (closes[-1] - closes[0]) / closes[0] * 100 if closes[0] else 0.0
    title = (
        f"{symbol}  {closes[-1]:,.2f} {currency}  ({change:+.2f}% over {spec.label if spec else chart_range})"
    )
    axes.set_title(title, loc="left", fontsize=11)
    axes.margins(x=0.01)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def render_performance_png(
    title: str,
    line: Line,
    benchmark: Line | None = None,
    benchmark_symbol: str = "",
    *,
    currency: str = "USD",
) -> bytes:
    """The account's value as a line and, on the same axes, the benchmark scaled to start at the
    account's first value (so the two lines' slopes compare returns), as PNG bytes."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartImagesUnavailable("matplotlib is not installed (the charts extra)") from exc

    if len(line.values) < 2:
        raise ValueError("too few values to draw")
    values = [float(v) for v in line.values]
    figure = Figure(figsize=(8, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    colour = "#2e7d32" if values[-1] >= values[0] else "#c62828"
    times = [datetime.fromtimestamp(t, UTC) for t in line.times]
    axes.plot(times, values, color=colour, linewidth=1.8, label="Account")  # type: ignore[arg-type]
    if benchmark is not None and len(benchmark.values) > 1 and benchmark.values[0]:
        scale = values[0] / float(benchmark.values[0])
        bench_times = [datetime.fromtimestamp(t, UTC) for t in benchmark.times]
        scaled = [float(v) * scale for v in benchmark.values]
        axes.plot(bench_times, scaled, color="#546e7a", linewidth=1.2, linestyle="--", label=benchmark_symbol)  # type: ignore[arg-type]
        axes.legend(loc="upper left", frameon=False, fontsize=9)
    _time_axis(axes)
    axes.set_ylabel(currency)
    axes.set_title(title, loc="left", fontsize=11)
    axes.margins(x=0.01)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _time_axis(axes: Any) -> None:
    """Dates along the x axis in their shortest readable form, a light grid, no top or right
    frame: the look of every time chart (matplotlib is imported by the caller already)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.grid(True, alpha=0.25)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def render_allocation_png(title: str, shares: Sequence[tuple[str, float]], *, currency: str = "USD") -> bytes:
    """A horizontal bar per name (a security type) sized by its market value, largest on top,
    as PNG bytes; ChartImagesUnavailable without matplotlib (the charts extra)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartImagesUnavailable("matplotlib is not installed (the charts extra)") from exc

    if not shares:
        raise ValueError("nothing to draw")
    names = [name for name, _value in reversed(shares)]
    values = [value for _name, value in reversed(shares)]
    total = sum(values) or 1.0
    figure = Figure(figsize=(8, 0.6 * len(shares) + 1.4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    bars = axes.barh(names, values, color="#1565c0")
    axes.bar_label(bars, labels=[f"{v:,.2f} {currency} ({v / total:.1%})" for v in values], padding=4)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_xlim(0, max(values) * 1.45 if max(values) > 0 else 1)
    axes.set_title(title, loc="left", fontsize=11)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
