"""`/autoshares performance [1w|1m|3m|1y|ytd] [vs SYMBOL]` and its Share button.

As a quote's chart is, the performance chart is private: the PNG is kept for
``CHART_URL_SECONDS`` (``bot.core.chart_images``, kept under ``#<account id>`` and the period)
and shown in the private answer at a signed URL; nothing reaches the channel until the asker
clicks Share, which posts the figures again and uploads the kept chart. When Slack cannot show
the image the answer carries a sparkline of the values instead, and Share still uploads it.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.core.commands import PerformanceRequest
from bot.core.errors import ChartExpired, PerformanceChartExpired
from bot.core.returns import PerformanceReport
from handlers import charts
from handlers.blocks import performance as blocks
from handlers.blocks.common import escape
from handlers.blocks.quote import mention
from handlers.errors import StaleButton
from handlers.kit import Button, ButtonContext, CommandContext, Listener, Subcommand, Surface, register_table
from handlers.notify import post_shared, slack_error

log = logging.getLogger(__name__)


def chart_key(report: PerformanceReport) -> str:
    """What a kept performance chart is filed under in place of a symbol: ``#5001``."""
    return f"#{report.account_id}"


def sparkline_note(report: PerformanceReport, why: str) -> str:
    return f":chart_with_upwards_trend: `{charts.sparkline([float(v) for v in report.line.values])}`\n_{why}_"


async def _draw(report: PerformanceReport) -> bytes | None:
    """The chart's PNG, or None when this install draws no images (matplotlib missing)."""
    try:
        return await asyncio.to_thread(
            charts.render_performance_png,
            blocks.chart_title(report),
            report.line,
            report.benchmark.line if report.benchmark else None,
            report.benchmark.symbol if report.benchmark else "",
            currency=report.account.currency or "USD",
        )
    except charts.ChartImagesUnavailable:
        log.info("no performance chart image: matplotlib is not installed; answering with a sparkline")
        return None


async def show_performance(surface: Surface, ctx: CommandContext, request: PerformanceRequest) -> None:
    """The report, privately, with its chart when there are two values or more to draw."""
    report = await surface.core.performance.performance(
        ctx.team_id, ctx.user_id, request.period, request.benchmark, account_id=request.account_id
    )
    png = await _draw(report) if len(report.line.values) > 1 else None
    if png is None:
        note = sparkline_note(report, charts.NO_IMAGES) if len(report.line.values) > 1 else None
        await ctx.reply(blocks.performance_message(report, request, chart_note=note))
        return
    shown = await surface.core.charts.keep(ctx.team_id, ctx.user_id, chart_key(report), request.period, png)
    if await ctx.reply(blocks.performance_message(report, request, chart_id=shown.id, image_url=shown.url)):
        return
    log.info("the private performance answer with a chart image was refused; answering with a sparkline")
    why = "Slack could not show the chart image here; Share to channel still posts it."
    await ctx.reply(
        blocks.performance_message(report, request, chart_id=shown.id, chart_note=sparkline_note(report, why))
    )


async def share(surface: Surface, ctx: ButtonContext) -> None:
    """Share: the figures (and the kept chart) posted to the channel for everyone."""
    try:
        shared = blocks.parse_share_value(ctx.value)
    except ValueError:
        raise StaleButton("/autoshares performance") from None
    request = shared.request
    report = await surface.core.performance.performance(
        ctx.team_id, ctx.user_id, request.period, request.benchmark, account_id=request.account_id
    )
    chart = None
    if shared.chart_id:
        try:
            chart = await surface.core.charts.for_share(
                ctx.team_id, ctx.user_id, shared.chart_id, chart_key(report), request.period
            )
        except ChartExpired:
            raise PerformanceChartExpired(request.period, request.benchmark, request.account_id) from None
    public = blocks.performance_message(report, request, shared_by=ctx.user_id)
    await post_shared(ctx.client, ctx.channel_id, public)
    note = "Shared to the channel."
    if chart is not None:
        title = blocks.chart_title(report)
        try:
            await ctx.client.files_upload_v2(
                channel=ctx.channel_id,
                file=chart.png,
                filename=f"performance-{report.account_id}-{request.period}.png",
                title=title,
                alt_txt=f"Value of {title}",
                initial_comment=f"{escape(title)}, shared by {mention(ctx.user_id)}",
            )
            note = "Shared to the channel, with the chart."
        except SlackApiError as exc:
            log.info("performance chart upload refused by Slack: %s", slack_error(exc))
            note = (
                f"Shared the figures to the channel. I could not post the chart image here ({escape(slack_error(exc))}); "
                "invite me with `/invite @AutoShares` to share chart images."
            )
    await ctx.replace(blocks.performance_message(report, request, shareable=False, note=note))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("performance", show_performance),
    Button(blocks.PERFORMANCE_SHARE, share, working=True, durable=True),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the performance surface's listeners."""
    register_table(app, surface, LISTENERS)
