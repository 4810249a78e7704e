"""`/autoshares link`, `unlink` and `status`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.linking import LinkService
from handlers import blocks
from handlers.router import CommandContext, CommandRouter


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    linking = LinkService(services)

    async def link(ctx: CommandContext, _args: object) -> None:
        existing = await services.links.get(ctx.team_id, ctx.user_id)
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
        link_row = await services.links.get(ctx.team_id, ctx.user_id)
        await ctx.reply(blocks.status_message(link_row) if link_row else blocks.unlinked_message())

    async def open_link(ack: Any) -> None:
        await ack()  # the button opens a URL; Slack still sends the click

    router.add("link", link)
    router.add("unlink", unlink)
    router.add("status", status)
    app.action("link_open")(open_link)
