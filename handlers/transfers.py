"""`/autoshares transfers`: an account's deposits and withdrawals with their status, read only
(money is never moved from Slack); the member is told by DM when one completes or fails."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks import transfers as blocks
from handlers.blocks.common import badged
from handlers.kit import CommandContext, Listener, Subcommand, Surface, register_table


async def show_transfers(surface: Surface, ctx: CommandContext, account_id: int | None) -> None:
    """`/autoshares transfers [account]`: the newest transfers; the account is followed."""
    view = await surface.core.transfers.recent(ctx.team_id, ctx.user_id, account_id)
    await ctx.reply(badged(blocks.transfers_message(view), surface.environment))


LISTENERS: tuple[Listener, ...] = (Subcommand("transfers", show_transfers),)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the transfers surface's listeners."""
    register_table(app, surface, LISTENERS)
