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

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import SlackRequest
from storage.records import utcnow

#: How long a body hash is kept.
REPLAY_RETENTION = timedelta(hours=1)


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class SlackRequestLog:
    """Which Slack request bodies were already handled.

    It takes the engine rather than a sessionmaker: ``first_time`` runs before every Slack ack,
    so it is one Core statement in autocommit (no BEGIN and COMMIT around it, no ORM session),
    which costs less than half the same insert in a session and waits least when many requests
    arrive at once.

    ``ack_engine`` is the engine ``first_time`` writes with: one whose statements the database
    abandons after ``timeout_seconds`` waiting for a lock (``storage.db.create_engine``), so a
    write given up on cannot record the request later and turn Slack's retry into a "replay".
    ``first_time`` itself raises ``TimeoutError`` shortly after that, whatever it waited on (a
    pooled connection, a connect).
    """

    #: How much longer than the database's own limit ``first_time`` waits before giving up: the
    #: database should be the one to give up, so that the write is abandoned, not just unawaited.
    MARGIN_SECONDS = 0.4

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ack_engine: AsyncEngine | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        self._engine = engine
        self._autocommit = (ack_engine or engine).execution_options(isolation_level="AUTOCOMMIT")
        self._timeout = None if timeout_seconds is None else timeout_seconds + self.MARGIN_SECONDS
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._remember = insert(SlackRequest).on_conflict_do_nothing(index_elements=["body_hash"])

    async def first_time(self, body: bytes) -> bool:
        """Remember ``body``; True the first time it is seen, False for a retry or a replay.

        Raises ``TimeoutError`` past the timeout, and SQLAlchemy's errors when the database
        refuses or gives up (a lock held too long): either way nothing was remembered."""
        async with asyncio.timeout(self._timeout):
            return await self._remember_once(body)

    async def _remember_once(self, body: bytes) -> bool:
        values = {"body_hash": body_hash(body), "received_at": utcnow()}
        async with self._autocommit.connect() as connection:
            result = await connection.execute(self._remember, values)
            return bool(result.rowcount)

    async def forget_older_than(self, age: timedelta = REPLAY_RETENTION) -> int:
        """Delete hashes received more than ``age`` ago; returns how many."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(SlackRequest).where(SlackRequest.received_at < utcnow() - age)
            )
            return int(result.rowcount or 0)
