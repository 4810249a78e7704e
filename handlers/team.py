"""`/autoshares admin …` and App Home's Team forms: the same changes through the same rules.

Both call ``bot.core.team.TeamService``, which refuses anyone who is not an admin before it
changes anything, so a crafted button click or modal submission from a member gets the same
answer as the command would. Every change is audited with who made it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.core.commands import (
    GrantRole,
    SetAlertPlaces,
    SetApprovalsChannel,
    SetApprovalThreshold,
    SetDailyOrderLimit,
    SetNeedsApproval,
    SetOrderPlaces,
    SetOrderValueLimit,
    SetPause,
    ShowTeam,
    TeamCommand,
)
from bot.core.team import ADMIN, ADMINISTRATION
from handlers.blocks import team as blocks
from handlers.blocks.common import escape
from handlers.blocks.numbers import money
from handlers.home import render
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
from handlers.parsing.admin import member_form, policy_form


def _places_notice(what: str, places: tuple[str, ...] | None) -> str:
    return f":white_check_mark: {what} are now allowed {'in ' if places else ''}{blocks.places_words(places)}."


def notice_for(command: TeamCommand) -> str | None:
    """What a change did, in one line (None for showing the team)."""
    match command:
        case GrantRole(member, role):
            return f":white_check_mark: <@{escape(member)}> is now {role or 'on the default role'}."
        case SetOrderValueLimit(member, None):
            return f":white_check_mark: <@{escape(member)}> may place orders of any value."
        case SetOrderValueLimit(member, amount):
            return f":white_check_mark: <@{escape(member)}> may place at most {money(amount, places=0)} an order."
        case SetDailyOrderLimit(member, None):
            return f":white_check_mark: <@{escape(member)}> may place any number of orders a trading day."
        case SetDailyOrderLimit(member, count):
            return f":white_check_mark: <@{escape(member)}> may place at most {count} orders a trading day."
        case SetNeedsApproval(member, required):
            state = "now need" if required else "no longer need"
            return f":white_check_mark: <@{escape(member)}>'s orders {state} a second person's approval."
        case SetApprovalThreshold(None):
            return ":white_check_mark: Orders no longer need approval for their value."
        case SetApprovalThreshold(amount):
            return f":white_check_mark: Orders over {money(amount, places=0)} now need approval."
        case SetApprovalsChannel(channel):
            return f":white_check_mark: Approval requests now go to <#{escape(channel)}>."
        case SetOrderPlaces(places):
            return _places_notice("Orders", places)
        case SetAlertPlaces(places):
            return _places_notice("Alerts", places)
        case SetPause(True):
            return ":double_vertical_bar: Trading is paused: no order can be confirmed or approved until it is resumed."
        case SetPause(False):
            return ":arrow_forward: Trading is resumed."
    return None


async def admin_command(surface: Surface, ctx: CommandContext, command: TeamCommand) -> None:
    """`/autoshares admin …`: apply a change (admins only) and answer with the team overview."""
    team = surface.core.team
    # Both apply and overview refuse anyone who is not an admin, before anything changes.
    if not isinstance(command, ShowTeam):
        await team.apply(ctx.team_id, ctx.user_id, command)
    overview = await team.overview(ctx.team_id, ctx.user_id)
    await ctx.reply(blocks.overview_message(overview, notice_for(command)))


# -- App Home's Team section -----------------------------------------------------------------------
async def edit_member(surface: Surface, ctx: ButtonContext) -> None:
    """App Home's "Edit a member": open the member form (admins only)."""
    await surface.core.team.require(ctx.team_id, ctx.user_id, ADMIN, ADMINISTRATION)
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=blocks.member_view())


async def edit_policy(surface: Surface, ctx: ButtonContext) -> None:
    """App Home's "Workspace rules": open the policy form with today's rules (admins only)."""
    overview = await surface.core.team.overview(ctx.team_id, ctx.user_id)
    await ctx.client.views_open(trigger_id=ctx.trigger_id, view=blocks.policy_view(overview.policy))


def member_problems(view: dict[str, Any]) -> dict[str, str] | None:
    """The member form's fields checked by the same rules as the command; errors on their fields."""
    return member_form((view.get("state") or {}).get("values") or {})[1] or None


def policy_problems(view: dict[str, Any]) -> dict[str, str] | None:
    """The policy form's fields checked by the same rules as the command; errors on their fields."""
    return policy_form((view.get("state") or {}).get("values") or {})[1] or None


async def save_member(surface: Surface, ctx: ViewContext) -> None:
    """Apply the member form (admins only) and show App Home again with what was saved."""
    change, _ = member_form(ctx.values)
    if change is None:  # the ack refused it already
        return
    await surface.core.team.apply(ctx.team_id, ctx.user_id, change)
    await render(
        surface, ctx.client, ctx.team_id, ctx.user_id, f":white_check_mark: Saved <@{escape(change.member)}>."
    )


async def save_policy(surface: Surface, ctx: ViewContext) -> None:
    """Apply the policy form (admins only) and show App Home again."""
    change, _ = policy_form(ctx.values)
    if change is None:
        return
    await surface.core.team.apply(ctx.team_id, ctx.user_id, change)
    await render(surface, ctx.client, ctx.team_id, ctx.user_id, ":white_check_mark: Saved the workspace rules.")


LISTENERS: tuple[Listener, ...] = (
    Subcommand("admin", admin_command),
    Button(blocks.TEAM_EDIT_MEMBER, edit_member),
    Button(blocks.TEAM_EDIT_POLICY, edit_policy),
    Form(blocks.TEAM_MEMBER_CALLBACK, member_problems, save_member),
    Form(blocks.TEAM_POLICY_CALLBACK, policy_problems, save_policy),
)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the team administration surface's listeners."""
    register_table(app, surface, LISTENERS)
