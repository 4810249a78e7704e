"""Slack requests already seen, remembered by the SHA-256 of their raw body (``slack_requests``).

Slack resends a request it thinks went unanswered (``X-Slack-Retry-Num``), and whoever captures
a signed request can send the same bytes again while its timestamp is fresh (five minutes).
Either way the body is byte-identical, so one insert-or-ignore on its hash, a primary key, tells
a first delivery from a repeat, across replicas. Only hashes are stored, never message content.
Rows are kept an hour (``forget_older_than`` from the hourly housekeeping): far beyond the
signature window, after which a replay is refused as stale anyway.

**Group commit.** The row is written before Slack's ack, for every request, so its cost is paid
by every ack. The requests that arrive while a write is under way are written together by the
next one: one transaction, one multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (the
hashes that come back are the first deliveries), the intents of the durable clicks among them in
the same transaction, one commit. Each request still waits for its own row to be committed
before it is acked, so the rule is unchanged; what is shared is the transaction's overhead
(a connection, a limit, a commit: on SQLite an fsync, on PostgreSQL a round trip each), which
made the replay row most of the ack's cost when each request paid it alone. No task outlives a
write: the request that finds no write under way starts one for everything queued.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.intents import INSERT_INTENT, Intent, intent_row
from storage.models import SlackRequest
from storage.records import utcnow

#: Below this, a write is not started: the connection came too late to be worth it.
MINIMUM_STATEMENT_SECONDS = 0.05
#: How long a body hash is kept.
REPLAY_RETENTION = timedelta(hours=1)
#: The most rows one transaction writes (two parameters each, far below SQLite's limit).
MAX_BATCH = 500


#: The database is told the time left rounded down to this step, and told again only when that
#: changes (a group written as soon as it is queued has the whole limit left, so mostly it does
#: not): one statement fewer per write, and the database gives up at most this much early.
LIMIT_STEP_MS = 50
#: Where a connection keeps the limit it was last told (its ``info``, which lives as long as it).
_LIMIT_KEY = "autoshares_ack_limit_ms"

#: PostgreSQL's lock and statement timeouts for this (the ack engine's own) connection.
_POSTGRES_LIMIT = text(
    "SELECT set_config('lock_timeout', :limit, false), set_config('statement_timeout', :limit, false)"
)


async def _limit_postgres(connection: AsyncConnection, milliseconds: int) -> None:
    await connection.execute(_POSTGRES_LIMIT, {"limit": f"{milliseconds}ms"})


async def _limit_sqlite(connection: AsyncConnection, milliseconds: int) -> None:
    """SQLite's busy timeout for this connection (a pragma takes no parameter, and the driver's
    own SQL skips compiling a statement on every request)."""
    await connection.exec_driver_sql(f"PRAGMA busy_timeout = {milliseconds}")


def limit_ms(seconds_left: float) -> int:
    """The limit the database is given for ``seconds_left``: never more, at most a step less."""
    return max(int(seconds_left * 1000) // LIMIT_STEP_MS * LIMIT_STEP_MS, 1)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass
class _Waiting:
    """One request's row, queued for the next write, and what its request is told."""

    values: dict[str, Any]
    intent: Intent | None
    ends: float  # the event loop's time by which it must be written (inf: no limit)
    outcome: asyncio.Future[bool] = field(repr=False)

    def tell(self, first: bool | BaseException) -> None:
        if self.outcome.done():
            return
        if isinstance(first, asyncio.CancelledError):
            self.outcome.cancel()
        elif isinstance(first, BaseException):
            self.outcome.set_exception(first)
        else:
            self.outcome.set_result(first)


