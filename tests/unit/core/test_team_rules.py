"""The team's rules without Slack: the `/autoshares admin` grammar, where orders may go, how an
order's value is weighed, the trading day, and the two admin forms read back."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

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
    ShowTeam,
    TeamCommand,
)
from bot.core.errors import ApprovalsNotSet, OrderValueOverLimit
from bot.core.team import OrderGate, TeamService, allowed_in, trading_day
from bot.vocabulary.roles import Role
from handlers.parsing import ParseError, member_form, parse_autoshares, policy_form
from storage.orders import DayQuota
from storage.records import Member, Policy


def admin(text: str) -> TeamCommand:
    parsed = parse_autoshares(f"admin {text}")
    assert parsed.name == "admin"
    return parsed.args  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ShowTeam()),
        ("role <@U0ALICE|Alice Smith> approver", GrantRole("U0ALICE", Role.APPROVER)),
        ("role <@U0ALICE> ADMIN", GrantRole("U0ALICE", Role.ADMIN)),
        ("role <@U0ALICE> default", GrantRole("U0ALICE", None)),
        ("limit <@U0BOB> value $25,000", SetOrderValueLimit("U0BOB", Decimal(25000))),
        ("limit <@U0BOB> value none", SetOrderValueLimit("U0BOB", None)),
        ("limit <@U0BOB> daily 5", SetDailyOrderLimit("U0BOB", 5)),
        ("limit <@U0BOB> daily off", SetDailyOrderLimit("U0BOB", None)),
        ("approval <@U0BOB> on", SetNeedsApproval("U0BOB", True)),
        ("approvals over 10000", SetApprovalThreshold(Decimal(10000))),
        ("approvals off", SetApprovalThreshold(None)),
        ("approvals in <#C0APPROVE|approvals>", SetApprovalsChannel("C0APPROVE")),
        ("orders anywhere", SetOrderPlaces(None)),
        ("orders dm", SetOrderPlaces(("dm",))),
        ("alerts in <#C0A> <#C0B|b> dm <#C0A>", SetAlertPlaces(("C0A", "C0B", "dm"))),
        ("pause", SetPause(True)),
        ("RESUME", SetPause(False)),
    ],
)
def test_admin_grammar(text: str, expected: TeamCommand) -> None:
    assert admin(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("role @alice trader", "is not a member; pick them with @"),
        ("role <@U0ALICE> boss", "Say the role: viewer, trader, approver, admin or default"),
        ("limit <@U0BOB> value 0", "must be above 0"),
        ("limit <@U0BOB> value 1e9", "must be a number of dollars"),
        ("limit <@U0BOB> value 1.234", "at most 2 decimals"),
        ("limit <@U0BOB> daily 0", "whole number from 1 to 10,000"),
        ("limit <@U0BOB> weekly 3", "Say value (largest order, in dollars) or daily"),
        ("approval <@U0BOB> maybe", "Say on or off"),
        ("approvals in general", "is not a channel"),
        ("orders in", "Name at least one channel"),
        ("orders <@U0BOB>", "is not a channel"),
        ("pause now", "is not understood here"),
        ("promote <@U0BOB>", "is not an admin command"),
        ("role <!channel> admin", "is not a member"),
    ],
)
def test_admin_grammar_refusals(text: str, problem: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_autoshares(f"admin {text}")
    assert problem in str(raised.value) and "Try `/autoshares admin" in str(raised.value)
    assert "<!channel>" not in str(raised.value)  # echoed input never becomes a mention


def test_places() -> None:
    assert allowed_in(None, "C0ANY") and allowed_in(None, "D0BOB")
    assert allowed_in(("C0T",), "C0T") and not allowed_in(("C0T",), "C0X")
    assert not allowed_in(("C0T",), "D0BOB") and allowed_in(("dm",), "D0BOB")
    assert allowed_in(("dm",), None)  # the order form opened from App Home answers in a DM


def gate(member: Member | None = None, policy: Policy | None = None) -> OrderGate:
    return OrderGate(member or Member("T", "U"), policy or Policy("T"), DayQuota("2026-11-30", None))


def test_weighing_an_orders_value() -> None:
    weigh = TeamService.weigh
    assert weigh(gate(), Decimal(10**9)).approval is None  # no rules, no approval
    capped = gate(Member("T", "U", max_order_value=Decimal(1000)))
    assert weigh(capped, Decimal(1000)).approval is None
    with pytest.raises(OrderValueOverLimit):
        weigh(capped, Decimal("1000.01"))
    with pytest.raises(OrderValueOverLimit):  # an unknown value is over any limit
        weigh(capped, None)
    threshold = Policy("T", approval_threshold=Decimal(5000), approvals_channel="C0APPROVE")
    assert weigh(gate(policy=threshold), Decimal(5000)).approval is None
    assert weigh(gate(policy=threshold), Decimal(5001)).approval == "over_threshold"
    assert weigh(gate(policy=threshold), None).approval == "over_threshold"
    marked = Member("T", "U", needs_approval=True)
    assert weigh(gate(marked, threshold), Decimal(1)).approval == "member_needs_approval"
    with pytest.raises(ApprovalsNotSet):
        weigh(gate(marked, Policy("T")), Decimal(1))


def test_the_trading_day_turns_at_midnight_in_new_york() -> None:
    assert trading_day(datetime(2026, 12, 1, 4, 59, tzinfo=UTC)) == "2026-11-30"
    assert trading_day(datetime(2026, 12, 1, 5, 0, tzinfo=UTC)) == "2026-12-01"


def test_the_forms_are_checked_without_io() -> None:
    change, problems = member_form(
        {
            "member": {"value": {"selected_user": "U0BOB"}},
            "role": {"value": {"selected_option": {"value": "default"}}},
            "max_value": {"value": {"value": " $1,234.5 "}},
            "max_daily": {"value": {"value": ""}},
            "needs_approval": {"value": {"selected_options": [{"value": "on"}]}},
        }
    )
    assert problems == {}
    assert change == SetMember("U0BOB", None, Decimal("1234.5"), None, True)
    change, problems = member_form({"max_daily": {"value": {"value": "-1"}}})
    assert change is None and set(problems) == {"member", "max_daily"}
    change, problems = member_form(
        {"member": {"value": {"selected_user": "U0BOB"}}, "role": {"value": {"selected_option": {"value": "boss"}}}}
    )
    assert change is None and set(problems) == {"role"}
    _, problems = policy_form({"threshold": {"value": {"value": "NaN"}}})
    assert set(problems) == {"threshold"}
    _, problems = policy_form({"threshold": {"value": {"value": "100"}}})
    assert set(problems) == {"approvals_channel"}
