"""`/autoshares link`, `unlink` and `status`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks import common as blocks
from handlers.blocks.home import HOME_LINK
from handlers.kit import CommandContext, LinkButton, Listener, Subcommand, Surface, register_table


async def link(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares link`: a one-time link to sign in at AutoShares."""
    existing = await surface.core.users.get(ctx.team_id, ctx.user_id)
    url = await surface.core.linking.start(ctx.team_id, ctx.user_id)
    await ctx.reply(blocks.link_prompt(url, relink=bool(existing and existing.needs_relink)))


async def unlink(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares unlink`: forget the user's AutoShares tokens (revoked where possible)."""
    was_linked, revoked = await surface.core.linking.unlink(ctx.team_id, ctx.user_id)
    if not was_linked:
        await ctx.reply(blocks.notice("You were not linked to AutoShares, so there was nothing to unlink."))
        return
    detail = " and signed out at AutoShares" if revoked else ""
    await ctx.reply(
        blocks.notice(
            f":wave: Your AutoShares login is unlinked{detail}; the bot no longer holds your tokens. "
            "Run `/autoshares link` to connect again."
        )
    )


async def status(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares status`: whether the user is linked, and how."""
    found = await surface.core.users.get(ctx.team_id, ctx.user_id)
    await ctx.reply(blocks.status_message(found) if found else blocks.unlinked_message())


LISTENERS: tuple[Listener, ...] = (
    Subcommand("link", link),
    Subcommand("unlink", unlink),
    Subcommand("status", status),
    LinkButton(HOME_LINK),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the linking surface's listeners."""
    register_table(app, surface, LISTENERS)
