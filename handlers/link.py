"""`/autoshares link`, `unlink` and `status`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks import common as blocks
from handlers.blocks.home import HOME_LINK
from handlers.kit import CommandContext, Surface, on_link_button


def register(app: AsyncApp, surface: Surface) -> None:
    users, linking = surface.core.users, surface.core.linking

    async def link(ctx: CommandContext, _args: object) -> None:
        existing = await users.get(ctx.team_id, ctx.user_id)
        url = await linking.start(ctx.team_id, ctx.user_id)
        await ctx.reply(blocks.link_prompt(url, relink=bool(existing and existing.needs_relink)))

    async def unlink(ctx: CommandContext, _args: object) -> None:
        was_linked, revoked = await linking.unlink(ctx.team_id, ctx.user_id)
        if not was_linked:
            await ctx.reply(
                blocks.notice("You were not linked to AutoShares, so there was nothing to unlink.")
            )
            return
        detail = " and signed out at AutoShares" if revoked else ""
        await ctx.reply(
            blocks.notice(
                f":wave: Your AutoShares login is unlinked{detail}; the bot no longer holds your tokens. "
                "Run `/autoshares link` to connect again."
            )
        )

    async def status(ctx: CommandContext, _args: object) -> None:
        found = await users.get(ctx.team_id, ctx.user_id)
        await ctx.reply(blocks.status_message(found) if found else blocks.unlinked_message())

    surface.router.add("link", link)
    surface.router.add("unlink", unlink)
    surface.router.add("status", status)
    on_link_button(app, HOME_LINK, surface=surface)
