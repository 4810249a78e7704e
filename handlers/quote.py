"""`/quote AAPL MSFT [chart 5d]` and `/autoshares quote …`, and the Share button.

Symbols resolve through the security cache (``GET /equities/{symbol}``, TTL), quotes come from
the process's quote-streamer session (never polled), and a chart is drawn from
``PUT /history/symbols`` and uploaded to the channel; when Slack refuses the upload (the bot is
not in the channel, or lacks the files scope) the answer carries a Unicode sparkline instead.
Quotes are market data, not trading, so the agreements gate does not apply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.autoshares.client import UserApi
from bot.core import charts
from bot.core.errors import BotError
from handlers import blocks
from handlers.blocks.numbers import percent
from handlers.interactive import ButtonContext, on_button
from handlers.parsing import QuoteRequest
from handlers.router import CommandContext, CommandRouter

log = logging.getLogger(__name__)

#: Slack errors that mean "the bot may not post here", answered with an invitation hint.
NOT_ALLOWED_HERE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "missing_scope",
        "not_allowed_token_type",
    }
)


async def quote_rows(
    services: Any, api: UserApi, symbols: Sequence[str]
) -> tuple[list[blocks.QuoteRow], dict[str, list[dict[str, Any]]]]:
    """Resolve ``symbols`` and fetch their quotes: (rows in the order asked, unknown symbols
    with their closest matches)."""
    resolution = await services.securities.resolve(api, symbols)
    ids = {symbol: int(equity["Id"]) for symbol, equity in resolution.found.items()}
    quotes = await services.quotes.get(api, ids.values()) if ids else {}
    rows = [
        blocks.QuoteRow(symbol, resolution.found[symbol], quotes.get(ids[symbol]))
        for symbol in symbols
        if symbol in resolution.found
    ]
    return rows, resolution.unknown


async def post_chart(ctx: CommandContext, api: UserApi, row: blocks.QuoteRow, chart_range: str) -> str | None:
    """Upload a chart of ``row`` to the channel. Returns None when posted, else a note (safe
    mrkdwn) for the private answer: a sparkline, or why there is no chart."""
    spec = charts.RANGES[chart_range]
    symbol = blocks.escape(row.symbol)
    try:
        model = await api.history(charts.history_request(row.symbol, chart_range))
    except BotError as exc:
        log.info("chart history failed: %s", exc.code)
        return f":chart_with_upwards_trend: No chart for *{symbol}*: {exc.user_message}"
    candles = charts.within_range(charts.candles_from(model), chart_range)
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
        error = str(exc.response.get("error") or "unknown_error")
        log.info("chart upload refused by Slack: %s", error)
        closes = [c.close for c in candles]
        move = percent((closes[-1] - closes[0]) / closes[0] * 100 if closes[0] else None)
        return (
            f":chart_with_upwards_trend: *{symbol}* over {spec.label} ({move}): `{charts.sparkline(closes)}`\n"
            f"_I could not post the chart image in this conversation ({blocks.escape(error)}). "
            "Invite me with `/invite @AutoShares` to get chart images here._"
        )
    return None


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    async def show_quotes(ctx: CommandContext, request: QuoteRequest) -> None:
        api = await services.user_api(ctx.team_id, ctx.user_id)
        rows, unknown = await quote_rows(services, api, request.symbols)
        chart_note = None
        charted = next((row for row in rows if row.quote is not None), None) or (rows[0] if rows else None)
        if request.chart_range and charted is not None:
            chart_note = await post_chart(ctx, api, charted, request.chart_range)
        await ctx.reply(
            blocks.quote_message(rows, unknown, delayed=services.quotes.delayed, chart_note=chart_note)
        )

    async def share(ctx: ButtonContext) -> None:
        try:
            symbols = blocks.parse_share_value(ctx.value)
        except ValueError:
            raise BotError(
                "bad share button value", user_message="That button is out of date. Run `/quote` again."
            ) from None
        api = await services.user_api(ctx.team_id, ctx.user_id)
        rows, _unknown = await quote_rows(services, api, symbols)
        delayed = services.quotes.delayed
        public = blocks.quote_message(rows, delayed=delayed, shared_by=ctx.user_id)
        try:
            await ctx.client.chat_postMessage(channel=ctx.channel_id, **public)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if error in NOT_ALLOWED_HERE:
                raise BotError(
                    f"share refused by Slack: {error}",
                    user_message=(
                        "I can't post in this conversation. Invite me with `/invite @AutoShares`, "
                        "then press Share again."
                    ),
                ) from None
            raise
        await ctx.replace(
            blocks.quote_message(rows, delayed=delayed, shareable=False, note="Shared to the channel.")
        )

    router.add("quote", show_quotes)
    on_button(app, blocks.QUOTE_SHARE, services, share)
