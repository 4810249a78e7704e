"""`/alert`: set, list and delete price alerts, and choose where triggers go; the Delete button;
the Buy/Sell buttons of a triggered alert, which open the order ticket prefilled; and its
Snooze buttons, which only the alert's owner may use."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.alerts import SNOOZES
from bot.core.commands import (
    AlertDeleteCommand,
    AlertDeliverCommand,
    AlertListCommand,
    AlertMoveRequest,
    AlertRequest,
)
from bot.core.vocabulary.ids import autoshares_id
from handlers.blocks import alert as alert_blocks
from handlers.blocks import order as order_blocks
from handlers.blocks.common import badged
from handlers.errors import StaleButton
from handlers.kit import ButtonContext, ButtonHandler, CommandContext, Surface, on_button


def register(app: AsyncApp, surface: Surface) -> None:
    alerts = surface.core.alerts

    async def alert_command(ctx: CommandContext, args: Any) -> None:
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

    surface.router.add("alert", alert_command)

    async def delete_button(ctx: ButtonContext) -> None:
        alert_id = autoshares_id(ctx.value)
        if alert_id is None:
            raise StaleButton("/alert list")
        await alerts.delete(ctx.team_id, ctx.user_id, alert_id)
        found = await alerts.list_alerts(ctx.team_id, ctx.user_id)
        await ctx.replace(
            alert_blocks.alerts_list_message(found.alerts, slack_user_id=ctx.user_id, to_dm=found.to_dm)
        )

    def open_ticket(side: str) -> ButtonHandler:
        async def handler(ctx: ButtonContext) -> None:
            view = order_blocks.order_ticket_view(
                channel_id=ctx.channel_id or None,
                prefill={"symbol": ctx.value, "side": side},
                hint="Nothing is placed until you preview and confirm.",
            )
            await ctx.client.views_open(trigger_id=ctx.trigger_id, view=view)

        return handler

    def snooze(length: str) -> ButtonHandler:
        async def handler(ctx: ButtonContext) -> None:
            alert_id = autoshares_id(ctx.value)
            if alert_id is None:
                raise StaleButton("/alert list")
            snoozed = await alerts.snooze(ctx.team_id, ctx.user_id, alert_id, SNOOZES[length])
            route = snoozed.route
            shown = alert_blocks.alert_triggered_message(
                route,
                route.fired_price,
                group=snoozed.group,
                snoozed_until=snoozed.group.snoozed_until,
            )
            await ctx.replace(badged(shown, surface.environment))

        return handler

    on_button(app, alert_blocks.ALERT_DELETE, delete_button, surface=surface, working=True)
    on_button(app, alert_blocks.ALERT_BUY, open_ticket("buy"), surface=surface)
    on_button(app, alert_blocks.ALERT_SELL, open_ticket("sell"), surface=surface)
    on_button(app, alert_blocks.ALERT_SNOOZE_HOUR, snooze("hour"), surface=surface)
    on_button(app, alert_blocks.ALERT_SNOOZE_DAY, snooze("day"), surface=surface)
