"""`/autoshares agreements` and the Sign / Sign all buttons (the gate itself is
``bot.core.agreements``; a refused trading command shows the same list, see ``handlers.kit``)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks import agreements as blocks
from handlers.kit import Button, ButtonContext, CommandContext, Listener, Subcommand, Surface, register_table


async def show(surface: Surface, ctx: CommandContext, _args: object) -> None:
    """`/autoshares agreements`: the agreements still to sign, with Sign buttons."""
    outstanding = await surface.core.agreements.outstanding(ctx.team_id, ctx.user_id)
    await ctx.reply(blocks.agreements_message(outstanding))


async def sign_one(surface: Surface, ctx: ButtonContext) -> None:
    """Sign: the one agreement the button names."""
    done = await surface.core.agreements.sign(ctx.team_id, ctx.user_id, {ctx.value})
    if not done.signed:
        lead = "That agreement is no longer waiting for your signature."
        await ctx.replace(blocks.agreements_message(done.remaining, lead=lead))
        return
    signed = [blocks.agreement_title(a) for a in done.signed]
    await ctx.replace(blocks.agreements_message(done.remaining, signed=signed))


async def sign_required(surface: Surface, ctx: ButtonContext) -> None:
    """Sign all: every agreement trading needs."""
    done = await surface.core.agreements.sign(ctx.team_id, ctx.user_id, None)
    signed = [blocks.agreement_title(a) for a in done.signed]
    await ctx.replace(blocks.agreements_message(done.remaining, signed=signed))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("agreements", show),
    Button(blocks.AGREEMENT_SIGN, sign_one, working=True),
    Button(blocks.AGREEMENTS_SIGN_ALL, sign_required, working=True),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the agreements surface's listeners."""
    register_table(app, surface, LISTENERS)
