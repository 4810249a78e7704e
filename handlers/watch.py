"""`/watch` and `/autoshares watch`: the user's AutoShares watchlist, shown or changed.

Answers are private. Showing takes the watchlist, its quotes and a day of history per symbol
(``bot.core.watchlists``); adding and removing answer with what changed, not with prices, so
they take no quote or history calls.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.commands import WatchRequest
from handlers.blocks import watch as blocks
from handlers.kit import CommandContext, Listener, Subcommand, Surface, register_table


async def watch_command(surface: Surface, ctx: CommandContext, request: WatchRequest) -> None:
    """`/watch [add|remove symbols]`: show the watchlist, or change it."""
    watchlists = surface.core.watchlists
    if request.action == "add":
        change = await watchlists.add(ctx.team_id, ctx.user_id, request.symbols)
        await ctx.reply(blocks.watch_change_message(change))
    elif request.action == "remove":
        change = await watchlists.remove(ctx.team_id, ctx.user_id, request.symbols)
        await ctx.reply(blocks.watch_change_message(change))
    else:
        await ctx.reply(blocks.watchlist_message(await watchlists.show(ctx.team_id, ctx.user_id)))


LISTENERS: tuple[Listener, ...] = (Subcommand("watch", watch_command),)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the watchlist surface's listeners."""
    register_table(app, surface, LISTENERS)
