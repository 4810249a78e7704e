"""SlackRequestLog: a body is new once, repeats are seen as repeats (concurrently too), requests
waiting together share one write, a write held up by another writer is abandoned by the
database itself, and the hourly housekeeping forgets old hashes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from bot.app.settings import async_database_url
from storage.db import Database
from storage.models import SlackRequest
from storage.records import utcnow
from storage.replays import SlackRequestLog, body_hash
from tests.conftest import held_by_another_writer


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


async def test_requests_waiting_together_share_one_write(db: Database) -> None:
    """The first request is written at once; the nineteen that arrive meanwhile, repeats among
    them, go in the next transaction, each told whether it was the first of its body."""
    log = SlackRequestLog(db.engine, ack_engine=db.ack_engine, timeout_seconds=1.0)
    bodies = [f"command {i % 10}".encode() for i in range(20)]
    results = await asyncio.gather(*(log.first_time(body) for body in bodies))
    assert results == [True] * 10 + [False] * 10
    assert log.transactions == 2
    assert not await log.first_time(b"command 3")
    async with db.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(SlackRequest)) == 10


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


async def test_a_write_held_up_by_another_writer_is_given_up_by_the_database(database_url: str) -> None:
    """The database, not only the caller, gives up on the write (SQLite's busy timeout,
    PostgreSQL's lock timeout): it ends in an error, so it cannot complete once the lock is
    released and turn the request's retry into a replay."""
    database = Database(async_database_url(database_url), ack_seconds=0.2)
    log = SlackRequestLog(database.engine, ack_engine=database.ack_engine, timeout_seconds=0.2)
    try:
        # The ack's connection is open before the lock is taken (as in a running bot): what is
        # held up is the write, not the opening of a first connection.
        assert await log.first_time(b"warm up")
        async with held_by_another_writer(database_url):
            with pytest.raises(DBAPIError):
                await log.first_time(b"held up")
            # Queued behind a held-up write: given up in the queue or by the database, in time.
            queued = await asyncio.gather(
                *(log.first_time(f"queued {i}".encode()) for i in range(3)), return_exceptions=True
            )
            assert all(isinstance(outcome, DBAPIError | TimeoutError) for outcome in queued), queued
        assert await log.first_time(b"held up")
        assert await log.first_time(b"not held up")
        assert await log.first_time(b"queued 2")  # nothing was remembered
    finally:
        await database.dispose()
