"""The intent of a click (``click_intents``): what a button asked for, kept until it is done.

The gate writes the intent in the same transaction as the request's replay row
(``storage.replays``), before the ack, for the buttons whose effect matters. From then on the
click is owed an outcome whichever replica is alive::

    pending ──take (the listener, or recovery after a few seconds)──▶ leased ──▶ done
                                      ▲                                 │
                                      └──────── lease lapsed ───────────┘

Every move is a conditional UPDATE, so of two takers exactly one wins, on PostgreSQL and on
SQLite alike. Only ids, the button's value and the ``response_url`` are kept, never tokens.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import ClickIntent
from storage.records import utcnow

PENDING = "pending"
LEASED = "leased"
DONE = "done"
#: How long an intent is kept (done or not): far beyond any click's useful life.
INTENT_RETENTION = timedelta(days=1)


@dataclass(frozen=True)
class Intent:
    """One click whose effect matters: who clicked which button, where, and where to answer.
    ``key`` is the SHA-256 of the request's body, the replay row's key."""

    key: str
    action_id: str
    team_id: str
    user_id: str
    channel_id: str
    value: str
    response_url: str | None
    pending_id: str | None = None


def intent_row(intent: Intent, now: datetime) -> dict[str, Any]:
    """The ``click_intents`` row for a new intent (pending, never attempted)."""
    return {**asdict(intent), "state": PENDING, "attempts": 0, "lease_until": None, "created_at": now}


INSERT_INTENT = insert(ClickIntent)
_TABLE = cast(Table, ClickIntent.__table__)


def _intent(row: Any) -> Intent:
    return Intent(
        key=row.key,
        action_id=row.action_id,
        team_id=row.team_id,
        user_id=row.user_id,
        channel_id=row.channel_id,
        value=row.value,
        response_url=row.response_url,
        pending_id=row.pending_id,
    )


class ClickIntents:
    """Takes, leases and closes click intents; one short transaction per operation."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def take(self, key: str, lease: timedelta) -> bool | None:
        """Lease a pending intent to the listener that received its click: True when taken,
        False when another replica already has it (or it is done), None when there is no such
        intent (a click that is not recorded, or came over Socket Mode)."""
        table = _TABLE
        now = utcnow()
        async with self._engine.begin() as connection:
            taken = await connection.execute(
                update(table)
                .where(table.c.key == key, table.c.state == PENDING)
                .values(state=LEASED, lease_until=now + lease, attempts=table.c.attempts + 1)
            )
            if taken.rowcount:
                return True
            found = await connection.scalar(select(table.c.key).where(table.c.key == key))
        return False if found is not None else None

    async def take_due(self, older_than: timedelta, lease: timedelta, limit: int = 20) -> list[Intent]:
        """Lease intents nobody is carrying out: pending for longer than ``older_than`` (the
        replica that took the click died before its listener ran) or leased past their lease
        (it died during it). Each is leased to this caller alone."""
        table = _TABLE
        now = utcnow()
        due = or_(
            and_(table.c.state == PENDING, table.c.created_at < now - older_than),
            and_(table.c.state == LEASED, table.c.lease_until < now),
        )
        taken: list[Intent] = []
        async with self._engine.begin() as connection:
            rows = (
                await connection.execute(select(table).where(due).order_by(table.c.created_at).limit(limit))
            ).all()
            for row in rows:
                won = await connection.execute(
                    update(table)
                    .where(table.c.key == row.key, due)
                    .values(state=LEASED, lease_until=now + lease, attempts=table.c.attempts + 1)
                )
                if won.rowcount:
                    taken.append(_intent(row))
        return taken

    async def done(self, key: str) -> None:
        """The click has had its outcome: nobody takes it again."""
        table = _TABLE
        async with self._engine.begin() as connection:
            await connection.execute(
                update(table).where(table.c.key == key).values(state=DONE, lease_until=None)
            )

    async def state_of(self, key: str) -> str | None:
        """An intent's state (pending, leased, done), or None when there is none."""
        table = _TABLE
        async with self._engine.connect() as connection:
            return await connection.scalar(select(table.c.state).where(table.c.key == key))

    async def forget_older_than(self, age: timedelta = INTENT_RETENTION) -> int:
        """Delete intents created more than ``age`` ago; returns how many."""
        table = _TABLE
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(table).where(table.c.created_at < utcnow() - age))
            return int(result.rowcount or 0)
