"""`/autoshares agreements` and the Sign / Sign all buttons (the gate itself is
``bot.core.agreements``; a refused trading command shows the same list, see ``handlers.kit``)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks import agreements as blocks
from handlers.kit import ButtonContext, CommandContext, Surface, on_button


def register(app: AsyncApp, surface: Surface) -> None:
    agreements = surface.core.agreements

    async def show(ctx: CommandContext, _args: object) -> None:
        await ctx.reply(blocks.agreements_message(await agreements.outstanding(ctx.team_id, ctx.user_id)))

    async def sign_one(ctx: ButtonContext) -> None:
        done = await agreements.sign(ctx.team_id, ctx.user_id, {ctx.value})
        if not done.signed:
            lead = "That agreement is no longer waiting for your signature."
            await ctx.replace(blocks.agreements_message(done.remaining, lead=lead))
            return
        signed = [blocks.agreement_title(a) for a in done.signed]
        await ctx.replace(blocks.agreements_message(done.remaining, signed=signed))

    async def sign_required(ctx: ButtonContext) -> None:
        done = await agreements.sign(ctx.team_id, ctx.user_id, None)
        signed = [blocks.agreement_title(a) for a in done.signed]
        await ctx.replace(blocks.agreements_message(done.remaining, signed=signed))

    surface.router.add("agreements", show)
    on_button(app, blocks.AGREEMENT_SIGN, sign_one, surface=surface, working=True)
    on_button(app, blocks.AGREEMENTS_SIGN_ALL, sign_required, surface=surface, working=True)
