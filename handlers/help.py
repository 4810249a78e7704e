"""`/autoshares help`: every command with an example."""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt.async_app import AsyncApp

from handlers.blocks.common import help_message
from handlers.kit import CommandContext, Listener, Subcommand, Surface, register_table
from handlers.parsing import COMMAND_HELP


@functools.cache
def help_for(*, linked: bool) -> dict[str, Any]:
    """The help message, built once for each case: it depends on nothing else, and an answer is
    sent as it is (never changed), so every `/autoshares help` shares it."""
    return help_message(COMMAND_HELP, linked=linked)


async def show_help(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares help`: the commands, with the link step first for someone not linked."""
    linked = await surface.core.users.get(ctx.team_id, ctx.user_id) is not None
    await ctx.reply(help_for(linked=linked))


LISTENERS: tuple[Listener, ...] = (Subcommand("help", show_help),)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the help surface's listeners."""
    register_table(app, surface, LISTENERS)
