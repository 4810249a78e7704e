"""`/order`: preview and confirm, the order ticket modal, `/order list`, `/order cancel` and
`/order edit` (with the Edit button of an open order and its modal).

Every listener acks at once (the view acks only validate the form, with no I/O) and the work
runs lazily. The exactly-once rules live in ``bot.core.orders``; this module turns clicks and
forms into calls and outcomes into messages.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.commands import (
    OptionOrderRequest,
    OrderCancelCommand,
    OrderEditCommand,
    OrderListCommand,
    OrderRequest,
    OrderShowCommand,
    OrderTicketCommand,
)
from bot.core.errors import AgreementsOutstandingError, TeamRefusal
from bot.core.orders import ConfirmKind, ConfirmResult, EditPreviewResult, OrderPolicy, PreviewResult
from bot.core.views import TradingEnvironment
from bot.vocabulary.ids import autoshares_id
from handlers.blocks import approval as approval_blocks
from handlers.blocks import order as order_blocks
from handlers.blocks.common import badged
from handlers.errors import StaleButton
from handlers.kit import (
    Button,
    ButtonContext,
    CommandContext,
    Form,
    Listener,
    Subcommand,
    Surface,
    ViewContext,
    failure_message,
    log_failure,
    register_table,
    view_metadata,
)
from handlers.notify import answer_in_place, pending_message
from handlers.parsing import ParseError, edit_from_fields, order_from_fields


def preview_message(
    result: PreviewResult, policy: OrderPolicy, environment: TradingEnvironment
) -> dict[str, Any]:
    """The confirmation (or AutoShares' refusal) for a preview, badged paper or live."""
    return badged(_preview(result, policy), environment)


def _preview(result: PreviewResult, policy: OrderPolicy) -> dict[str, Any]:
    if not result.ok or result.pending is None:
        return order_blocks.order_preview_failed(result.ticket, result.account_id, result.preview)
    return order_blocks.order_confirmation(
        pending_id=result.pending.id,
        order=result.ticket,
        account_id=result.account_id,
        account=result.account,
        preview=result.preview,
        buying_power_after=result.buying_power_after,
        large=result.large,
        large_threshold=policy.large_order_notional,
        notional=result.notional,
        confirm_seconds=policy.confirm_seconds,
        approval=result.approval,
        approvals_channel=result.approvals_channel,
        limits=result.limits,
    )


def edit_preview_message(
    result: EditPreviewResult, policy: OrderPolicy, environment: TradingEnvironment
) -> dict[str, Any]:
    """The confirmation of a change to a working order (or AutoShares' refusal), badged."""
    if not result.ok or result.pending is None:
        return badged(order_blocks.edit_preview_failed(result.ticket, result.account_id, result.preview), environment)
    return badged(
        order_blocks.edit_confirmation(
            pending_id=result.pending.id,
            ticket=result.ticket,
            account_id=result.account_id,
            account=result.account,
            preview=result.preview,
            large=result.large,
            large_threshold=policy.large_order_notional,
            notional=result.notional,
            confirm_seconds=policy.confirm_seconds,
            approval=result.approval,
            approvals_channel=result.approvals_channel,
        ),
        environment,
    )


def confirm_message(
    result: ConfirmResult, policy: OrderPolicy, environment: TradingEnvironment
) -> dict[str, Any]:
    """What replaces the confirmation once a click has been handled, badged paper or live as
    the confirmation was."""
    return badged(_outcome(result, policy), environment)


def _outcome(result: ConfirmResult, policy: OrderPolicy) -> dict[str, Any]:
    if result.agreements is not None:
        return failure_message(AgreementsOutstandingError(result.agreements))
    if result.pending is None:
        return order_blocks.order_gone()
    if result.kind is ConfirmKind.IN_FLIGHT:
        return order_blocks.order_in_flight(result.pending.ticket)
    return pending_message(result.pending, confirm_seconds=policy.confirm_seconds)


def ticket_problems(view: dict[str, Any]) -> dict[str, str] | None:
    """The order ticket's fields checked with the `/order` grammar; errors go on their fields."""
    fields = order_blocks.ticket_values((view.get("state") or {}).get("values") or {})
    try:
        order_from_fields(fields)
    except ParseError as exc:
        return {exc.field or "symbol": exc.message}
    return None


def typed_symbol(view: dict[str, Any]) -> str:
    """The symbol typed in the large-order modal ("" when none)."""
    values = (view.get("state") or {}).get("values") or {}
    return str(
        ((values.get(order_blocks.LARGE_SYMBOL_BLOCK) or {}).get(order_blocks.LARGE_SYMBOL_ACTION) or {}).get(
            "value"
        )
        or ""
    )


def symbol_matches(meta: dict[str, Any], typed: str) -> bool:
    """The large-order check: the typed symbol is the order's (case and spaces ignored)."""
    expected = str(meta.get("symbol") or "")
    return bool(expected) and typed.strip().upper() == expected.upper()


def large_problems(view: dict[str, Any]) -> dict[str, str] | None:
    """The large-order modal's check: the symbol typed exactly, else an error on its field."""
    meta = view_metadata(view)
    if symbol_matches(meta, typed_symbol(view)):
        return None
    expected = str(meta.get("symbol") or "")
    return {order_blocks.LARGE_SYMBOL_BLOCK: f"Type {expected} exactly to place this order, or press Back."}


async def order_command(surface: Surface, ctx: CommandContext, args: Any) -> None:
    """`/order …`: the order ticket, open orders, a cancel, or a preview to confirm."""
    orders = surface.core.orders
    if isinstance(args, OrderTicketCommand):
        await ctx.client.views_open(
            trigger_id=ctx.trigger_id, view=order_blocks.order_ticket_view(channel_id=ctx.channel_id)
        )
        return
    if isinstance(args, OrderListCommand):
        account, open_orders = await orders.open_orders(ctx.team_id, ctx.user_id, args.account_id)
        await ctx.reply(order_blocks.open_orders_message(account, open_orders))
        return
    if isinstance(args, OrderShowCommand):
        shown = await orders.details(ctx.team_id, ctx.user_id, args.order_id, args.account_id)
        await ctx.reply(
            order_blocks.order_details_message(shown.account_id, shown.order, shown.executions, shown.fees)
        )
        return
    if isinstance(args, OrderCancelCommand):
        result = await orders.cancel_order(ctx.team_id, ctx.user_id, args.order_id, args.account_id)
        await ctx.reply(order_blocks.order_cancel_requested(args.order_id, result))
        return
    if isinstance(args, OrderEditCommand):
        edit = await orders.preview_edit(
            ctx.team_id,
            ctx.user_id,
            args,
            channel_id=ctx.channel_id,
            response_url=ctx.body.get("response_url"),
        )
        await ctx.reply(edit_preview_message(edit, orders.policy, surface.environment))
        return
    assert isinstance(args, OrderRequest | OptionOrderRequest)
    preview = await orders.preview(
        ctx.team_id,
        ctx.user_id,
        args,
        channel_id=ctx.channel_id,
        response_url=ctx.body.get("response_url"),
    )
    await ctx.reply(preview_message(preview, orders.policy, surface.environment))


# -- Confirm / Cancel on the confirmation --------------------------------------------------------
async def confirm(surface: Surface, ctx: ButtonContext) -> None:
    """Confirm: place the order exactly once (or ask for the symbol, or send it for approval)."""
    orders, environment = surface.core.orders, surface.environment
    try:
        result = await orders.confirm(ctx.value, ctx.team_id, ctx.user_id, response_url=ctx.response_url)
    except TeamRefusal as exc:
        # The workspace's rules changed since the preview (a pause, a limit, a role): the
        # confirmation is replaced by why, so no stale Confirm stays on screen.
        await ctx.replace(failure_message(exc))
        return
    if result.kind is ConfirmKind.NOT_YOURS:
        await ctx.reply(order_blocks.order_not_yours())
        return
    if result.kind is ConfirmKind.NEEDS_SYMBOL:
        assert result.pending is not None
        view = badged(
            order_blocks.large_order_view(
                pending_id=result.pending.id,
                order=result.pending.ticket,
                notional=result.pending.notional,
                response_url=ctx.response_url,
                channel_id=ctx.channel_id or None,
            ),
            environment,
        )
        await ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
        return
    answered = False
    try:
        answered = await ctx.replace(confirm_message(result, orders.policy, environment))
    finally:  # the outbox says it instead if this process could not
        await orders.click_answered(result, answered=answered)


async def cancel_pending(surface: Surface, ctx: ButtonContext) -> None:
    """Cancel on the confirmation: the pending order is dropped, nothing is placed."""
    orders = surface.core.orders
    result = await orders.cancel_pending(ctx.value, ctx.team_id, ctx.user_id)
    if result.kind is ConfirmKind.NOT_YOURS:
        await ctx.reply(order_blocks.order_not_yours())
        return
    await ctx.replace(confirm_message(result, orders.policy, surface.environment))


async def cancel_open(surface: Surface, ctx: ButtonContext) -> None:
    """Cancel under `/order list`: ask AutoShares to cancel that open order."""
    account_text, _, order_text = ctx.value.partition(":")
    account_id, order_id = autoshares_id(account_text), autoshares_id(order_text)
    if account_id is None or order_id is None:
        raise StaleButton("/order list")
    result = await surface.core.orders.cancel_order(ctx.team_id, ctx.user_id, order_id, account_id)
    await ctx.reply(order_blocks.order_cancel_requested(order_id, result))


# -- Edit on an open order, and its modal ----------------------------------------------------------
async def open_edit(surface: Surface, ctx: ButtonContext) -> None:
    """Edit under `/order list`, on a placed order's message or in App Home: the edit modal,
    prefilled with the order's terms as the button has them."""
    account_text, order_text, kind, quantity, limit, stop, *_ = (ctx.value.split(":") + [""] * 6)[:6]
    account_id, order_id = autoshares_id(account_text), autoshares_id(order_text)
    if account_id is None or order_id is None or ctx.trigger_id is None:
        raise StaleButton("/order list")
    view = order_blocks.order_edit_view(
        account_id=account_id,
        order_id=order_id,
        order_type=kind,
        prefill={"quantity": quantity, "limit_price": limit, "stop_price": stop},
        channel_id=ctx.channel_id or None,
    )
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)


