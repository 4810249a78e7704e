"""Team administration down to storage: each typed change sets the settings it names and keeps
the rest, audits just those, and roles read back as the Role enum (an unknown one as the least)."""

from __future__ import annotations

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
    SetPolicy,
    TeamChange,
)
from bot.core.errors import RoleTooLow
from bot.core.team import TeamRules, TeamService
from bot.vocabulary.roles import Role
from storage.audit import AuditLog
from storage.db import Database
from storage.models import TeamMember
from storage.records import Member, Policy, utcnow
from storage.team import TeamRepository

T, OWNER, BOB = "T1", "U0OWNER", "U0BOB"


class NobodyIsASlackAdmin:
    """The Slack directory of a workspace whose owners never use the bot."""

    async def is_workspace_admin(self, team_id: str, slack_user_id: str) -> bool:
        return False

    async def time_zone(self, team_id: str, slack_user_id: str) -> str | None:
        return None


@pytest.fixture
async def service(db: Database) -> TeamService:
    repo = TeamRepository(db.sessions)
    await repo.set_member(T, OWNER, actor="setup", role=Role.ADMIN)
    return TeamService(repo, NobodyIsASlackAdmin(), TeamRules())


async def test_each_member_change_sets_what_it_names_and_keeps_the_rest(service: TeamService) -> None:
    steps: list[tuple[TeamChange, Member]] = [
        (GrantRole(BOB, Role.APPROVER), Member(T, BOB, role=Role.APPROVER)),
        (SetOrderValueLimit(BOB, Decimal("2500.5")), Member(T, BOB, Role.APPROVER, Decimal("2500.5"))),
        (SetDailyOrderLimit(BOB, 3), Member(T, BOB, Role.APPROVER, Decimal("2500.5"), 3)),
        (SetNeedsApproval(BOB, True), Member(T, BOB, Role.APPROVER, Decimal("2500.5"), 3, True)),
        (GrantRole(BOB, None), Member(T, BOB, None, Decimal("2500.5"), 3, True)),
        (SetMember(BOB, Role.VIEWER, None, None, False), Member(T, BOB, Role.VIEWER)),
    ]
    for change, expected in steps:
        await service.apply(T, OWNER, change)
        assert await service.repo.member(T, BOB) == expected
    assert (await service.repo.member(T, BOB)).role is Role.VIEWER


async def test_each_policy_change_sets_what_it_names_and_keeps_the_rest(service: TeamService) -> None:
    steps: list[tuple[TeamChange, Policy]] = [
        (SetPause(True), Policy(T, trading_paused=True)),
        (SetOrderPlaces(("C0T", "dm")), Policy(T, True, order_places=("dm", "C0T"))),
        (SetAlertPlaces(("dm",)), Policy(T, True, ("dm", "C0T"), ("dm",))),
        (SetApprovalThreshold(Decimal(10000)), Policy(T, True, ("dm", "C0T"), ("dm",), Decimal(10000))),
        (SetApprovalsChannel("C0APPROVE"), Policy(T, True, ("dm", "C0T"), ("dm",), Decimal(10000), "C0APPROVE")),
        (SetPause(False), Policy(T, False, ("dm", "C0T"), ("dm",), Decimal(10000), "C0APPROVE")),
        (SetPolicy(False, None, None, None, None), Policy(T)),
    ]
    for change, expected in steps:
        await service.apply(T, OWNER, change)
        assert await service.repo.policy(T) == expected


async def test_a_change_is_audited_with_just_what_it_set(service: TeamService, db: Database) -> None:
    await service.apply(T, OWNER, SetDailyOrderLimit(BOB, 5))
    await service.apply(T, OWNER, SetOrderPlaces(None))
    events = await AuditLog(db.sessions).since(subject="team")
    assert [(e.slack_user_id, e.subject_id, e.detail) for e in events][-2:] == [
        (OWNER, BOB, {"max_orders_per_day": 5}),
        (OWNER, T, {"order_places": None}),
    ]


async def test_only_an_admin_changes_anything(service: TeamService) -> None:
    await service.apply(T, OWNER, GrantRole(BOB, Role.APPROVER))
    with pytest.raises(RoleTooLow):
        await service.apply(T, BOB, GrantRole(BOB, Role.ADMIN))
    assert (await service.repo.member(T, BOB)).role is Role.APPROVER


async def test_a_stored_role_no_release_knows_is_the_least(service: TeamService, db: Database) -> None:
    async with db.sessions.begin() as session:
        session.add(
            TeamMember(
                team_id=T,
                slack_user_id=BOB,
                role="superuser",
                needs_approval=False,
                updated_at=utcnow(),
                updated_by=OWNER,
            )
        )
    assert (await service.repo.member(T, BOB)).role is Role.VIEWER
    assert await service.role(T, BOB) is Role.VIEWER
