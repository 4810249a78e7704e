"""`/autoshares help`: every command with an example."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from handlers import blocks
from handlers.parsing import COMMAND_HELP
from handlers.router import CommandContext, CommandRouter


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    async def show_help(ctx: CommandContext, _args: object) -> None:
        linked = await services.links.get(ctx.team_id, ctx.user_id) is not None
        await ctx.reply(blocks.help_message(COMMAND_HELP, linked=linked))

    router.add("help", show_help)
