"""`/autoshares account all` (every account at once) and `/autoshares positions top [account]`
(the largest holdings and the allocation by security type, drawn as a chart when the charts
extra is installed, as text bars otherwise)."""

from __future__ import annotations

import asyncio
import logging

from slack_bolt.async_app import AsyncApp

from handlers import charts
from handlers.blocks import holdings as blocks
from handlers.kit import CommandContext, Listener, Subcommand, Surface, register_table

log = logging.getLogger(__name__)

#: The kind of chart kept for an allocation (stored where a quote chart keeps its range).
ALLOCATION_CHART = "alloc"
#: Under the text bars when Slack would not fetch the chart image.
IMAGE_REFUSED = "Slack could not show the chart image here; the bars above show the same figures."


async def show_all(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares account all`: balances summed, holdings with their account, open orders."""
    found = await surface.core.holdings.consolidated(ctx.team_id, ctx.user_id)
    await ctx.reply(blocks.consolidated_message(found))


async def show_top(surface: Surface, ctx: CommandContext, account_id: int | None) -> None:
    """`/autoshares positions top [account]`: the top holdings and the allocation chart."""
    found = await surface.core.holdings.top(ctx.team_id, ctx.user_id, account_id)
    if not found.top or not found.groups:
        await ctx.reply(blocks.top_message(found))
        return
    title = f"Allocation of account {found.account_id} by security type"
    values = [(blocks.security_type_label(g.name), float(g.market_value)) for g in found.groups]
    currency = found.account.currency or "USD"
    try:
        png = await asyncio.to_thread(charts.render_allocation_png, title, values, currency=currency)
    except charts.ChartImagesUnavailable:
        log.info("no allocation chart: matplotlib is not installed (the charts extra); answering with text bars")
        await ctx.reply(blocks.top_message(found, note=charts.NO_IMAGES))
        return
    shown = await surface.core.charts.keep(ctx.team_id, ctx.user_id, str(found.account_id), ALLOCATION_CHART, png)
    if not await ctx.reply(blocks.top_message(found, image_url=shown.url)):
        log.info("the answer with an allocation chart was refused; answering with text bars")
        await ctx.reply(blocks.top_message(found, note=IMAGE_REFUSED))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("account_all", show_all),
    Subcommand("positions_top", show_top),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the holdings surface's listeners."""
    register_table(app, surface, LISTENERS)
