"""`/fund`: mutual fund orders previewed with AutoShares' fund preview, and their cancel.

The confirmation's Confirm and Cancel are the order surface's own buttons (``handlers.order``:
durable, exactly once on any replica, two-person approval, the large-order step), since a fund
order is a pending order like any other; this surface adds the command and the Cancel of a
placed fund order, which AutoShares cancels at its mutual fund endpoint.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.commands import FundCancelCommand, FundRequest
from bot.core.funds import FundPreviewResult
from bot.core.orders import OrderPolicy
from bot.core.views import TradingEnvironment
from bot.vocabulary.ids import autoshares_id
from handlers.blocks import fund as fund_blocks
from handlers.blocks import order as order_blocks
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


def fund_preview_message(
    result: FundPreviewResult, policy: OrderPolicy, environment: TradingEnvironment
) -> dict[str, Any]:
    """The fund confirmation (or AutoShares' refusal), badged paper or live."""
    if not result.ok or result.pending is None:
        payload = order_blocks.order_preview_failed(result.ticket, result.account_id, result.preview)
    else:
        payload = fund_blocks.fund_confirmation(
            pending_id=result.pending.id,
            ticket=result.ticket,
            account_id=result.account_id,
            account=result.account,
            value=result.value,
            held=result.held,
            large=result.large,
            large_threshold=policy.large_order_notional,
            confirm_seconds=policy.confirm_seconds,
            approval=result.approval,
            approvals_channel=result.approvals_channel,
        )
    return badged(payload, environment)


async def fund_command(surface: Surface, ctx: CommandContext, args: Any) -> None:
    """`/fund …`: a preview to confirm, or a cancel."""
    funds = surface.core.funds
    if isinstance(args, FundCancelCommand):
        order = await funds.cancel(ctx.team_id, ctx.user_id, args.order_id, args.account_id)
        await ctx.reply(fund_blocks.fund_cancel_requested(args.order_id, order))
        return
    assert isinstance(args, FundRequest)
    result = await funds.preview(
        ctx.team_id, ctx.user_id, args, channel_id=ctx.channel_id, response_url=ctx.body.get("response_url")
    )
    await ctx.reply(fund_preview_message(result, funds.orders.policy, surface.environment))


async def cancel_open(surface: Surface, ctx: ButtonContext) -> None:
    """Cancel on a placed fund order's message: AutoShares cancels it if it has not filled."""
    account_text, _, order_text = ctx.value.partition(":")
    account_id, order_id = autoshares_id(account_text), autoshares_id(order_text)
    if account_id is None or order_id is None:
        raise StaleButton("/fund cancel")
    order = await surface.core.funds.cancel(ctx.team_id, ctx.user_id, order_id, account_id)
    await ctx.reply(fund_blocks.fund_cancel_requested(order_id, order))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("fund", fund_command),
    Button(fund_blocks.FUND_CANCEL_OPEN, cancel_open, durable=True),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the fund surface's listeners."""
    register_table(app, surface, LISTENERS)