class SlackRequestLog:
    """Which Slack request bodies were already handled.

    It takes the engine rather than a sessionmaker: ``first_time`` runs before every Slack ack,
    so it is Core statements on a connection (no ORM session), grouped with the other requests
    waiting at the same moment (see the module's docstring).

    ``ack_engine`` is the engine ``first_time`` writes with, and ``timeout_seconds`` its limit.
    Only the wait is abandoned by the caller (``TimeoutError``: queued behind other requests
    until too little time was left, or no connection came free; the process is busy). Once the
    insert is sent it is the database that gives up, told how long it may take (SQLite's busy
    timeout, PostgreSQL's lock and statement timeouts, set to the least time left in the group):
    the insert then ends in an error, or it succeeds and is reported. A write abandoned half-way
    could complete later and turn the request's retry into a "replay" that is dropped; here
    none is.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ack_engine: AsyncEngine | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        self._engine = engine
        # A group without a click's intent is one statement, atomic on its own: autocommit
        # saves the BEGIN and COMMIT around it.
        self._autocommit = (ack_engine or engine).execution_options(isolation_level="AUTOCOMMIT")
        self._transactional = ack_engine or engine
        self._timeout = timeout_seconds
        postgres = engine.dialect.name == "postgresql"
        insert = postgresql.insert if postgres else sqlite.insert
        # Many rows as one "insertmanyvalues" statement, compiled once and cached.
        self._remember = (
            insert(SlackRequest)
            .on_conflict_do_nothing(index_elements=["body_hash"])
            .returning(SlackRequest.body_hash)
        )
        self._limit = _limit_postgres if postgres else _limit_sqlite
        self._queue: list[_Waiting] = []
        self._writing: asyncio.Task[None] | None = None
        #: Transactions that wrote replay rows so far (each holds one or more requests' rows).
        self.transactions = 0

    async def first_time(self, body: bytes, intent: Intent | None = None) -> bool:
        """Remember ``body``; True the first time it is seen, False for a retry or a replay.

        With ``intent`` (a click whose effect matters), the intent is written in the same
        transaction the first time, so a click is never seen without what it asked for.

        Raises ``TimeoutError`` when the row could not be sent within the timeout, and
        SQLAlchemy's errors when the database refuses or gives up (a lock held past the time
        left): either way nothing was remembered."""
        loop = asyncio.get_running_loop()
        ends = math.inf if self._timeout is None else loop.time() + self._timeout
        values = {"body_hash": body_hash(body), "received_at": utcnow()}
        waiting = _Waiting(values, intent, ends, loop.create_future())
        if self._writing is not None and self._writing.get_loop() is not loop:
            self._writing, self._queue = None, []  # left by an event loop that is gone (tests)
        self._queue.append(waiting)
        while not waiting.outcome.done():
            if self._writing is None or self._writing.done():
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                # A task of its own: a request cancelled while it waits stops no one else's write.
                self._writing = asyncio.ensure_future(self._write_group(batch))
            await asyncio.wait([self._writing])
        return waiting.outcome.result()

    async def _write_group(self, batch: Sequence[_Waiting]) -> None:
        """Write ``batch`` in one transaction and tell each request its outcome; never raises.

        Requests whose time ran out in the queue are told ``TimeoutError`` without a write. If
        the intent of one click cannot be written (its key taken), the others are not made to
        fail with it: each is then written alone, and only that one is refused."""
        now = asyncio.get_running_loop().time()
        live: list[_Waiting] = []
        for waiting in batch:
            if waiting.ends - now >= MINIMUM_STATEMENT_SECONDS:
                live.append(waiting)
            else:
                waiting.tell(TimeoutError("queued past the time left"))
        try:
            if live:
                await self._write_and_tell(live)
        except IntegrityError as error:
            if len(live) == 1:
                live[0].tell(error)
            else:
                for one in live:
                    await self._write_group([one])
        except BaseException as error:  # every request is told; the caller's loop goes on
            for waiting in live:
                waiting.tell(error)
            if not isinstance(error, Exception):
                raise

    async def _write_and_tell(self, live: Sequence[_Waiting]) -> None:
        """One transaction: the rows (and the first deliveries' intents), committed; then each
        request learns whether it was the first."""
        loop = asyncio.get_running_loop()
        ends = min(w.ends for w in live)
        engine = self._transactional if any(w.intent for w in live) else self._autocommit
        if math.isinf(ends):
            connection = await engine.connect()
        else:
            async with asyncio.timeout_at(ends):
                connection = await engine.connect()
        try:
            if not math.isinf(ends):
                left = ends - loop.time()
                if left < MINIMUM_STATEMENT_SECONDS:
                    raise TimeoutError("no time left for the write")
                await self._tell_limit(connection, limit_ms(left))
            firsts = await self._write(connection, live)
        except BaseException:
            # A limit set in a transaction that rolled back is undone (PostgreSQL): set it anew.
            connection.info.pop(_LIMIT_KEY, None)
            raise
        finally:
            await connection.close()  # rolls back whatever was not committed
        self.transactions += 1
        for waiting in live:
            waiting.tell(id(waiting) in firsts)

    async def _tell_limit(self, connection: AsyncConnection, milliseconds: int) -> None:
        """Give the database ``milliseconds`` for this connection's statements, unless it has
        that limit already."""
        if connection.info.get(_LIMIT_KEY) == milliseconds:
            return
        connection.info.pop(_LIMIT_KEY, None)
        await self._limit(connection, milliseconds)
        connection.info[_LIMIT_KEY] = milliseconds

    async def _write(self, connection: AsyncConnection, live: Sequence[_Waiting]) -> set[int]:
        """Insert the rows, then the intents of those seen for the first time and commit (in
        autocommit, without intents, the insert is its own transaction). Returns
        the ids of the requests seen for the first time (of two with the same body in one
        group, the earlier)."""
        unique: dict[str, _Waiting] = {}
        for waiting in live:
            unique.setdefault(waiting.values["body_hash"], waiting)
        rows = [w.values for w in unique.values()]
        inserted = set((await connection.execute(self._remember, rows)).scalars())
        firsts = [w for hash_, w in unique.items() if hash_ in inserted]
        if any(w.intent for w in live):
            intents = [intent_row(w.intent, w.values["received_at"]) for w in firsts if w.intent is not None]
            if intents:
                await connection.execute(INSERT_INTENT, intents)
            await connection.commit()
        return {id(w) for w in firsts}

    async def forget_older_than(self, age: timedelta = REPLAY_RETENTION) -> int:
        """Delete hashes received more than ``age`` ago; returns how many."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(SlackRequest).where(SlackRequest.received_at < utcnow() - age)
            )
            return int(result.rowcount or 0)
