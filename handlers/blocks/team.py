"""The team's rules in Block Kit: the overview (`/autoshares admin`, App Home's Team section),
and the two admin forms (a member's role and limits; the workspace's policy).

Pure builders: they take the policy and members as read and return Slack payloads. Both forms
are read back by ``handlers.parsing.admin`` (``member_form`` / ``policy_form``) by the same
rules as `/autoshares admin …`, with no I/O so the modal's ack can put problems on the fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConversationMultiSelectElement,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.core.views import Role
from handlers.blocks.common import context, escape, message, section
from handlers.blocks.numbers import money

TEAM_EDIT_MEMBER = "team_edit_member"
TEAM_EDIT_POLICY = "team_edit_policy"
TEAM_MEMBER_CALLBACK = "team_member"
TEAM_POLICY_CALLBACK = "team_policy"
#: Members listed in the overview (the rest are counted).
MAX_MEMBERS_SHOWN = 20

ROLE_WORDS = {
    Role.VIEWER: "viewer (quotes, positions, alerts)",
    Role.TRADER: "trader (also orders)",
    Role.APPROVER: "approver (also approves others' orders)",
    Role.ADMIN: "admin (also manages the team)",
}


def places_words(places: Sequence[str] | None) -> str:
    if places is None:
        return "anywhere"
    names = [f"<#{escape(p)}>" for p in places if p != "dm"]
    if "dm" in places:
        names.append("direct messages with the bot")
    return ", ".join(names) if names else "nowhere"


def member_line(member: Any, default_role: str) -> str:
    parts = [f"<@{escape(member.slack_user_id)}>", member.role or f"{default_role} (default)"]
    if member.max_order_value is not None:
        parts.append(f"at most {money(member.max_order_value, places=0)} an order")
    if member.max_orders_per_day is not None:
        parts.append(f"{member.max_orders_per_day} orders a day")
    if member.needs_approval:
        parts.append("every order needs approval")
    return " · ".join(parts)


def overview_blocks(overview: Any) -> list[Block]:
    """The policy and the members an admin set something for."""
    policy = overview.policy
    trading = (
        ":double_vertical_bar: *Trading is paused*"
        if policy.trading_paused
        else ":large_green_circle: Trading is on"
    )
    if policy.approval_threshold is not None:
        where = (
            f"<#{escape(policy.approvals_channel)}>"
            if policy.approvals_channel
            else "*no approvers' channel set*"
        )
        approval = f"Orders over {money(policy.approval_threshold, places=0)} need approval in {where}"
    elif policy.approvals_channel:
        approval = (
            f"No approval threshold; members marked for approval ask in <#{escape(policy.approvals_channel)}>"
        )
    else:
        approval = "No approval threshold"
    lines = [
        trading,
        f"Orders allowed: {places_words(policy.order_places)}",
        f"Alerts allowed: {places_words(policy.alert_places)}",
        approval,
        f"Everyone else's role: {overview.default_role}. Slack workspace owners and admins are always admins.",
    ]
    blocks: list[Block] = [section("\n".join(lines))]
    members = list(overview.members)
    if members:
        shown = "\n".join(member_line(m, overview.default_role) for m in members[:MAX_MEMBERS_SHOWN])
        more = len(members) - MAX_MEMBERS_SHOWN
        if more > 0:
            shown += f"\n…and {more} more."
        blocks.append(section(f"*Members*\n{shown}"))
    else:
        blocks.append(context("No member has a role or limit of their own yet."))
    return blocks


def overview_message(overview: Any, notice: str | None = None) -> dict[str, Any]:
    """`/autoshares admin`: what changed (if anything), then the team's rules."""
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks += overview_blocks(overview)
    blocks.append(context("Change them with `/autoshares admin …` (see `/autoshares help`) or on App Home."))
    return message(notice or "Your team's trading rules", blocks)


