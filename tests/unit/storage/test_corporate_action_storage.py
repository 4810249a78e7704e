"""Corporate-action checks and notices (``storage.corporate_actions``): linked members are enrolled
once, leased to one caller until their check is due again, and told of each action once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.corporate_actions import CORPORATE_ACTION, CorporateActionRepository, Member
from storage.db import Database
from storage.models import LinkedUser
from storage.outbox import OutboxRepository
from storage.records import utcnow

ALICE = Member("T1", "U1")
BOB = Member("T1", "U2")
MINUTE = timedelta(minutes=1)


async def link(db: Database, *members: Member) -> None:
    now = utcnow()
    async with db.sessions.begin() as session:
        for n, member in enumerate(members):
            session.add(
                LinkedUser(
                    team_id=member.team_id,
                    slack_user_id=member.slack_user_id,
                    autoshares_user_id=100 + n,
                    autoshares_login=f"login{n}",
                    access_token_enc="enc",
                    token_expires_at=now + timedelta(hours=1),
                    scopes="",
                    linked_at=now,
                )
            )


async def test_every_linked_member_is_enrolled_once_and_due_at_once(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    await link(db, ALICE, BOB)
    now = utcnow()
    await repo.enrol_linked(now)
    await repo.enrol_linked(now)  # a second enrolment adds no row
    leased = await repo.lease_due(now, MINUTE, limit=10)
    assert sorted(leased, key=lambda m: m.slack_user_id) == [ALICE, BOB]
    await repo.enrol_linked(now)  # nor does it undo the lease just taken
    assert await repo.lease_due(now, MINUTE, limit=10) == []


async def test_a_lease_holds_until_it_runs_out_and_then_another_caller_takes_the_member(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    await link(db, ALICE)
    now = utcnow()
    await repo.enrol_linked(now)
    assert await repo.lease_due(now, MINUTE, limit=10) == [ALICE]
    assert await repo.lease_due(now + timedelta(seconds=59), MINUTE, limit=10) == []
    assert await repo.lease_due(now + MINUTE, MINUTE, limit=10) == [ALICE]  # the lease ran out


async def test_callers_at_once_split_the_due_members_and_the_most_overdue_go_first(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    carol = Member("T1", "U3")
    await link(db, ALICE, BOB, carol)
    now = utcnow()
    await repo.enrol_linked(now)
    await repo.check_again(carol, now - timedelta(minutes=5))
    await repo.check_again(BOB, now - timedelta(minutes=2))
    await repo.check_again(ALICE, now + timedelta(minutes=5))  # not due yet
    assert await repo.lease_due(now, MINUTE, limit=1) == [carol]
    first, second = await asyncio.gather(repo.lease_due(now, MINUTE, limit=5), repo.lease_due(now, MINUTE, limit=5))
    assert first + second == [BOB]


async def test_check_again_brings_a_leased_member_forward(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    await link(db, ALICE)
    now = utcnow()
    await repo.enrol_linked(now)
    assert await repo.lease_due(now, timedelta(hours=6), limit=10) == [ALICE]
    await repo.check_again(ALICE, now + MINUTE)
    assert await repo.lease_due(now + MINUTE, timedelta(hours=6), limit=10) == [ALICE]


async def test_a_forgotten_member_is_not_checked_until_enrolled_again(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    await link(db, ALICE, BOB)
    now = utcnow()
    await repo.enrol_linked(now)
    await repo.forget(ALICE)
    assert await repo.lease_due(now, MINUTE, limit=10) == [BOB]
    await repo.enrol_linked(now)  # still linked: enrolled again, due at once
    assert await repo.lease_due(now, MINUTE, limit=10) == [ALICE]


async def test_each_action_is_owed_to_a_member_once_whoever_finds_it(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    told = await asyncio.gather(
        *(repo.tell(ALICE, "split:AAPL:2026-12-01", "AAPL", "split", {"n": i}) for i in range(3))
    )
    assert sorted(told) == [False, False, True]
    assert await repo.tell(ALICE, "split:AAPL:2026-12-01", "AAPL", "split", {}) is False
    assert await repo.tell(BOB, "split:AAPL:2026-12-01", "AAPL", "split", {}) is True  # another member
    assert await repo.tell(ALICE, "dividend:MSFT:2026-12-02", "MSFT", "dividend", {}) is True
    assert await repo.told(ALICE) == ["dividend:MSFT:2026-12-02", "split:AAPL:2026-12-01"]
    assert await repo.told(Member("T2", "U1")) == []  # the same user id in another workspace
    owed = [i for i in await OutboxRepository(db.sessions).listed() if i.kind == CORPORATE_ACTION]
    assert sorted((i.team_id, i.channel) for i in owed) == [("T1", "U1"), ("T1", "U1"), ("T1", "U2")]


async def test_an_overlong_action_key_is_kept_to_its_first_128_characters(db: Database) -> None:
    repo = CorporateActionRepository(db.sessions)
    key = "merger:" + "X" * 200
    assert await repo.tell(ALICE, key, "A_VERY_LONG_SYMBOL_NAME", "merger", {}) is True
    assert await repo.told(ALICE) == [key[:128]]
    assert await repo.tell(ALICE, key[:128] + "another tail", "X", "merger", {}) is False
