"""`/autoshares activity [7d|30d|ytd] [trades|dividends|fees|all]`, its Previous/Next buttons,
and Export CSV, which sends the period's report to the clicker's direct messages only."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.core.commands import ActivityRequest
from handlers.blocks import activity as blocks
from handlers.errors import StaleButton
from handlers.kit import Button, ButtonContext, CommandContext, Listener, Subcommand, Surface, register_table
from handlers.notify import slack_error

log = logging.getLogger(__name__)


async def show_activity(surface: Surface, ctx: CommandContext, request: ActivityRequest) -> None:
    """`/autoshares activity …`: the first page of the period's activity."""
    await ctx.reply(
        blocks.activity_message(await surface.core.activity.page(ctx.team_id, ctx.user_id, request, 0))
    )


def _read(value: str) -> tuple[ActivityRequest, int]:
    try:
        return blocks.parse_page_value(value)
    except ValueError:
        raise StaleButton("/autoshares activity") from None


async def turn_page(surface: Surface, ctx: ButtonContext) -> None:
    """Previous/Next under the activity: the page the button names, in place."""
    request, page = _read(ctx.value)
    await ctx.replace(
        blocks.activity_message(await surface.core.activity.page(ctx.team_id, ctx.user_id, request, page))
    )


async def export_csv(surface: Surface, ctx: ButtonContext) -> None:
    """Export CSV: the period's report, uploaded to a DM with the clicker (nobody else sees it)."""
    request, _page = _read(ctx.value)
    export = await surface.core.activity.export(ctx.team_id, ctx.user_id, request)
    try:
        opened = await ctx.client.conversations_open(users=ctx.user_id)
        await ctx.client.files_upload_v2(
            channel=str(opened["channel"]["id"]),
            content=export.csv,
            filename=export.filename,
            title=f"AutoShares activity, account {export.account_id}",
            initial_comment=f"Your AutoShares activity report for account {export.account_id}.",
        )
    except SlackApiError as exc:
        log.info("activity report upload refused by Slack: %s", slack_error(exc))
        await ctx.reply(blocks.export_refused_message(slack_error(exc)))
        return
    await ctx.reply(blocks.export_sent_message(export, request.period))


LISTENERS: tuple[Listener, ...] = (
    Subcommand("activity", show_activity),
    Button(blocks.ACTIVITY_PREVIOUS, turn_page, working=True),
    Button(blocks.ACTIVITY_NEXT, turn_page, working=True),
    Button(blocks.ACTIVITY_EXPORT, export_csv),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the activity surface's listeners."""
    register_table(app, surface, LISTENERS)
