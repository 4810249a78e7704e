"""`/autoshares ipo`: the new issues open to an account, Subscribe (a preview, then the order
pipeline's Confirm) and Unsubscribe."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.blocks import ipo as blocks
from handlers.blocks.common import badged
from handlers.errors import StaleButton
from handlers.kit import (
    Button,
    ButtonContext,
    CommandContext,
    Listener,
    Subcommand,
    Surface,
    register_table,
)


async def show_offerings(surface: Surface, ctx: CommandContext, account_id: int | None) -> None:
    """`/autoshares ipo [account]`: the active offerings, each with Subscribe or Unsubscribe."""
    view = await surface.core.offerings.active(ctx.team_id, ctx.user_id, account_id)
    await ctx.reply(badged(blocks.offerings_message(view), surface.environment))


def _offering_of(ctx: ButtonContext) -> tuple[int, str]:
    try:
        return blocks.parse_offering_value(ctx.value)
    except ValueError:
        raise StaleButton("/autoshares ipo") from None


async def subscribe(surface: Surface, ctx: ButtonContext) -> None:
    """Subscribe: the offering read afresh, stored as a pending subscription, shown to confirm."""
    account_id, reference = _offering_of(ctx)
    preview = await surface.core.offerings.preview(
        ctx.team_id,
        ctx.user_id,
        account_id,
        reference,
        channel_id=ctx.channel_id or None,
        response_url=ctx.response_url,
    )
    confirm_seconds = surface.core.orders.policy.confirm_seconds
    await ctx.reply(
        badged(blocks.subscription_confirmation(preview, confirm_seconds=confirm_seconds), surface.environment)
    )


async def unsubscribe(surface: Surface, ctx: ButtonContext) -> None:
    """Unsubscribe: AutoShares stops following the offering; the list shows it."""
    account_id, reference = _offering_of(ctx)
    offerings = surface.core.offerings
    offering = await offerings.unsubscribe(ctx.team_id, ctx.user_id, account_id, reference)
    view = await offerings.active(ctx.team_id, ctx.user_id, account_id)
    await ctx.replace(badged(blocks.unsubscribed_message(view, offering), surface.environment))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("ipo", show_offerings),
    Button(blocks.IPO_SUBSCRIBE, subscribe, working=True),
    Button(blocks.IPO_UNSUBSCRIBE, unsubscribe, working=True, durable=True),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the new-issues surface's listeners."""
    register_table(app, surface, LISTENERS)
