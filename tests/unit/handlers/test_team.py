"""handlers.team: its registration table (`/autoshares admin` and App Home's two Team forms),
the one-line notice each change answers with, and the forms' checks in the ack."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import ModuleType

import pytest

from bot.core.commands import (
    GrantRole,
    SetApprovalThreshold,
    SetDailyOrderLimit,
    SetNeedsApproval,
    SetOrderPlaces,
    SetOrderValueLimit,
    SetPause,
    ShowTeam,
    TeamCommand,
)
from bot.vocabulary.roles import Role
from handlers import team
from handlers.blocks import team as blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_listener_once(register: Callable[[ModuleType], Registered]) -> None:
    ids = table_ids(team.LISTENERS)
    assert ids == {
        "subcommand": ["admin"],
        "action": [blocks.TEAM_EDIT_MEMBER, blocks.TEAM_EDIT_POLICY],
        "view": [blocks.TEAM_MEMBER_CALLBACK, blocks.TEAM_POLICY_CALLBACK],
        "event": [],
        "function": [],
    }
    assert_registers(register(team), ids)


@pytest.mark.parametrize(
    ("command", "notice"),
    [
        (GrantRole("U1", Role.APPROVER), "<@U1> is now approver."),
        (GrantRole("U1", None), "<@U1> is now on the default role."),
        (SetOrderValueLimit("U1", Decimal("5000")), "<@U1> may place at most $5,000 an order."),
        (SetOrderValueLimit("U1", None), "<@U1> may place orders of any value."),
        (SetDailyOrderLimit("U1", None), "<@U1> may place any number of orders a trading day."),
        (SetDailyOrderLimit("U1", 3), "<@U1> may place at most 3 orders a trading day."),
        (SetNeedsApproval("U1", True), "<@U1>'s orders now need a second person's approval."),
        (SetApprovalThreshold(None), "Orders no longer need approval for their value."),
        (SetApprovalThreshold(Decimal("10000")), "Orders over $10,000 now need approval."),
        (SetOrderPlaces(("C1", "dm")), "Orders are now allowed in "),
        (SetPause(True), "Trading is paused"),
    ],
)
def test_each_change_answers_with_one_line_saying_what_it_did(command: TeamCommand, notice: str) -> None:
    said = team.notice_for(command)
    assert said is not None and notice in said and "\n" not in said


def test_showing_the_team_changes_nothing_and_says_no_notice() -> None:
    assert team.notice_for(ShowTeam()) is None


def test_an_empty_member_form_is_refused_in_the_ack_on_its_fields() -> None:
    problems = team.member_problems({"state": {"values": {}}})
    assert problems and all(isinstance(text, str) and text for text in problems.values())
