"""`/quote AAPL MSFT [chart 5d]` and `/autoshares quote …`, and the Share button.

The quote is private, and so is its chart: the PNG is kept for ``CHART_URL_SECONDS``
(``bot.core.chart_images``) and shown in the private answer as an image Slack fetches from the
bot at a signed URL. Nothing reaches the channel until the asker clicks Share, which posts the
quotes and uploads the kept chart. When Slack cannot show the image (it could not fetch it,
e.g. ``PUBLIC_URL`` is not reachable from Slack) the answer carries a Unicode sparkline instead,
and Share still uploads the image; when AutoShares has no history there is only a note. An
install without the ``charts`` extra (no matplotlib) answers with the sparkline and says how to
get images.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.autoshares.errors import AutoSharesError
from bot.core.chart_images import ChartImages
from bot.core.charts import RANGES, Candle
from bot.core.commands import QuoteRequest
from bot.core.market import MarketService
from bot.core.users import ActingUser
from bot.core.views import QuoteRow
from handlers import charts, errors
from handlers.blocks import quote as blocks
from handlers.blocks.common import escape
from handlers.blocks.numbers import percent
from handlers.errors import StaleButton
from handlers.kit import Button, ButtonContext, CommandContext, Listener, Subcommand, Surface, register_table
from handlers.notify import post_shared, slack_error
from storage.charts import KeptChart

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DrawnChart:
    """A chart drawn for a private answer: kept for Share, shown as an image, with the
    sparkline that stands in when Slack cannot show the image."""

    chart: blocks.PrivateChart
    sparkline_note: str


def sparkline_note(symbol: str, chart_range: str, candles: Sequence[Candle], why: str) -> str:
    """``*AAPL* over 5 days (+1.20%): `▁▂▅▇█``` and, in italics, ``why`` (safe mrkdwn)."""
    closes = [c.close for c in candles]
    move = percent((closes[-1] - closes[0]) / closes[0] * 100 if closes[0] else None)
    label = RANGES[chart_range].label
    return (
        f":chart_with_upwards_trend: *{escape(symbol)}* over {label} ({move}): "
        f"`{charts.sparkline(closes)}`\n_{why}_"
    )


async def draw_chart(
    ctx: CommandContext,
    market: MarketService,
    kept: ChartImages,
    user: ActingUser,
    row: QuoteRow,
    chart_range: str,
) -> DrawnChart | str:
    """Draw ``row``'s chart and keep it for its asker; or a note (safe mrkdwn) saying why there
    is no chart image: a sparkline when only the images are missing."""
    spec = RANGES[chart_range]
    symbol = escape(row.symbol)
    try:
        candles = await market.history(user, row.symbol, chart_range)
    except AutoSharesError as exc:
        log.info("chart history failed: %s", exc.code)
        return f":chart_with_upwards_trend: No chart for *{symbol}*: {errors.sentence(exc)}"
    if not candles:
        return f":chart_with_upwards_trend: AutoShares has no price history for *{symbol}* over {spec.label}."
    currency = row.equity.currency or "USD"
    try:
        png = await asyncio.to_thread(charts.render_png, row.symbol, candles, chart_range, currency=currency)
    except charts.ChartImagesUnavailable:
        log.info("no chart image: matplotlib is not installed (the charts extra); answering with a sparkline")
        return sparkline_note(row.symbol, chart_range, candles, charts.NO_IMAGES)
    shown = await kept.keep(ctx.team_id, ctx.user_id, row.symbol, chart_range, png)
    return DrawnChart(
        blocks.PrivateChart(shown.id, row.symbol, chart_range, image_url=shown.url),
        sparkline_note(
            row.symbol,
            chart_range,
            candles,
            "Slack could not show the chart image here; Share to channel still posts it.",
        ),
    )


async def upload_chart(
    client: AsyncWebClient, channel_id: str, chart: KeptChart, shared_by: str
) -> str | None:
    """Upload a shared chart to the channel. Returns None when posted, else why not (safe mrkdwn)."""
    label = RANGES[chart.chart_range].label
    try:
        await client.files_upload_v2(
            channel=channel_id,
            file=chart.png,
            filename=f"{chart.symbol}-{chart.chart_range}.png",
            title=f"{chart.symbol} over {label}",
            alt_txt=f"Price chart of {chart.symbol} over {label}",
            initial_comment=f"{escape(chart.symbol)} over {label}, shared by {blocks.mention(shared_by)}",
        )
    except SlackApiError as exc:
        error = slack_error(exc)
        log.info("chart upload refused by Slack: %s", error)
        return (
            f"I could not post the chart image in this conversation ({escape(error)}). "
            "Invite me with `/invite @AutoShares` to share chart images here."
        )
    return None


async def show_quotes(surface: Surface, ctx: CommandContext, request: QuoteRequest) -> None:
    """`/quote SYMBOL… [range]`: the quotes, privately, with a chart when a range is given."""
    market, kept = surface.core.market, surface.core.charts
    found = await market.quotes(ctx.team_id, ctx.user_id, request.symbols)
    charted = next((row for row in found.rows if row.quote is not None), None) or next(iter(found.rows), None)

    async def chart() -> DrawnChart | str | None:
        if request.chart_range and charted is not None:
            return await draw_chart(ctx, market, kept, found.user, charted, request.chart_range)
        return None

    quoted = [row.symbol for row in found.rows if row.quote is not None]
    drawn, headlines = await asyncio.gather(chart(), surface.core.news.latest(found.user, quoted))
    if not isinstance(drawn, DrawnChart):
        await ctx.reply(
            blocks.quote_message(
                found.rows, found.unknown, delayed=found.delayed, chart_note=drawn, headlines=headlines
            )
        )
        return
    if await ctx.reply(
        blocks.quote_message(
            found.rows, found.unknown, delayed=found.delayed, chart=drawn.chart, headlines=headlines
        )
    ):
        return
    # Slack refused the answer: it could not fetch the image (PUBLIC_URL out of its reach).
    log.info("the private answer with a chart image was refused; answering with a sparkline")
    await ctx.reply(
        blocks.quote_message(
            found.rows,
            found.unknown,
            delayed=found.delayed,
            chart=dataclasses.replace(drawn.chart, image_url=None),  # Share still posts it
            chart_note=drawn.sparkline_note,
            headlines=headlines,
        )
    )


async def share(surface: Surface, ctx: ButtonContext) -> None:
    """Share: the quotes (and the chart) posted to the channel for everyone."""
    market, kept = surface.core.market, surface.core.charts
    try:
        request = blocks.parse_share_value(ctx.value)
    except ValueError:
        raise StaleButton("/quote") from None
    chart = None
    if request.chart_id and request.chart_range:
        chart = await kept.for_share(
            ctx.team_id, ctx.user_id, request.chart_id, request.symbols[0], request.chart_range
        )
    found = await market.quotes(ctx.team_id, ctx.user_id, request.symbols)
    public = blocks.quote_message(found.rows, delayed=found.delayed, shared_by=ctx.user_id)
    await post_shared(ctx.client, ctx.channel_id, public)
    note = "Shared to the channel."
    if chart is not None:
        refused = await upload_chart(ctx.client, ctx.channel_id, chart, ctx.user_id)
        note = (
            f"Shared the quotes to the channel. {refused}"
            if refused
            else "Shared to the channel, with the chart."
        )
    await ctx.replace(blocks.quote_message(found.rows, delayed=found.delayed, shareable=False, note=note))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("quote", show_quotes),
    Button(blocks.QUOTE_SHARE, share, working=True, durable=True),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the quote surface's listeners."""
    register_table(app, surface, LISTENERS)
