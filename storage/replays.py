"""Slack requests already seen, remembered by the SHA-256 of their raw body (``slack_requests``).

Slack resends a request it thinks went unanswered (``X-Slack-Retry-Num``), and whoever captures
a signed request can send the same bytes again while its timestamp is fresh (five minutes).
Either way the body is byte-identical, so one insert-or-ignore on its hash, a primary key, tells
a first delivery from a repeat, across replicas. Only hashes are stored, never message content.
Rows are kept an hour (``forget_older_than`` from the hourly housekeeping): far beyond the
signature window, after which a replay is refused as stale anyway.
"""

from __future__ import annotations

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
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        self._remember = insert(SlackRequest).on_conflict_do_nothing(index_elements=["body_hash"])

    async def first_time(self, body: bytes) -> bool:
        """Remember ``body``; True the first time it is seen, False for a retry or a replay."""
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
