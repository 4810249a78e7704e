"""`/autoshares admin …` and App Home's Team forms: the same changes through the same rules.

Both call ``bot.core.team.TeamService``, which refuses anyone who is not an admin before it
changes anything, so a crafted button click or modal submission from a member gets the same
answer as the command would. Every change is audited with who made it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.commands import TeamCommand
from bot.core.team import ADMIN, ADMINISTRATION
from handlers.blocks import team as blocks
from handlers.blocks.common import escape
from handlers.blocks.numbers import money
from handlers.home import render
from handlers.kit import ButtonContext, CommandContext, Surface, ViewContext, on_button, on_view


def _limit_words(amount: Any, count: Any) -> str:
    if amount is not None:
        return f"at most {money(amount, places=0)} an order"
    if count is not None:
        return f"at most {count} orders a trading day"
    return "no limit"


def notice_for(command: TeamCommand) -> str | None:
    """What a change did, in one line (None for `show`)."""
    who = f"<@{escape(command.member)}>" if command.member else ""
    action = command.action
    if action == "role":
        return f":white_check_mark: {who} is now {command.role or 'on the default role'}."
    if action == "max_value":
        return f":white_check_mark: {who} may place {_limit_words(command.amount, None)}."
    if action == "max_daily":
        return f":white_check_mark: {who} may place {_limit_words(None, command.count)}."
    if action == "needs_approval":
        state = "now need" if command.flag else "no longer need"
        return f":white_check_mark: {who}'s orders {state} a second person's approval."
    if action == "threshold":
        if command.amount is None:
            return ":white_check_mark: Orders no longer need approval for their value."
        return f":white_check_mark: Orders over {money(command.amount, places=0)} now need approval."
    if action == "approvals_channel":
        return f":white_check_mark: Approval requests now go to <#{escape(command.channel)}>."
    if action in ("order_places", "alert_places"):
        what = "Orders" if action == "order_places" else "Alerts"
        return f":white_check_mark: {what} are now allowed {'in ' if command.places else ''}{blocks.places_words(command.places)}."
    if action == "pause":
        return ":double_vertical_bar: Trading is paused: no order can be confirmed or approved until it is resumed."
    if action == "resume":
        return ":arrow_forward: Trading is resumed."
    return None


def register(app: AsyncApp, surface: Surface) -> None:
    team = surface.core.team

    async def apply(team_id: str, actor: str, command: TeamCommand) -> None:
        action = command.action
        member_changes: dict[str, Any] = {}
        policy_changes: dict[str, Any] = {}
        if action == "role":
            member_changes["role"] = command.role
        elif action == "max_value":
            member_changes["max_order_value"] = command.amount
        elif action == "max_daily":
            member_changes["max_orders_per_day"] = command.count
        elif action == "needs_approval":
            member_changes["needs_approval"] = bool(command.flag)
        elif action == "threshold":
            policy_changes["approval_threshold"] = command.amount
        elif action == "approvals_channel":
            policy_changes["approvals_channel"] = command.channel
        elif action == "order_places":
            policy_changes["order_places"] = command.places
        elif action == "alert_places":
            policy_changes["alert_places"] = command.places
        elif action in ("pause", "resume"):
            policy_changes["trading_paused"] = action == "pause"
        if member_changes:
            assert command.member is not None
            await team.set_member(team_id, actor, command.member, **member_changes)
        if policy_changes:
            await team.set_policy(team_id, actor, **policy_changes)

    async def admin_command(ctx: CommandContext, command: TeamCommand) -> None:
        await team.require(ctx.team_id, ctx.user_id, ADMIN, ADMINISTRATION)
        await apply(ctx.team_id, ctx.user_id, command)
        overview = await team.overview(ctx.team_id, ctx.user_id)
        await ctx.reply(blocks.overview_message(overview, notice_for(command)))

    surface.router.add("admin", admin_command)

    # -- App Home's Team section -----------------------------------------------------------------
    async def edit_member(ctx: ButtonContext) -> None:
        await team.require(ctx.team_id, ctx.user_id, ADMIN, ADMINISTRATION)
        await ctx.client.views_open(trigger_id=ctx.trigger_id, view=blocks.member_view())

    async def edit_policy(ctx: ButtonContext) -> None:
        overview = await team.overview(ctx.team_id, ctx.user_id)
        await ctx.client.views_open(trigger_id=ctx.trigger_id, view=blocks.policy_view(overview.policy))

    def member_problems(view: dict[str, Any]) -> dict[str, str] | None:
        return blocks.member_form_values((view.get("state") or {}).get("values") or {})[1] or None

    def policy_problems(view: dict[str, Any]) -> dict[str, str] | None:
        return blocks.policy_form_values((view.get("state") or {}).get("values") or {})[1] or None

    async def save_member(ctx: ViewContext) -> None:
        changes, _ = blocks.member_form_values(ctx.values)
        member = changes.pop("member")
        await team.set_member(ctx.team_id, ctx.user_id, member, **changes)
        await render(
            surface, ctx.client, ctx.team_id, ctx.user_id, f":white_check_mark: Saved <@{escape(member)}>."
        )

    async def save_policy(ctx: ViewContext) -> None:
        changes, _ = blocks.policy_form_values(ctx.values)
        await team.set_policy(ctx.team_id, ctx.user_id, **changes)
        await render(
            surface, ctx.client, ctx.team_id, ctx.user_id, ":white_check_mark: Saved the workspace rules."
        )

    on_button(app, blocks.TEAM_EDIT_MEMBER, edit_member, surface=surface)
    on_button(app, blocks.TEAM_EDIT_POLICY, edit_policy, surface=surface)
    on_view(app, blocks.TEAM_MEMBER_CALLBACK, member_problems, save_member, surface=surface)
    on_view(app, blocks.TEAM_POLICY_CALLBACK, policy_problems, save_policy, surface=surface)
