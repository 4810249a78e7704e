"""`/alert`: set, list, edit and delete price alerts, and choose where triggers go; the Delete button;
the Buy/Sell buttons of a triggered alert, which open the order ticket prefilled; and its
Snooze buttons, which only the alert's owner may use."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.autoshares.errors import AutoSharesError
from bot.core.alerts import SNOOZES
from bot.core.commands import (
    AlertDeleteCommand,
    AlertDeliverCommand,
    AlertEditCommand,
    AlertListCommand,
    AlertMoveRequest,
    AlertRequest,
)
from bot.core.errors import BotError
from bot.vocabulary.ids import autoshares_id
from handlers.blocks import alert as alert_blocks
from handlers.blocks import alert_edit as edit_blocks
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
    register_table,
)
from handlers.notify import open_modal
from handlers.parsing import ParseError
from handlers.parsing.alert import parse_alert_edit_form

log = logging.getLogger(__name__)


async def alert_command(surface: Surface, ctx: CommandContext, args: Any) -> None:
    """`/alert …`: list, delete, choose delivery, or set an alert."""
    alerts = surface.core.alerts
    if isinstance(args, AlertListCommand):
        found = await alerts.list_alerts(ctx.team_id, ctx.user_id)
        await ctx.reply(
            alert_blocks.alerts_list_message(found.alerts, slack_user_id=ctx.user_id, to_dm=found.to_dm)
        )
        return
    if isinstance(args, AlertDeleteCommand):
        deleted = await alerts.delete(ctx.team_id, ctx.user_id, args.alert_id)
        await ctx.reply(alert_blocks.alert_deleted_message(deleted[0], deleted[1:]))
        return
    if isinstance(args, AlertEditCommand):
        updated, route = await alerts.edit(ctx.team_id, ctx.user_id, args)
        await ctx.reply(edit_blocks.alert_edited_message(updated, route))
        return
    if isinstance(args, AlertDeliverCommand):
        await alerts.set_delivery(ctx.team_id, ctx.user_id, args.to)
        await ctx.reply(alert_blocks.alert_delivery_message(args.to == "dm"))
        return
    assert isinstance(args, AlertRequest | AlertMoveRequest)
    made = await alerts.create(ctx.team_id, ctx.user_id, ctx.channel_id, args)
    await ctx.reply(
        alert_blocks.alert_created_message(
            made.alerts[0], made.routes[0], group=made.group, also=made.routes[1:], to_dm=made.to_dm
        )
    )


async def delete_button(surface: Surface, ctx: ButtonContext) -> None:
    """Delete under an alert list: the alert goes, the list is shown again."""
    alerts = surface.core.alerts
    alert_id = autoshares_id(ctx.value)
    if alert_id is None:
        raise StaleButton("/alert list")
    await alerts.delete(ctx.team_id, ctx.user_id, alert_id)
    found = await alerts.list_alerts(ctx.team_id, ctx.user_id)
    await ctx.replace(
        alert_blocks.alerts_list_message(found.alerts, slack_user_id=ctx.user_id, to_dm=found.to_dm)
    )


async def open_ticket(surface: Surface, ctx: ButtonContext, side: str) -> None:
    """The order ticket for the alert's symbol and ``side``, opened at once on the click's
    trigger id (it expires three seconds after the click); nothing is stored. Once it is open,
    what the member's account can buy and sell of the symbol is added to its hint."""
    prefill = {"symbol": ctx.value, "side": side}
    hint = "Nothing is placed until you preview and confirm."
    view = order_blocks.order_ticket_view(channel_id=ctx.channel_id or None, prefill=prefill, hint=hint)
    opened = await ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)
    shown = opened.get("view") or {}
    try:
        limits = await surface.core.orders.limits(ctx.team_id, ctx.user_id, ctx.value)
    except (BotError, AutoSharesError) as exc:  # the ticket stands without them
        log.info("no order limits for the ticket: %s", getattr(exc, "code", type(exc).__name__))
        return
    hint = f"{hint} {order_blocks.limits_line(limits, ctx.value)}"
    view = order_blocks.order_ticket_view(channel_id=ctx.channel_id or None, prefill=prefill, hint=hint)
    await ctx.client.views_update(view_id=shown.get("id"), hash=shown.get("hash"), view=view)


