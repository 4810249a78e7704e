"""`/order`: preview and confirm, the order ticket modal, `/order list` and `/order cancel`.

Every listener acks at once (the view acks only validate the form, with no I/O) and the work
runs lazily. The exactly-once rules live in ``bot.core.orders``; this module turns clicks and forms
into calls and outcomes into messages.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.core import orders as order_rules
from bot.core.errors import AgreementsOutstandingError, BotError
from handlers import blocks
from handlers.blocks import order as order_blocks
from handlers.interactive import ButtonContext, on_button
from handlers.parsing import (
    OrderCancelCommand,
    OrderListCommand,
    OrderRequest,
    OrderTicketCommand,
    ParseError,
    order_from_fields,
)
from handlers.router import CommandContext, CommandRouter, failure_message

log = logging.getLogger(__name__)

#: Slack errors meaning "the bot cannot post an ephemeral message there": fall back to a DM.
UNREACHABLE = frozenset({"not_in_channel", "channel_not_found", "is_archived", "user_not_in_channel"})


def preview_message(result: order_rules.PreviewResult, settings: Any) -> dict[str, Any]:
    """The confirmation (or AutoShares' refusal) for a preview."""
    if not result.ok or result.pending is None:
        return order_blocks.order_preview_failed(result.body, result.account_id, result.preview)
    return order_blocks.order_confirmation(
        pending_id=result.pending.id,
        order=result.body,
        account_id=result.account_id,
        account=result.account,
        preview=result.preview,
        buying_power_after=result.buying_power_after,
        large=result.large,
        large_threshold=settings.large_order_notional,
        confirm_seconds=settings.order_confirm_seconds,
    )


def confirm_message(result: order_rules.ConfirmResult, settings: Any) -> dict[str, Any]:
    """What replaces the confirmation once a click has been handled."""
    if result.agreements is not None:
        return failure_message(AgreementsOutstandingError(result.agreements))
    if result.pending is None:
        return order_blocks.order_gone()
    if result.kind is order_rules.ConfirmKind.IN_FLIGHT:
        return order_blocks.order_in_flight(result.pending.request)
    return order_blocks.pending_message(result.pending, confirm_seconds=settings.order_confirm_seconds)


async def post_privately(
    client: AsyncWebClient, channel_id: str | None, user_id: str, payload: dict[str, Any]
) -> None:
    """An ephemeral message in the channel, or a DM when the bot cannot post there."""
    if channel_id and not channel_id.startswith("D"):
        try:
            await client.chat_postEphemeral(channel=channel_id, user=user_id, **payload)
            return
        except SlackApiError as exc:
            if exc.response.get("error") not in UNREACHABLE:
                raise
    await client.chat_postMessage(channel=user_id, **payload)


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    settings = services.settings

    def service() -> order_rules.OrderService:
        return order_rules.order_service(services)

    # -- /order ----------------------------------------------------------------------------------
    async def order_command(ctx: CommandContext, args: Any) -> None:
        if isinstance(args, OrderTicketCommand):
            await ctx.client.views_open(
                trigger_id=ctx.trigger_id, view=order_blocks.order_ticket_view(channel_id=ctx.channel_id)
            )
            return
        if isinstance(args, OrderListCommand):
            account, open_orders = await service().open_orders(ctx.team_id, ctx.user_id, args.account_id)
            await ctx.reply(order_blocks.open_orders_message(account, open_orders))
            return
        if isinstance(args, OrderCancelCommand):
            result = await service().cancel_order(ctx.team_id, ctx.user_id, args.order_id, args.account_id)
            await ctx.reply(order_blocks.order_cancel_requested(args.order_id, result))
            return
        assert isinstance(args, OrderRequest)
        preview = await service().preview(
            ctx.team_id,
            ctx.user_id,
            args,
            channel_id=ctx.channel_id,
            response_url=ctx.body.get("response_url"),
        )
        await ctx.reply(preview_message(preview, settings))

    router.add("order", order_command)

    # -- Confirm / Cancel on the confirmation ----------------------------------------------------
    async def confirm(ctx: ButtonContext) -> None:
        response_url = ctx.body.get("response_url")
        result = await service().confirm(ctx.value, ctx.user_id, response_url=response_url)
        if result.kind is order_rules.ConfirmKind.NOT_YOURS:
            await ctx.reply(order_blocks.order_not_yours())
            return
        if result.kind is order_rules.ConfirmKind.NEEDS_SYMBOL:
            assert result.pending is not None
            view = order_blocks.large_order_view(
                pending_id=result.pending.id,
                order=result.pending.request,
                notional=result.pending.notional,
                response_url=response_url,
                channel_id=ctx.channel_id or None,
            )
            await ctx.client.views_open(trigger_id=ctx.body.get("trigger_id"), view=view)
            return
        await ctx.replace(confirm_message(result, settings))

    async def cancel_pending(ctx: ButtonContext) -> None:
        result = await service().cancel_pending(ctx.value, ctx.user_id)
        if result.kind is order_rules.ConfirmKind.NOT_YOURS:
            await ctx.reply(order_blocks.order_not_yours())
            return
        await ctx.replace(confirm_message(result, settings))

    async def cancel_open(ctx: ButtonContext) -> None:
        account_text, _, order_text = ctx.value.partition(":")
        if not (account_text.isdigit() and order_text.isdigit()):
            await ctx.reply(blocks.error_message("That button is out of date. Run `/order list` again."))
            return
        order_id = int(order_text)
        result = await service().cancel_order(ctx.team_id, ctx.user_id, order_id, int(account_text))
        await ctx.reply(order_blocks.order_cancel_requested(order_id, result))

    on_button(app, order_blocks.ORDER_CONFIRM, services, confirm)
    on_button(app, order_blocks.ORDER_CANCEL_PENDING, services, cancel_pending)
    on_button(app, order_blocks.ORDER_CANCEL_OPEN, services, cancel_open)

    # -- the order ticket modal ------------------------------------------------------------------
    async def ack_ticket(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Validate the form in the ack (no I/O): errors go back onto their fields."""
        fields = order_blocks.ticket_values((body.get("view") or {}).get("state", {}).get("values", {}))
        try:
            order_from_fields(fields)
        except ParseError as exc:
            await ack(response_action="errors", errors={exc.field or "symbol": exc.message})
            return
        await ack()

    async def preview_ticket(body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body.get("view") or {}
        user_id = str((body.get("user") or {}).get("id") or "")
        team_id = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
        channel_id = _metadata(view).get("channel")
        try:
            request = order_from_fields(order_blocks.ticket_values(view.get("state", {}).get("values", {})))
        except ParseError:
            return  # the ack already showed the errors on the form (Bolt runs lazies regardless)
        try:
            result = await service().preview(
                team_id, user_id, request, channel_id=channel_id, response_url=None
            )
            payload = preview_message(result, settings)
        except Exception as exc:  # report every failure ourselves: Bolt would only log it
            if not isinstance(exc, BotError):
                log.exception("order ticket preview failed unexpectedly")
            payload = failure_message(exc)
        try:
            await post_privately(client, channel_id, user_id, payload)
        except SlackApiError as exc:
            log.warning("could not show the order ticket preview: %s", exc.response.get("error"))

    app.view(order_blocks.ORDER_TICKET_CALLBACK)(ack=ack_ticket, lazy=[preview_ticket])

    # -- the large-order second step -------------------------------------------------------------
    async def ack_large(ack: AsyncAck, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        meta = _metadata(view)
        expected = str(meta.get("symbol") or "")
        typed = ((view.get("state", {}).get("values", {}).get("symbol_check") or {}).get("symbol") or {}).get(
            "value"
        ) or ""
        if not symbol_matches(meta, typed):
            await ack(
                response_action="errors",
                errors={"symbol_check": f"Type {expected} exactly to place this order, or press Back."},
            )
            return
        await ack()

    async def place_large(body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body.get("view") or {}
        meta = _metadata(view)
        user_id = str((body.get("user") or {}).get("id") or "")
        response_url = meta.get("response_url")
        typed = ((view.get("state", {}).get("values", {}).get("symbol_check") or {}).get("symbol") or {}).get(
            "value"
        ) or ""
        if not symbol_matches(meta, typed):
            return  # the ack refused it on the form
        try:
            result = await service().confirm(
                str(meta.get("pending") or ""), user_id, response_url=response_url, symbol_confirmed=True
            )
            if result.kind is order_rules.ConfirmKind.NOT_YOURS:
                payload, replace = order_blocks.order_not_yours(), False
            else:
                payload, replace = confirm_message(result, settings), True
        except Exception as exc:
            if not isinstance(exc, BotError):
                log.exception("placing a large order failed unexpectedly")
            payload, replace = failure_message(exc), False
        if response_url:
            try:
                sent = await AsyncWebhookClient(response_url).send_dict(
                    {**payload, "replace_original": replace, "response_type": "ephemeral"}
                )
                if sent.status_code < 300:
                    return
            except Exception as exc:
                log.info("could not answer the large order in place: %s", type(exc).__name__)
        await post_privately(client, meta.get("channel"), user_id, payload)

    app.view(order_blocks.ORDER_LARGE_CALLBACK)(ack=ack_large, lazy=[place_large])


def symbol_matches(meta: dict[str, Any], typed: str) -> bool:
    """The large-order check: the typed symbol is the order's (case and spaces ignored)."""
    expected = str(meta.get("symbol") or "")
    return bool(expected) and typed.strip().upper() == expected.upper()


def ticket_prefill(symbol: str, side: str) -> dict[str, str]:
    """Initial ticket values for a Buy/Sell button (e.g. on an alert)."""
    return {"symbol": symbol, "side": side}
