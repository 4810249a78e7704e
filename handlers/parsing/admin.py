"""`/autoshares admin …` and App Home's two team forms: team administration as typed changes.

Each admin setting is read by one rule of ``bot.vocabulary.team_limits`` (amounts, daily
counts) or ``bot.vocabulary.roles`` (roles), whether it was typed after a slash command or
into a form, so both accept and refuse the same inputs and keep the same value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from bot.core.commands import (
    GrantRole,
    SetAlertPlaces,
    SetApprovalsChannel,
    SetApprovalThreshold,
    SetDailyOrderLimit,
    SetMember,
    SetNeedsApproval,
    SetOrderPlaces,
    SetOrderValueLimit,
    SetPause,
    SetPolicy,
    ShowTeam,
    TeamCommand,
)
from bot.vocabulary.roles import Role
from bot.vocabulary.team_limits import NO_LIMIT_WORDS, LimitProblem, daily_order_count, limit_amount
from handlers.parsing.common import _Invalid, _show

_USER_RE = re.compile(r"<@([UW][A-Z0-9]{2,20})>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]{2,20})>")
#: The word for "back to the deployment's default role".
DEFAULT_ROLE_WORD = "default"
_ROLE_CHOICES = ", ".join(role.value for role in Role) + f" or {DEFAULT_ROLE_WORD}"
_ADMIN_EXAMPLES = {
    "role": "admin role @alice trader",
    "limit": "admin limit @alice value 5000",
    "approval": "admin approval @alice on",
    "approvals": "admin approvals over 10000",
    "orders": "admin orders in #trading dm",
    "alerts": "admin alerts anywhere",
}
_ADMIN_WORDS = "show, role, limit, approval, approvals, orders, alerts, pause or resume"
_DAILY_EXAMPLE = "admin limit @alice daily 5"


# --------------------------------------------------------------------------- one rule per setting


def role_setting(text: str) -> Role | None:
    """A role as typed (``trader``, any case) or ``default`` (None); LimitProblem otherwise."""
    word = text.strip().lower()
    if word == DEFAULT_ROLE_WORD:
        return None
    role = Role.named(word)
    if role is None:
        raise LimitProblem(f"Say the role: {_ROLE_CHOICES}")
    return role


def amount_setting(text: str) -> Decimal | None:
    """A dollar limit (order value, approval threshold); empty or ``none`` clears it (None)."""
    text = text.strip()
    if not text or text.lower() in NO_LIMIT_WORDS:
        return None
    return limit_amount(text)


def daily_setting(text: str) -> int | None:
    """Orders per trading day; empty or ``none`` clears it (None)."""
    text = text.strip()
    if not text or text.lower() in NO_LIMIT_WORDS:
        return None
    return daily_order_count(text)


# --------------------------------------------------------------------------- the slash command


def _member(tokens: list[str], index: int, example: str) -> str:
    if index >= len(tokens):
        raise _Invalid("Say which member, with an @mention", example=example)
    match = _USER_RE.fullmatch(tokens[index])
    if match is None:
        raise _Invalid(
            f"{_show(tokens[index])} is not a member; pick them with @ so Slack sends who you mean",
            example=example,
        )
    return match.group(1)


_T = TypeVar("_T")


def _setting(read: Callable[[str], _T], token: str, example: str) -> _T:
    """A setting read by its rule, its problem told with what was typed and an example."""
    try:
        return read(token)
    except LimitProblem as problem:
        raise _Invalid(f"{problem}, not {_show(token)}", example=example) from None


def _places_from(tokens: list[str], example: str) -> tuple[str, ...] | None:
    """`anywhere`, `dm`, or `in <#C…> … [dm]` → None (anywhere) or the allowed places."""
    if not tokens:
        raise _Invalid("Say anywhere, dm, or in followed by channels", example=example)
    word = tokens[0].lower()
    if word in ("anywhere", "everywhere", "all"):
        if len(tokens) > 1:
            raise _Invalid(f"{_show(tokens[1])} is not understood after {word}", example=example)
        return None
    chosen = tokens[1:] if word == "in" else tokens
    places: list[str] = []
    for token in chosen:
        if token.lower() in ("dm", "dms"):
            places.append("dm")
            continue
        match = _CHANNEL_RE.fullmatch(token)
        if match is None:
            raise _Invalid(
                f"{_show(token)} is not a channel; pick channels with # so Slack sends which you mean",
                example=example,
            )
        places.append(match.group(1))
    if not places:
        raise _Invalid("Name at least one channel with #, or dm", example=example)
    return tuple(dict.fromkeys(places))


def _switch(tokens: list[str], index: int, example: str) -> bool:
    word = tokens[index].lower() if index < len(tokens) else ""
    if word in ("on", "yes", "true"):
        return True
    if word in ("off", "no", "false"):
        return False
    raise _Invalid("Say on or off", example=example)


def _nothing_after(tokens: list[str], index: int, example: str) -> None:
    if len(tokens) > index:
        raise _Invalid(f"{_show(tokens[index])} is not understood here", example=example)


def _limit(rest: list[str], example: str) -> TeamCommand:
    """`limit @member value <amount>|none` or `limit @member daily <count>|none`."""
    member = _member(rest, 0, example)
    kind = rest[1].lower() if len(rest) > 1 else ""
    if kind not in ("value", "daily"):
        raise _Invalid("Say value (largest order, in dollars) or daily (orders per day)", example=example)
    if len(rest) < 3:
        raise _Invalid(f"Say the {kind} limit, or none", example=example)
    _nothing_after(rest, 3, example)
    if kind == "value":
        return SetOrderValueLimit(member, _setting(amount_setting, rest[2], example))
    return SetDailyOrderLimit(member, _setting(daily_setting, rest[2], _DAILY_EXAMPLE))


def _approvals(rest: list[str], example: str) -> TeamCommand:
    """`approvals over <amount>`, `approvals off`, `approvals in #channel`."""
    kind = rest[0].lower() if rest else ""
    if kind in NO_LIMIT_WORDS:
        _nothing_after(rest, 1, example)
        return SetApprovalThreshold(None)
    if kind == "over" and len(rest) == 2:
        return SetApprovalThreshold(_setting(amount_setting, rest[1], example))
    if kind == "in" and len(rest) == 2:
        match = _CHANNEL_RE.fullmatch(rest[1])
        if match is None:
            raise _Invalid(
                f"{_show(rest[1])} is not a channel; pick it with #", example="admin approvals in #approvals"
            )
        return SetApprovalsChannel(match.group(1))
    raise _Invalid("Say approvals over <amount>, approvals off, or approvals in #channel", example=example)


def _team_from_tokens(tokens: list[str]) -> TeamCommand:
    """The `/autoshares admin` grammar."""
    if not tokens or tokens[0].lower() in ("show", "team"):
        if tokens[1:]:
            raise _Invalid(f"{_show(tokens[1])} is not understood after admin", example="admin")
        return ShowTeam()
    word, rest = tokens[0].lower(), tokens[1:]
    example = _ADMIN_EXAMPLES.get(word, "admin")
    if word in ("pause", "resume"):
        _nothing_after(rest, 0, f"admin {word}")
        return SetPause(word == "pause")
    if word == "role":
        member = _member(rest, 0, example)
        if len(rest) < 2:
            raise _Invalid(f"Say the role: {_ROLE_CHOICES}", example=example)
        role = _setting(role_setting, rest[1], example)
        _nothing_after(rest, 2, example)
        return GrantRole(member, role)
    if word == "limit":
        return _limit(rest, example)
    if word == "approval":
        member = _member(rest, 0, example)
        required = _switch(rest, 1, example)
        _nothing_after(rest, 2, example)
        return SetNeedsApproval(member, required)
    if word == "approvals":
        return _approvals(rest, example)
    if word in ("orders", "alerts"):
        places = _places_from(rest, example)
        return SetOrderPlaces(places) if word == "orders" else SetAlertPlaces(places)
    raise _Invalid(f"{_show(tokens[0])} is not an admin command; use {_ADMIN_WORDS}", example="admin")


# --------------------------------------------------------------------------- the forms


def _value(values: Mapping[str, Any], block_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get("value") or {})


def _text(values: Mapping[str, Any], block_id: str) -> str:
    return str(_value(values, block_id).get("value") or "")


def _ticked(values: Mapping[str, Any], block_id: str) -> bool:
    return bool(_value(values, block_id).get("selected_options"))


def _field(read: Callable[[str], _T | None], text: str, field: str, problems: dict[str, str]) -> _T | None:
    """A form field read by its setting's rule; its problem is put on the field, with how to
    leave it unset."""
    try:
        return read(text)
    except LimitProblem as problem:
        problems[field] = f"{problem}, or leave it empty."
        return None


def member_form(values: Mapping[str, Any]) -> tuple[SetMember | None, dict[str, str]]:
    """The member form's submission: the change to make (None when a field has a problem),
    and the problems by block id (what the modal shows on each field)."""
    problems: dict[str, str] = {}
    member = str(_value(values, "member").get("selected_user") or "")
    if not member:
        problems["member"] = "Pick a member."
    chosen = str((_value(values, "role").get("selected_option") or {}).get("value") or DEFAULT_ROLE_WORD)
    role = _field(role_setting, chosen, "role", problems)
    max_value = _field(amount_setting, _text(values, "max_value"), "max_value", problems)
    max_daily = _field(daily_setting, _text(values, "max_daily"), "max_daily", problems)
    if problems:
        return None, problems
    return SetMember(member, role, max_value, max_daily, _ticked(values, "needs_approval")), problems


def _places(values: Mapping[str, Any], prefix: str) -> tuple[str, ...] | None:
    channels = [str(c) for c in _value(values, f"{prefix}_channels").get("selected_conversations") or []]
    dm = ["dm"] if _ticked(values, f"{prefix}_dm") else []
    chosen = tuple(dict.fromkeys(channels + dm))
    return chosen or None


def policy_form(values: Mapping[str, Any]) -> tuple[SetPolicy | None, dict[str, str]]:
    """The workspace form's submission: the change (None when a field has a problem) and the
    problems by block id."""
    problems: dict[str, str] = {}
    threshold = _field(amount_setting, _text(values, "threshold"), "threshold", problems)
    channel = _value(values, "approvals_channel").get("selected_conversation") or None
    if threshold is not None and not channel:
        problems["approvals_channel"] = "Pick the channel where approvers decide, or clear the threshold."
    if problems:
        return None, problems
    change = SetPolicy(
        trading_paused=_ticked(values, "paused"),
        order_places=_places(values, "orders"),
        alert_places=_places(values, "alerts"),
        approval_threshold=threshold,
        approvals_channel=str(channel) if channel else None,
    )
    return change, problems