async def buy(surface: Surface, ctx: ButtonContext) -> None:
    """Buy under a triggered alert: the order ticket, prefilled to buy."""
    await open_ticket(surface, ctx, "buy")


async def sell(surface: Surface, ctx: ButtonContext) -> None:
    """Sell under a triggered alert: the order ticket, prefilled to sell."""
    await open_ticket(surface, ctx, "sell")


async def snooze(surface: Surface, ctx: ButtonContext, length: str) -> None:
    """Silence the alert's group for ``length`` (a key of ``SNOOZES``); only its owner may."""
    alert_id = autoshares_id(ctx.value)
    if alert_id is None:
        raise StaleButton("/alert list")
    snoozed = await surface.core.alerts.snooze(ctx.team_id, ctx.user_id, alert_id, SNOOZES[length])
    route = snoozed.route
    shown = alert_blocks.alert_triggered_message(
        route,
        route.fired_price,
        group=snoozed.group,
        snoozed_until=snoozed.group.snoozed_until,
    )
    await ctx.replace(badged(shown, surface.environment))


async def snooze_hour(surface: Surface, ctx: ButtonContext) -> None:
    """Snooze for an hour, under a triggered alert."""
    await snooze(surface, ctx, "hour")


async def snooze_day(surface: Surface, ctx: ButtonContext) -> None:
    """Snooze for a day, under a triggered alert."""
    await snooze(surface, ctx, "day")


async def edit_button(surface: Surface, ctx: ButtonContext) -> None:
    """Edit under an alert list: the alert's modal, prefilled as AutoShares has it."""
    alert_id = autoshares_id(ctx.value)
    if alert_id is None:
        raise StaleButton("/alert list")
    alert = await surface.core.alerts.for_edit(ctx.team_id, ctx.user_id, alert_id)
    view = edit_blocks.alert_edit_view(alert, channel_id=ctx.channel_id or None)
    await open_modal(ctx.client, ctx.trigger_id, view)


def edit_problems(view: dict[str, Any]) -> dict[str, str] | None:
    """The Edit modal's fields checked with the `/alert` grammar's rules; errors go on their fields."""
    fields = edit_blocks.edit_values((view.get("state") or {}).get("values") or {})
    try:
        parse_alert_edit_form(fields["operator"], fields["price"], fields["field"])
    except ParseError as exc:
        return {exc.field or "price": exc.message}
    return None


async def save_edit(surface: Surface, ctx: ViewContext) -> None:
    """The Edit modal saved: the alert watches its new level, said privately where it was opened."""
    alert_id = autoshares_id(ctx.metadata.get("alert"))
    if alert_id is None:
        raise StaleButton("/alert list")
    fields = edit_blocks.edit_values(ctx.values)
    operator, price, field = parse_alert_edit_form(fields["operator"], fields["price"], fields["field"])
    command = AlertEditCommand(alert_id, operator, price, field)
    updated, route = await surface.core.alerts.edit(ctx.team_id, ctx.user_id, command)
    await ctx.answer(edit_blocks.alert_edited_message(updated, route))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("alert", alert_command),
    Button(alert_blocks.ALERT_DELETE, delete_button, working=True),
    Button(alert_blocks.ALERT_BUY, buy),
    Button(alert_blocks.ALERT_SELL, sell),
    Button(alert_blocks.ALERT_SNOOZE_HOUR, snooze_hour),
    Button(alert_blocks.ALERT_SNOOZE_DAY, snooze_day),
    Button(edit_blocks.ALERT_EDIT, edit_button),
    Form(edit_blocks.ALERT_EDIT_CALLBACK, edit_problems, save_edit),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the alert surface's listeners."""
    register_table(app, surface, LISTENERS)
