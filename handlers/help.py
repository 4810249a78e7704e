"""`/autoshares help`: every command with an example."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks.common import help_message
from handlers.kit import CommandContext, Surface
from handlers.parsing import COMMAND_HELP


def register(app: AsyncApp, surface: Surface) -> None:
    async def show_help(ctx: CommandContext, _args: object) -> None:
        linked = await surface.core.users.get(ctx.team_id, ctx.user_id) is not None
        await ctx.reply(help_message(COMMAND_HELP, linked=linked))

    surface.router.add("help", show_help)