def team_section(overview: Any) -> list[dict[str, Any]]:
    """App Home's Team section (admins only): the rules and the two forms' buttons."""
    blocks: list[Block] = [
        DividerBlock(),
        HeaderBlock(text="Team"),
        *overview_blocks(overview),
        ActionsBlock(
            block_id="team_actions",
            elements=[
                ButtonElement(text="Edit a member", action_id=TEAM_EDIT_MEMBER, value="member"),
                ButtonElement(text="Workspace rules", action_id=TEAM_EDIT_POLICY, value="policy"),
            ],
        ),
    ]
    return [b.to_dict() for b in blocks]


# -- forms -----------------------------------------------------------------------------------------


def _option(label: str, value: str) -> Option:
    return Option(text=label, value=value)


def member_view() -> dict[str, Any]:
    """A member's role and limits. Empty limits remove them."""
    roles = [_option("Default role", "default")] + [
        _option(words, role) for role, words in ROLE_WORDS.items()
    ]
    blocks = [
        InputBlock(block_id="member", label="Member", element=UserSelectElement(action_id="value")),
        InputBlock(
            block_id="role",
            label="Role",
            element=StaticSelectElement(action_id="value", options=roles, initial_option=roles[0]),
        ),
        InputBlock(
            block_id="max_value",
            label="Largest order (USD)",
            optional=True,
            hint="Empty: no limit.",
            element=PlainTextInputElement(action_id="value", placeholder="5000"),
        ),
        InputBlock(
            block_id="max_daily",
            label="Orders per trading day",
            optional=True,
            hint="Empty: no limit.",
            element=PlainTextInputElement(action_id="value", placeholder="10"),
        ),
        InputBlock(
            block_id="needs_approval",
            label="Approval",
            optional=True,
            element=CheckboxesElement(
                action_id="value", options=[_option("Every order of this member needs approval", "on")]
            ),
        ),
    ]
    view = View(
        type="modal",
        callback_id=TEAM_MEMBER_CALLBACK,
        title="Edit a member",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    )
    return view.to_dict()


def policy_view(policy: Any) -> dict[str, Any]:
    """The workspace's policy, filled in as it stands."""

    def channels(block_id: str, label: str, places: Sequence[str] | None) -> list[Block]:
        chosen = [p for p in places or () if p != "dm"]
        dm_option = _option("Direct messages with the bot", "dm")
        return [
            InputBlock(
                block_id=f"{block_id}_channels",
                label=label,
                optional=True,
                hint="Leave empty and untick direct messages to allow them anywhere.",
                element=ConversationMultiSelectElement(
                    action_id="value", initial_conversations=chosen or None
                ),
            ),
            InputBlock(
                block_id=f"{block_id}_dm",
                label=" ",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[dm_option],
                    initial_options=[dm_option] if places and "dm" in places else None,
                ),
            ),
        ]

    pause_option = _option("Pause all trading in this workspace", "on")
    threshold = policy.approval_threshold
    blocks: list[Block] = [
        InputBlock(
            block_id="paused",
            label="Trading",
            optional=True,
            element=CheckboxesElement(
                action_id="value",
                options=[pause_option],
                initial_options=[pause_option] if policy.trading_paused else None,
            ),
        ),
        *channels("orders", "Orders allowed in", policy.order_places),
        *channels("alerts", "Alerts allowed in", policy.alert_places),
        InputBlock(
            block_id="threshold",
            label="Orders above this value need approval (USD)",
            optional=True,
            hint="Empty: no threshold.",
            element=PlainTextInputElement(
                action_id="value",
                placeholder="10000",
                initial_value=f"{threshold.normalize():f}" if threshold is not None else None,
            ),
        ),
        InputBlock(
            block_id="approvals_channel",
            label="Approvers' channel",
            optional=True,
            element=ConversationSelectElement(
                action_id="value", initial_conversation=policy.approvals_channel or None
            ),
        ),
    ]
    view = View(
        type="modal",
        callback_id=TEAM_POLICY_CALLBACK,
        title="Workspace rules",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    )
    return view.to_dict()
