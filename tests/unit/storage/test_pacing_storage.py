"""The pace and allowances every replica shares (``storage.pacing``), on the test database:
two replicas are two engines on it, taking a channel's slots and spending a member's calls at
the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app.settings import async_database_url
from storage.db import Database
from storage.pacing import AllowanceRepository, ChannelPaceRepository

NOW = 1_800_000_000.0  # seconds since the epoch, as the replicas' clocks read them


@pytest.fixture
async def second(database_url: str) -> AsyncIterator[Database]:
    """A second replica's engine on the same database."""
    database = Database(async_database_url(database_url))
    yield database
    await database.dispose()


async def test_replicas_taking_slots_at_once_get_each_its_own_a_pace_apart(db: Database, second: Database) -> None:
    replicas = [ChannelPaceRepository(db.sessions), ChannelPaceRepository(second.sessions)]
    slots = await asyncio.gather(
        *(replicas[i % 2].take("T1", "C1", now=NOW, pace=1.0, horizon=60.0) for i in range(12))
    )
    assert all(slot.granted for slot in slots)
    starts = sorted(slot.at for slot in slots)
    assert starts[0] == NOW
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 1.0 - 1e-9
    other = await replicas[1].take("T1", "C2", now=NOW, pace=1.0, horizon=60.0)
    assert other.granted and other.at == NOW  # another channel keeps its own pace


async def test_a_slot_beyond_the_horizon_is_not_taken(db: Database, second: Database) -> None:
    first, other = ChannelPaceRepository(db.sessions), ChannelPaceRepository(second.sessions)
    granted = [await first.take("T1", "C1", now=NOW, pace=1.0, horizon=1.0) for _ in range(2)]
    assert [(s.granted, s.at) for s in granted] == [(True, NOW), (True, NOW + 1)]
    refused = await other.take("T1", "C1", now=NOW, pace=1.0, horizon=1.0)
    assert (refused.granted, refused.at) == (False, NOW + 2)  # free then; nothing was taken
    later = await other.take("T1", "C1", now=NOW + 5, pace=1.0, horizon=1.0)
    assert (later.granted, later.at) == (True, NOW + 5)  # an idle channel's slot is now


async def test_retry_after_pushes_the_channel_for_every_replica_and_never_pulls_it(
    db: Database, second: Database
) -> None:
    first, other = ChannelPaceRepository(db.sessions), ChannelPaceRepository(second.sessions)
    await first.push("T1", "C1", NOW + 30)
    assert (await other.take("T1", "C1", now=NOW, pace=1.0, horizon=1.0)).granted is False
    await other.push("T1", "C1", NOW + 10)  # a shorter wait does not shorten a longer one
    slot = await other.take("T1", "C1", now=NOW + 29.5, pace=1.0, horizon=1.0)
    assert (slot.granted, slot.at) == (True, NOW + 30)


async def test_an_allowance_spent_by_both_replicas_counts_every_call(db: Database, second: Database) -> None:
    replicas = [AllowanceRepository(db.sessions), AllowanceRepository(second.sessions)]
    assert await replicas[0].get("T1", "U1", now=NOW, per_minute=60) is None  # never spent: whole
    await asyncio.gather(*(replicas[i % 2].spend("T1", "U1", 5, now=NOW, per_minute=60) for i in range(14)))
    spent = await replicas[1].get("T1", "U1", now=NOW, per_minute=60)
    assert spent is not None and spent.calls == 60 - 70  # overdrawn by both, no call lost
    refilled = await replicas[0].get("T1", "U1", now=NOW + 30, per_minute=60)
    assert refilled is not None and refilled.calls == -10 + 30
    await replicas[0].spend("T1", "U1", 1, now=NOW + 3600, per_minute=60)
    whole = await replicas[1].get("T1", "U1", now=NOW + 3600, per_minute=60)
    assert whole is not None and whole.calls == 59  # never more than a minute's worth saved


async def test_a_back_off_holds_for_both_replicas_and_only_lengthens(db: Database, second: Database) -> None:
    first, other = AllowanceRepository(db.sessions), AllowanceRepository(second.sessions)
    await first.back_off("T1", "U1", NOW + 60, now=NOW, per_minute=60)
    await other.back_off("T1", "U1", NOW + 5, now=NOW, per_minute=60)
    seen = await other.get("T1", "U1", now=NOW, per_minute=60)
    assert seen is not None and seen.backed_off_until == NOW + 60 and seen.calls == 60
