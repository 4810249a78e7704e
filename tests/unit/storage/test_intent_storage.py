"""Click intents (``storage.intents``): written with the request's replay row or not at all,
leased to one taker among replicas, taken again once a lease lapses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.app.settings import async_database_url
from storage.db import Database
from storage.intents import INSERT_INTENT, ClickIntents, Intent, intent_row
from storage.models import ClickIntent, SlackRequest
from storage.records import utcnow
from storage.replays import SlackRequestLog, body_hash

CONFIRM = Intent(
    key="k" * 64,
    action_id="order_confirm",
    team_id="T1",
    user_id="U1",
    channel_id="C1",
    value="pending-1",
    response_url="https://hooks.example/actions/1",
    pending_id="pending-1",
)
LEASE = timedelta(seconds=30)


@pytest.fixture
async def second(database_url: str) -> AsyncIterator[Database]:
    """A second replica's engine on the same database."""
    database = Database(async_database_url(database_url))
    yield database
    await database.dispose()


async def count(db: Database, model: type[ClickIntent] | type[SlackRequest]) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def age(db: Database, key: str, seconds: float) -> None:
    """Make an intent ``seconds`` old (its replica took it that long ago)."""
    async with db.sessions.begin() as session:
        await session.execute(
            update(ClickIntent)
            .where(ClickIntent.key == key)
            .values(created_at=utcnow() - timedelta(seconds=seconds))
        )


async def test_the_intent_is_written_with_the_replay_row_and_only_the_first_time(db: Database) -> None:
    log = SlackRequestLog(db.engine, ack_engine=db.ack_engine, timeout_seconds=1.0)
    assert await log.first_time(b"payload=click", CONFIRM)
    assert not await log.first_time(b"payload=click", replace(CONFIRM, value="other"))  # a replay
    assert (await count(db, SlackRequest), await count(db, ClickIntent)) == (1, 1)
    assert await ClickIntents(db.engine).state_of(CONFIRM.key) == "pending"


async def test_when_the_intent_cannot_be_written_neither_is_the_replay_row(db: Database) -> None:
    """The intent's insert fails (its key is taken): the request is not remembered either, so
    it is not acknowledged as handled with nothing written down for it."""
    async with db.engine.begin() as connection:
        await connection.execute(INSERT_INTENT, intent_row(CONFIRM, utcnow()))
    log = SlackRequestLog(db.engine, ack_engine=db.ack_engine, timeout_seconds=1.0)
    with pytest.raises(IntegrityError):
        await log.first_time(b"payload=click", CONFIRM)
    async with db.sessions() as session:
        assert await session.get(SlackRequest, body_hash(b"payload=click")) is None
    assert await count(db, ClickIntent) == 1
    assert await log.first_time(b"payload=other click")  # the connection was left clean


async def test_an_intent_that_cannot_be_written_fails_its_click_alone(db: Database) -> None:
    """Requests written together: one click's intent is refused (its key taken), so that click
    is not remembered, and the others in its group are, each with its own intent."""
    async with db.engine.begin() as connection:
        await connection.execute(INSERT_INTENT, intent_row(CONFIRM, utcnow()))
    log = SlackRequestLog(db.engine, ack_engine=db.ack_engine, timeout_seconds=1.0)
    other = replace(CONFIRM, key="o" * 64)
    outcomes = await asyncio.gather(
        log.first_time(b"warm up"),
        log.first_time(b"payload=click", CONFIRM),
        log.first_time(b"payload=other click", other),
        log.first_time(b"command=/quote"),
        return_exceptions=True,
    )
    assert outcomes[0] is True and isinstance(outcomes[1], IntegrityError) and outcomes[2:] == [True, True]
    async with db.sessions() as session:
        assert await session.get(SlackRequest, body_hash(b"payload=click")) is None
    assert (await count(db, SlackRequest), await count(db, ClickIntent)) == (3, 2)
    assert await ClickIntents(db.engine).state_of(other.key) == "pending"


async def test_an_intent_is_leased_once_across_two_replicas(db: Database, second: Database) -> None:
    replicas = [ClickIntents(db.engine), ClickIntents(second.engine)]
    log = SlackRequestLog(db.engine)
    keys = [f"{i:064d}" for i in range(6)]
    for i, key in enumerate(keys):
        await log.first_time(f"click {i}".encode(), replace(CONFIRM, key=key))
    assert await replicas[0].take(keys[0], LEASE) is True  # its own listener took the first
    assert await replicas[1].take(keys[0], LEASE) is False
    assert await replicas[1].take("absent", LEASE) is None
    for key in keys:
        await age(db, key, 60)
    taken = await asyncio.gather(*(replicas[i % 2].take_due(timedelta(seconds=3), LEASE) for i in range(4)))
    keys_taken = [intent.key for batch in taken for intent in batch]
    assert sorted(keys_taken) == keys[1:]  # each left-behind intent exactly once, the leased one not
    assert {intent.pending_id for batch in taken for intent in batch} == {"pending-1"}


async def test_a_fresh_intent_is_left_to_its_listener_and_a_done_one_to_nobody(db: Database) -> None:
    intents = ClickIntents(db.engine)
    await SlackRequestLog(db.engine).first_time(b"click", CONFIRM)
    assert await intents.take_due(timedelta(seconds=3), LEASE) == []  # just received
    await intents.done(CONFIRM.key)
    await age(db, CONFIRM.key, 60)
    assert await intents.take_due(timedelta(seconds=3), LEASE) == []
    assert await intents.take(CONFIRM.key, LEASE) is False


async def test_a_lapsed_lease_is_taken_again(db: Database, second: Database) -> None:
    first, other = ClickIntents(db.engine), ClickIntents(second.engine)
    await SlackRequestLog(db.engine).first_time(b"click", CONFIRM)
    assert await first.take(CONFIRM.key, timedelta(seconds=-1)) is True  # a lease already lapsed
    again = await other.take_due(timedelta(seconds=3), LEASE)
    assert [intent.key for intent in again] == [CONFIRM.key]
    assert await first.take_due(timedelta(seconds=3), LEASE) == []  # leased anew, not lapsed
    async with db.sessions() as session:
        row = await session.get(ClickIntent, CONFIRM.key)
        assert row is not None and (row.state, row.attempts) == ("leased", 2)
    assert await first.forget_older_than(timedelta(seconds=-1)) == 1
