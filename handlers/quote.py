"""`/quote AAPL MSFT [chart 5d]` and `/autoshares quote …`, and the Share button.

A chart is drawn from the symbol's price history and uploaded to the channel; when Slack
refuses the upload (the bot is not in the channel, or lacks the files scope) the answer carries
a Unicode sparkline instead.
"""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.autoshares.errors import AutoSharesError
from bot.core.charts import RANGES
from bot.core.commands import QuoteRequest
from bot.core.market import MarketService
from bot.core.users import ActingUser
from bot.core.views import QuoteRow
from handlers import charts, errors
from handlers.blocks import quote as blocks
from handlers.blocks.common import escape
from handlers.blocks.numbers import percent
from handlers.errors import CannotPostHere, StaleButton
from handlers.kit import ButtonContext, CommandContext, Surface, on_button
from handlers.notify import CANNOT_POST, slack_error

log = logging.getLogger(__name__)


async def post_chart(
    ctx: CommandContext, market: MarketService, user: ActingUser, row: QuoteRow, chart_range: str
) -> str | None:
    """Upload a chart of ``row`` to the channel. Returns None when posted, else a note (safe
    mrkdwn) for the private answer: a sparkline, or why there is no chart."""
    spec = RANGES[chart_range]
    symbol = escape(row.symbol)
    try:
        candles = await market.history(user, row.symbol, chart_range)
    except AutoSharesError as exc:
        log.info("chart history failed: %s", exc.code)
        return f":chart_with_upwards_trend: No chart for *{symbol}*: {errors.sentence(exc)}"
    if not candles:
        return f":chart_with_upwards_trend: AutoShares has no price history for *{symbol}* over {spec.label}."
    currency = str(row.equity.get("Currency") or "USD")
    png = await asyncio.to_thread(charts.render_png, row.symbol, candles, chart_range, currency=currency)
    try:
        await ctx.client.files_upload_v2(
            channel=ctx.channel_id,
            file=png,
            filename=f"{row.symbol}-{chart_range}.png",
            title=f"{row.symbol} over {spec.label}",
            alt_txt=f"Price chart of {row.symbol} over {spec.label}",
            initial_comment=f"{symbol} over {spec.label}, charted for {blocks.mention(ctx.user_id)}",
        )
    except SlackApiError as exc:
        error = slack_error(exc)
        log.info("chart upload refused by Slack: %s", error)
        closes = [c.close for c in candles]
        move = percent((closes[-1] - closes[0]) / closes[0] * 100 if closes[0] else None)
        return (
            f":chart_with_upwards_trend: *{symbol}* over {spec.label} ({move}): `{charts.sparkline(closes)}`\n"
            f"_I could not post the chart image in this conversation ({escape(error)}). "
            "Invite me with `/invite @AutoShares` to get chart images here._"
        )
    return None


def register(app: AsyncApp, surface: Surface) -> None:
    market = surface.core.market

    async def show_quotes(ctx: CommandContext, request: QuoteRequest) -> None:
        found = await market.quotes(ctx.team_id, ctx.user_id, request.symbols)
        chart_note = None
        charted = next((row for row in found.rows if row.quote is not None), None) or next(
            iter(found.rows), None
        )
        if request.chart_range and charted is not None:
            chart_note = await post_chart(ctx, market, found.user, charted, request.chart_range)
        await ctx.reply(
            blocks.quote_message(found.rows, found.unknown, delayed=found.delayed, chart_note=chart_note)
        )

    async def share(ctx: ButtonContext) -> None:
        try:
            symbols = blocks.parse_share_value(ctx.value)
        except ValueError:
            raise StaleButton("/quote") from None
        found = await market.quotes(ctx.team_id, ctx.user_id, symbols)
        public = blocks.quote_message(found.rows, delayed=found.delayed, shared_by=ctx.user_id)
        try:
            await ctx.client.chat_postMessage(channel=ctx.channel_id, **public)
        except SlackApiError as exc:
            if slack_error(exc) in CANNOT_POST:
                raise CannotPostHere(slack_error(exc)) from None
            raise
        await ctx.replace(
            blocks.quote_message(
                found.rows, delayed=found.delayed, shareable=False, note="Shared to the channel."
            )
        )

    surface.router.add("quote", show_quotes)
    on_button(app, blocks.QUOTE_SHARE, share, surface=surface, working=True)
