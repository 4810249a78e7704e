"""SlackRequestLog: a body is new once, repeats are seen as repeats (concurrently too), and
the hourly housekeeping forgets old hashes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update

from storage.db import Database
from storage.models import SlackRequest
from storage.records import utcnow
from storage.replays import SlackRequestLog, body_hash


async def test_a_body_is_new_once(db: Database) -> None:
    log = SlackRequestLog(db.engine)
    assert await log.first_time(b"command=/alert&text=AAPL")
    assert not await log.first_time(b"command=/alert&text=AAPL")
    assert await log.first_time(b"command=/alert&text=AAPL ")
    results = await asyncio.gather(*(log.first_time(b"same bytes") for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]
    async with db.sessions() as session:
        hashes = set(await session.scalars(select(SlackRequest.body_hash)))
    assert body_hash(b"same bytes") in hashes and len(hashes) == 3  # hashes only, never the body


async def test_old_hashes_are_forgotten(db: Database) -> None:
    log = SlackRequestLog(db.engine)
    await log.first_time(b"old")
    await log.first_time(b"new")
    async with db.sessions.begin() as session:
        await session.execute(
            update(SlackRequest)
            .where(SlackRequest.body_hash == body_hash(b"old"))
            .values(received_at=utcnow() - timedelta(hours=2))
        )
    assert await log.forget_older_than(timedelta(hours=1)) == 1
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SlackRequest)) == 1
    assert await log.first_time(b"old")  # forgotten: a replay this old fails the timestamp check anyway
