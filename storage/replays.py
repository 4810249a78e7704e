"""Slack requests already seen, remembered by the SHA-256 of their raw body (``slack_requests``).

Slack resends a request it thinks went unanswered (``X-Slack-Retry-Num``), and whoever captures
a signed request can send the same bytes again while its timestamp is fresh (five minutes).
Either way the body is byte-identical, so one insert-or-ignore on its hash, a primary key, tells
a first delivery from a repeat, across replicas. Only hashes are stored, never message content.
Rows are kept an hour (``forget_older_than`` from the hourly housekeeping): far beyond the
signature window, after which a replay is refused as stale anyway.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.intents import INSERT_INTENT, Intent, intent_row
from storage.models import SlackRequest
from storage.records import utcnow

#: Below this, a write is not started: the connection came too late to be worth it.
MINIMUM_STATEMENT_SECONDS = 0.05
#: How long a body hash is kept.
REPLAY_RETENTION = timedelta(hours=1)


#: PostgreSQL's lock and statement timeouts for this (the ack engine's own) connection.
_POSTGRES_LIMIT = text(
    "SELECT set_config('lock_timeout', :limit, false), set_config('statement_timeout', :limit, false)"
)


async def _limit_postgres(connection: AsyncConnection, seconds: float) -> None:
    await connection.execute(_POSTGRES_LIMIT, {"limit": f"{max(int(seconds * 1000), 1)}ms"})


async def _limit_sqlite(connection: AsyncConnection, seconds: float) -> None:
    """SQLite's busy timeout for this connection (a pragma takes no parameter, and the driver's
    own SQL skips compiling a statement on every request)."""
    await connection.exec_driver_sql(f"PRAGMA busy_timeout = {max(int(seconds * 1000), 1)}")


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class SlackRequestLog:
    """Which Slack request bodies were already handled.

    It takes the engine rather than a sessionmaker: ``first_time`` runs before every Slack ack,
    so it is one Core statement in autocommit (no BEGIN and COMMIT around it, no ORM session),
    which costs less than half the same insert in a session and waits least when many requests
    arrive at once.

    ``ack_engine`` is the engine ``first_time`` writes with, and ``timeout_seconds`` its limit.
    Only the wait for that engine's connection is abandoned by the caller (``TimeoutError``:
    requests queued behind others, the process is busy). Once the insert is sent it is the
    database that gives up, told how long it may take (SQLite's busy timeout, PostgreSQL's lock
    and statement timeouts, set to the time left): the insert then ends in an error, or it
    succeeds and is reported. A write abandoned half-way could complete later and turn the
    request's retry into a "replay" that is dropped; here none is.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ack_engine: AsyncEngine | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        self._engine = engine
        self._autocommit = (ack_engine or engine).execution_options(isolation_level="AUTOCOMMIT")
        self._transactional = ack_engine or engine
        self._timeout = timeout_seconds
        postgres = engine.dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        self._remember = insert(SlackRequest).on_conflict_do_nothing(index_elements=["body_hash"])
        self._limit = _limit_postgres if postgres else _limit_sqlite

    async def first_time(self, body: bytes, intent: Intent | None = None) -> bool:
        """Remember ``body``; True the first time it is seen, False for a retry or a replay.

        With ``intent`` (a click whose effect matters), the intent is written in the same
        transaction the first time, so a click is never seen without what it asked for.

        Raises ``TimeoutError`` when no connection came free within the timeout, and
        SQLAlchemy's errors when the database refuses or gives up (a lock held past the time
        left): either way nothing was remembered."""
        values = {"body_hash": body_hash(body), "received_at": utcnow()}
        engine = self._autocommit if intent is None else self._transactional
        if self._timeout is None:
            async with engine.connect() as connection:
                return await self._write(connection, values, intent)
        loop = asyncio.get_running_loop()
        ends = loop.time() + self._timeout
        async with asyncio.timeout_at(ends):
            connection = await engine.connect()
        try:
            left = ends - loop.time()
            if left < MINIMUM_STATEMENT_SECONDS:
                raise TimeoutError("no time left for the write")
            await self._limit(connection, left)
            return await self._write(connection, values, intent)
        finally:
            await connection.close()  # rolls back whatever was not committed

    async def _write(
        self, connection: AsyncConnection, values: dict[str, Any], intent: Intent | None
    ) -> bool:
        """The replay row (in autocommit), or the replay row and the intent in one transaction."""
        first = bool((await connection.execute(self._remember, values)).rowcount)
        if intent is not None:
            if first:
                await connection.execute(INSERT_INTENT, intent_row(intent, values["received_at"]))
            await connection.commit()
        return first

    async def forget_older_than(self, age: timedelta = REPLAY_RETENTION) -> int:
        """Delete hashes received more than ``age`` ago; returns how many."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(SlackRequest).where(SlackRequest.received_at < utcnow() - age)
            )
            return int(result.rowcount or 0)