def _edit_from_view(view: dict[str, Any]) -> OrderEditCommand:
    meta = view_metadata(view)
    order_id, account_id = autoshares_id(meta.get("order")), autoshares_id(meta.get("account"))
    if order_id is None:
        raise ParseError("This form no longer names an order; run `/order list` and press Edit again.")
    fields = order_blocks.edit_values((view.get("state") or {}).get("values") or {})
    return edit_from_fields(order_id, account_id, fields)


def edit_problems(view: dict[str, Any]) -> dict[str, str] | None:
    """The edit modal's fields checked with the `/order edit` grammar; errors on their fields."""
    try:
        _edit_from_view(view)
    except ParseError as exc:
        return {exc.field or "quantity": exc.message}
    return None


async def preview_edit(surface: Surface, ctx: ViewContext) -> None:
    """The edit modal submitted: the same preview and Confirm as `/order edit`, privately."""
    orders = surface.core.orders
    result = await orders.preview_edit(
        ctx.team_id, ctx.user_id, _edit_from_view(ctx.view), channel_id=ctx.channel_id, response_url=None
    )
    await ctx.answer(edit_preview_message(result, orders.policy, surface.environment))


# -- Approve / Reject on an approval request in the approvers' channel ----------------------------
async def approve(surface: Surface, ctx: ButtonContext) -> None:
    """Approve: place the requester's order exactly once, on the requester's login."""
    result = await surface.core.orders.approve(ctx.value, ctx.team_id, ctx.user_id)
    await answer_decision(surface, ctx, result)


