"""Digest schedules (``storage.digests``): created within a member's allowance and audited, listed
in order, removed by schedule, member or workspace, and each occurrence taken once; an occurrence
missed for too long is moved on without a post."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from storage.audit import AuditLog
from storage.db import Database
from storage.digests import DIGEST_DUE, DigestRepository, TooManyDigests
from storage.outbox import OutboxRepository
from storage.records import Digest, utcnow

DAY = timedelta(days=1)
LATE = timedelta(minutes=30)


async def schedule(
    repo: DigestRepository, next_run_at: datetime, *, team: str = "T1", user: str = "U1", most: int = 5
) -> Digest:
    return await repo.create(
        team_id=team,
        slack_user_id=user,
        channel_id=f"C-{user}",
        every="daily",
        at_local="16:15",
        zone="America/New_York",
        label="after the close",
        next_run_at=next_run_at,
        most=most,
    )


def next_day(digest: Digest, after: datetime) -> datetime:
    return after + DAY


async def owed(db: Database) -> list[dict[str, object]]:
    return [i.data for i in await OutboxRepository(db.sessions).listed() if i.kind == DIGEST_DUE]


async def test_a_schedule_is_stored_audited_and_listed_in_order(db: Database) -> None:
    repo = DigestRepository(db.sessions)
    at = utcnow().replace(microsecond=0) + DAY
    first = await schedule(repo, at)
    second = await repo.create(
        team_id="T1",
        slack_user_id="U1",
        channel_id="U1",
        every="weekdays",
        at_local="09:30",
        zone="UTC",
        label="L" * 100,
        next_run_at=at,
        most=5,
    )
    assert second.label == "L" * 64
    assert await repo.get(first.id) == first
    assert first.next_run_at == at and first.last_run_at is None
    assert [d.id for d in await repo.for_user("T1", "U1")] == [first.id, second.id]
    assert await repo.for_user("T2", "U1") == []
    assert await repo.get(second.id + 1) is None
    events = await AuditLog(db.sessions).since(subject="digest")
    assert [(e.action, e.subject_id, e.detail["every"]) for e in events] == [
        ("scheduled", str(first.id), "daily"),
        ("scheduled", str(second.id), "weekdays"),
    ]


async def test_a_member_past_the_allowance_is_refused_and_others_are_not(db: Database) -> None:
    repo = DigestRepository(db.sessions)
    at = utcnow() + DAY
    await schedule(repo, at, most=2)
    await schedule(repo, at, most=2)
    with pytest.raises(TooManyDigests):
        await schedule(repo, at, most=2)
    assert len(await repo.for_user("T1", "U1")) == 2
    await schedule(repo, at, user="U2", most=2)
    await schedule(repo, at, team="T2", most=2)


async def test_remove_takes_one_schedule_a_members_or_a_whole_workspaces(db: Database) -> None:
    repo = DigestRepository(db.sessions)
    at = utcnow() + DAY
    one = await schedule(repo, at)
    kept = await schedule(repo, at)
    await schedule(repo, at, user="U2")
    await schedule(repo, at, user="U3")
    elsewhere = await schedule(repo, at, team="T2")
    assert await repo.remove("T1", ["U1"], digest_id=one.id) == 1
    assert [d.id for d in await repo.for_user("T1", "U1")] == [kept.id]
    assert await repo.remove("T1", ["U2"], digest_id=one.id) == 0  # not U2's
    assert await repo.remove("T1", ["U2"]) == 1
    assert await repo.remove("T2", ["U1"], digest_id=kept.id) == 0  # not in T2
    assert await repo.remove("T1") == 2
    assert await repo.for_user("T1", "U1") == [] and await repo.for_user("T1", "U3") == []
    assert await repo.get(elsewhere.id) == elsewhere


async def test_each_due_occurrence_is_taken_once_oldest_first_and_moved_on(db: Database) -> None:
    repo = DigestRepository(db.sessions)
    now = utcnow()
    later = await schedule(repo, now - timedelta(minutes=1))
    earlier = await schedule(repo, now - timedelta(minutes=2), user="U2")
    future = await schedule(repo, now + timedelta(minutes=1), user="U3")
    asked: list[tuple[int, datetime]] = []

    def following(digest: Digest, after: datetime) -> datetime:
        asked.append((digest.id, after))
        return after + DAY

    taken = await repo.take_due(now, following, late=LATE)
    assert [(d.id, occurrence) for d, occurrence in taken] == [
        (earlier.id, earlier.next_run_at),
        (later.id, later.next_run_at),
    ]
    assert sorted(asked) == sorted([(earlier.id, now), (later.id, now)])  # counted on from now
    assert await repo.take_due(now, following, late=LATE) == []
    stored = await repo.get(later.id)
    assert stored is not None and stored.next_run_at == now + DAY and stored.last_run_at == now
    assert await repo.get(future.id) == future
    assert sorted(str(d["digest_id"]) for d in await owed(db)) == sorted([str(earlier.id), str(later.id)])


async def test_passes_at_once_take_each_occurrence_once_and_a_limit_leaves_the_rest(db: Database) -> None:
    repo = DigestRepository(db.sessions)
    now = utcnow()
    made = [await schedule(repo, now - timedelta(seconds=10 - i), user=f"U{i}") for i in range(4)]
    assert [d.id for d, _ in await repo.take_due(now, next_day, late=LATE, limit=1)] == [made[0].id]
    results = await asyncio.gather(*(repo.take_due(now, next_day, late=LATE) for _ in range(3)))
    assert sorted(d.id for result in results for d, _ in result) == [d.id for d in made[1:]]
    data = await owed(db)
    assert len(data) == 4
    assert {d["occurrence"] for d in data} == {d.next_run_at.isoformat() for d in made}


async def test_an_occurrence_missed_for_too_long_moves_on_without_a_post(db: Database) -> None:
    repo = DigestRepository(db.sessions)
    now = utcnow()
    missed = await schedule(repo, now - timedelta(hours=3))
    just_late = await schedule(repo, now - LATE, user="U2")  # exactly `late` still counts
    taken = await repo.take_due(now, next_day, late=LATE)
    assert [d.id for d, _ in taken] == [just_late.id]
    stored = await repo.get(missed.id)
    assert stored is not None and stored.next_run_at == now + DAY
    assert [d["digest_id"] for d in await owed(db)] == [just_late.id]
