"""Leasing rows among replicas (``storage.leases``): the dialect is told from the sessions' bind;
a chunk is stamped and returned once, only rows still due are taken, and a row whose lease ran out
is taken by the next caller."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from storage.db import Database
from storage.leases import is_postgres, lease_chunk
from storage.models import HoldingsCheck
from storage.records import aware, utcnow

EVERY = timedelta(minutes=5)


async def due_in(db: Database, **offsets: timedelta) -> datetime:
    """One check row per member, due at now plus its offset; returns now."""
    now = utcnow()
    async with db.sessions.begin() as session:
        for user, offset in offsets.items():
            session.add(HoldingsCheck(team_id="T1", slack_user_id=user, next_check_at=now + offset))
    return now


async def lease(db: Database, now: datetime, limit: int = 10) -> list[HoldingsCheck]:
    due = HoldingsCheck.next_check_at <= now
    chosen = select(HoldingsCheck.id).where(due).order_by(HoldingsCheck.next_check_at).limit(limit)
    stamp = {"next_check_at": now + EVERY, "claimed_at": now}
    return await lease_chunk(db.sessions, HoldingsCheck, chosen, due, stamp)


async def test_the_dialect_is_read_from_the_sessions_bind(db: Database) -> None:
    assert is_postgres(db.sessions) is db.is_postgres
    assert is_postgres(async_sessionmaker()) is False  # no bind: nothing to lock with
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")  # never connects
    try:
        assert is_postgres(async_sessionmaker(engine, class_=AsyncSession)) is True
    finally:
        await engine.dispose()


async def test_a_chunk_is_the_most_overdue_rows_stamped_and_returned(db: Database) -> None:
    now = await due_in(db, U1=-timedelta(minutes=1), U2=-timedelta(minutes=3), U3=timedelta(minutes=1))
    rows = await lease(db, now, limit=1)
    assert [r.slack_user_id for r in rows] == ["U2"]
    assert aware(rows[0].next_check_at) == now + EVERY and aware(rows[0].claimed_at or now) == now
    assert [r.slack_user_id for r in await lease(db, now)] == ["U1"]
    assert await lease(db, now) == []  # U3 is not due yet, the others are leased
    async with db.sessions() as session:
        stamped = {c.slack_user_id: c.claimed_at for c in await session.scalars(select(HoldingsCheck))}
    assert stamped["U3"] is None and stamped["U1"] is not None


async def test_callers_at_once_never_lease_the_same_row(db: Database) -> None:
    now = await due_in(db, **{f"U{i}": -timedelta(seconds=i) for i in range(6)})
    chunks = await asyncio.gather(*(lease(db, now, limit=2) for _ in range(5)))
    taken = [r.slack_user_id for chunk in chunks for r in chunk]
    assert sorted(taken) == [f"U{i}" for i in range(6)]


async def test_a_row_whose_lease_ran_out_is_taken_by_the_next_caller(db: Database) -> None:
    now = await due_in(db, U1=timedelta(0))
    assert [r.slack_user_id for r in await lease(db, now)] == ["U1"]
    assert await lease(db, now + EVERY - timedelta(seconds=1)) == []
    again = await lease(db, now + EVERY)
    assert [r.slack_user_id for r in again] == ["U1"]
    assert aware(again[0].claimed_at or now) == now + EVERY