async def reject(surface: Surface, ctx: ButtonContext) -> None:
    """Reject: the request is closed and nothing is placed."""
    result = await surface.core.orders.reject(ctx.value, ctx.team_id, ctx.user_id)
    await answer_decision(surface, ctx, result)


async def answer_decision(surface: Surface, ctx: ButtonContext, result: ConfirmResult) -> None:
    """The request's message shows the outcome (every approver sees it); a refusal (not an
    approver, the requester's own click) is told to the clicker alone by the boundary."""
    if result.pending is None:
        await ctx.reply(order_blocks.order_gone())
        return
    await ctx.replace(badged(approval_blocks.approval_message(result.pending), surface.environment))


# -- the order ticket modal and the large-order second step ---------------------------------------
async def preview_ticket(surface: Surface, ctx: ViewContext) -> None:
    """The order ticket submitted: the same preview as `/order`, posted privately."""
    orders = surface.core.orders
    request = order_from_fields(order_blocks.ticket_values(ctx.values))
    result = await orders.preview(
        ctx.team_id, ctx.user_id, request, channel_id=ctx.channel_id, response_url=None
    )
    await ctx.answer(preview_message(result, orders.policy, surface.environment))


async def place_large(surface: Surface, ctx: ViewContext) -> None:
    """The large order's symbol typed: confirm it, answering in place of the confirmation."""
    orders = surface.core.orders
    response_url = ctx.metadata.get("response_url")
    pending_id = str(ctx.metadata.get("pending") or "")
    result: ConfirmResult | None = None
    try:
        result = await orders.confirm(
            pending_id, ctx.team_id, ctx.user_id, response_url=response_url, symbol_confirmed=True
        )
        if result.kind is ConfirmKind.NOT_YOURS:
            payload, replace = order_blocks.order_not_yours(), False
        else:
            payload, replace = confirm_message(result, orders.policy, surface.environment), True
    except Exception as exc:
        log_failure("placing a large order", exc)
        payload, replace = failure_message(exc), False
    answered = bool(response_url) and await answer_in_place(
        str(response_url), payload, replace=replace, session=surface.slack.session
    )
    if result is not None:
        await orders.click_answered(result, answered=answered)
    if not answered:
        await ctx.answer(payload)


LISTENERS: tuple[Listener, ...] = (
    Subcommand("order", order_command),
    Button(approval_blocks.APPROVAL_APPROVE, approve, durable=True, names_pending=True),
    Button(approval_blocks.APPROVAL_REJECT, reject, durable=True, names_pending=True),
    Button(order_blocks.ORDER_CONFIRM, confirm, working=True, durable=True, names_pending=True),
    Button(order_blocks.ORDER_CANCEL_PENDING, cancel_pending, durable=True, names_pending=True),
    Button(order_blocks.ORDER_CANCEL_OPEN, cancel_open, durable=True),
    Button(order_blocks.ORDER_EDIT_OPEN, open_edit),
    Form(order_blocks.ORDER_TICKET_CALLBACK, ticket_problems, preview_ticket),
    Form(order_blocks.ORDER_LARGE_CALLBACK, large_problems, place_large),
    Form(order_blocks.ORDER_EDIT_CALLBACK, edit_problems, preview_edit),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the order surface's listeners."""
    register_table(app, surface, LISTENERS)
