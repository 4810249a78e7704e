"""`/options AAPL [2027-01-15]`: the chain around the central strike, an expiration picker that
updates the message in place, and a Trade button per contract that opens the order ticket
prefilled with the contract (buy 1 at a limit of the ask). Option orders themselves are
`/order`'s (``handlers.order``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.commands import OptionChainRequest
from bot.vocabulary.symbols import symbol_of
from handlers.blocks import options as option_blocks
from handlers.blocks import order as order_blocks
from handlers.errors import StaleButton
from handlers.kit import Button, ButtonContext, CommandContext, Listener, Subcommand, Surface, register_table
from handlers.parsing.options import looks_like_date


async def options_command(surface: Surface, ctx: CommandContext, args: Any) -> None:
    """`/options AAPL [YYYY-MM-DD]`: the chain, shown only to the asker."""
    assert isinstance(args, OptionChainRequest)
    view = await surface.core.options.chain(ctx.team_id, ctx.user_id, args.symbol, args.expiration)
    await ctx.reply(option_blocks.chain_message(view))


async def pick_expiration(surface: Surface, ctx: ButtonContext) -> None:
    """An expiration picked: the same message shows that expiration's chain."""
    symbol_text, _, day = ctx.value.partition(" ")
    symbol = symbol_of(symbol_text)
    if symbol is None or not looks_like_date(day):
        raise StaleButton("/options")
    view = await surface.core.options.chain(ctx.team_id, ctx.user_id, symbol, date.fromisoformat(day))
    await ctx.replace(option_blocks.chain_message(view))


async def trade(surface: Surface, ctx: ButtonContext) -> None:
    """Trade under a contract: the order ticket, prefilled; nothing is stored or placed."""
    view = order_blocks.order_ticket_view(
        channel_id=ctx.channel_id or None,
        prefill=option_blocks.trade_prefill(ctx.value),
        hint="An option order: quantity in contracts of 100 shares, prices per share. "
        "Nothing is placed until you preview and confirm.",
    )
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)


LISTENERS: tuple[Listener, ...] = (
    Subcommand("options", options_command),
    Button(option_blocks.OPTIONS_EXPIRATION, pick_expiration, working=True),
    Button(option_blocks.OPTIONS_TRADE, trade),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the options surface's listeners."""
    register_table(app, surface, LISTENERS)
