"""`/alert`: set, list and delete price alerts; the Delete button; and the Buy/Sell buttons of a
triggered alert, which open the order ticket prefilled."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core import alerts as alert_rules
from handlers.blocks import alert as alert_blocks
from handlers.blocks import order as order_blocks
from handlers.interactive import ButtonContext, on_button
from handlers.parsing import AlertDeleteCommand, AlertListCommand, AlertRequest
from handlers.router import CommandContext, CommandRouter


def register(app: AsyncApp, router: CommandRouter, services: Any) -> None:
    def service() -> alert_rules.AlertService:
        return alert_rules.alert_service(services)

    async def alert_command(ctx: CommandContext, args: Any) -> None:
        if isinstance(args, AlertListCommand):
            alerts = await service().list_alerts(ctx.team_id, ctx.user_id)
            await ctx.reply(alert_blocks.alerts_list_message(alerts, slack_user_id=ctx.user_id))
            return
        if isinstance(args, AlertDeleteCommand):
            await service().delete(ctx.team_id, ctx.user_id, args.alert_id)
            await ctx.reply(alert_blocks.alert_deleted_message(args.alert_id))
            return
        assert isinstance(args, AlertRequest)
        created, route = await service().create(ctx.team_id, ctx.user_id, ctx.channel_id, args)
        await ctx.reply(alert_blocks.alert_created_message(created, route))

    router.add("alert", alert_command)

    async def delete_button(ctx: ButtonContext) -> None:
        if not ctx.value.isdigit():
            await ctx.reply(alert_blocks.alert_deleted_message(0))
            return
        await service().delete(ctx.team_id, ctx.user_id, int(ctx.value))
        alerts = await service().list_alerts(ctx.team_id, ctx.user_id)
        await ctx.replace(alert_blocks.alerts_list_message(alerts, slack_user_id=ctx.user_id))

    def open_ticket(side: str) -> Any:
        async def handler(ctx: ButtonContext) -> None:
            view = order_blocks.order_ticket_view(
                channel_id=ctx.channel_id or None,
                prefill={"symbol": ctx.value, "side": side},
                hint="Nothing is placed until you preview and confirm.",
            )
            await ctx.client.views_open(trigger_id=ctx.body.get("trigger_id"), view=view)

        return handler

    on_button(app, alert_blocks.ALERT_DELETE, services, delete_button)
    on_button(app, alert_blocks.ALERT_BUY, services, open_ticket("buy"))
    on_button(app, alert_blocks.ALERT_SELL, services, open_ticket("sell"))
