"""The outbox: messages the bot owes Slack, written with the change that causes them.

A repository that changes state and owes a message calls :func:`enqueue` inside its own
transaction, so the message exists exactly when the change does (an alert fired, an order
filled). A ``dedupe_key`` makes a second enqueue of the same message a no-op. A worker then
leases due rows (:meth:`OutboxRepository.claim`), delivers them and marks each one::

    pending ──claim──▶ sending ──▶ delivered
       ▲                  │  └───▶ dead        (it kept failing: kept, listed, counted)
       └──retry (backoff, Retry-After)──┘

A worker that dies while sending leaves the row ``sending`` until its lease runs out; the next
claim takes it again. Workers poll; in the process that queued a message, the commit that wrote it
also wakes them (:func:`on_queued`), so it goes out at once rather than at the next poll. PostgreSQL leases with ``SELECT … FOR UPDATE SKIP LOCKED``, SQLite with a
conditional UPDATE per row, so replicas never deliver one row at the same time.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam, delete, event, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from storage.leases import is_postgres
from storage.models import OutboxMessage
from storage.records import aware, utcnow

PENDING = "pending"
SENDING = "sending"
DELIVERED = "delivered"
DEAD = "dead"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    team_id: str
    channel: str
    data: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


def _item(row: OutboxMessage) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        team_id=row.team_id,
        channel=row.channel,
        data=json.loads(row.data_json or "{}"),
        state=row.state,
        attempts=row.attempts,
        next_attempt_at=aware(row.next_attempt_at),
        last_error=row.last_error,
        created_at=aware(row.created_at),
        delivered_at=aware(row.delivered_at) if row.delivered_at else None,
    )


#: ``session.info`` key: this transaction queued a message (or made one due now).
_QUEUED = "outbox_queued"
#: What to wake when such a transaction commits: each event with the loop it belongs to.
_WAKE: weakref.WeakKeyDictionary[asyncio.Event, asyncio.AbstractEventLoop] = weakref.WeakKeyDictionary()


def on_queued(wake: asyncio.Event) -> None:
    """Set ``wake`` (in its own loop) whenever a transaction of this process that queued a
    message has committed. Held weakly: a delivery loop that is gone is forgotten."""
    _WAKE[wake] = asyncio.get_running_loop()


@event.listens_for(Session, "after_commit")
def _wake_after_commit(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        for wake, loop in list(_WAKE.items()):
            if not loop.is_closed():
                loop.call_soon_threadsafe(wake.set)


@event.listens_for(Session, "after_rollback")
def _nothing_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)


async def enqueue(
    session: AsyncSession,
    kind: str,
    *,
    team_id: str,
    channel: str,
    data: Mapping[str, Any],
    dedupe_key: str | None = None,
    due_in: timedelta | None = None,
) -> None:
    """Owe Slack a message, in the caller's transaction (insert-or-ignore on ``dedupe_key``).

    ``due_in`` makes it a safety net: owed only if it is not :func:`withdrawn <withdraw>` before
    then (the process that meant to say it directly died first).
    """
    now = utcnow()
    values = {
        "kind": kind,
        "team_id": team_id,
        "channel": channel,
        "data_json": json.dumps(dict(data), sort_keys=True, default=str),
        "dedupe_key": dedupe_key[:160] if dedupe_key else None,
        "state": PENDING,
        "attempts": 0,
        "next_attempt_at": now + due_in if due_in else now,
        "created_at": now,
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(insert(OutboxMessage).values(**values).on_conflict_do_nothing())
    if not due_in:
        session.info[_QUEUED] = True


async def withdraw(session: AsyncSession, dedupe_key: str) -> bool:
    """A safety-net message that was said another way: marked delivered unless a worker has it
    already. True when it was withdrawn."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedupe_key == dedupe_key[:160], OutboxMessage.state == PENDING)
        .values(state=DELIVERED, delivered_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def due_now(session: AsyncSession, dedupe_key: str) -> None:
    """A safety-net message that could not be said another way: owed now."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.dedupe_key == dedupe_key[:160], OutboxMessage.state == PENDING)
        .values(next_attempt_at=utcnow())
    )
    session.info[_QUEUED] = True


def _due(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    """Rows whose time has come at ``now``: pending and due, or sending with a lease that ran out."""
    return ((OutboxMessage.state == PENDING) & (OutboxMessage.next_attempt_at <= now)) | (
        (OutboxMessage.state == SENDING) & (OutboxMessage.lease_until < now)
    )


#: The ids of the rows due at ``:now``, oldest first, at most ``:limit`` (what SQLite then leases
#: one by one): built once rather than on every poll, where building it cost a third of the poll.
_DUE_IDS = (
    select(OutboxMessage.id)
    .where(_due(bindparam("now", type_=OutboxMessage.next_attempt_at.type)))
    .order_by(OutboxMessage.id)
    .limit(bindparam("limit"))
)


class OutboxRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim(self, *, limit: int, lease: timedelta, now: datetime | None = None) -> list[OutboxItem]:
        """Lease up to ``limit`` due rows to this caller, oldest first: pending rows whose time
        has come, and rows whose sender's lease ran out (it died while sending)."""
        now = now or utcnow()
        postgres = is_postgres(self._sessions)
        if not postgres:  # the outbox is polled several times a second, and is mostly empty
            async with self._sessions.kw["bind"].connect() as conn:  # no ORM needed to read ids
                candidates = list((await conn.execute(_DUE_IDS, {"now": now, "limit": limit})).scalars())
            if not candidates:
                return []
        due = _due(now)
        leased = {"state": SENDING, "lease_until": now + lease, "attempts": OutboxMessage.attempts + 1}
        if postgres:
            query = select(OutboxMessage).where(due).order_by(OutboxMessage.id).limit(limit)
            async with self._sessions.begin() as session:
                ids = [r.id for r in await session.scalars(query.with_for_update(skip_locked=True))]
                if not ids:
                    return []
                await session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(**leased))
                fresh = await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .order_by(OutboxMessage.id)
                    .execution_options(populate_existing=True)
                )
                return [_item(r) for r in fresh]
        claimed: list[OutboxItem] = []
        for row_id in candidates:
            async with self._sessions.begin() as session:
                result = await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id == row_id, due).values(**leased)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    row = await session.get(OutboxMessage, row_id, populate_existing=True)
                    if row is not None:
                        claimed.append(_item(row))
        return claimed

    async def _finish(self, item_id: int, **values: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == item_id, OutboxMessage.state == SENDING)
                .values(lease_until=None, **values)
            )

    async def delivered(self, item_id: int) -> None:
        await self._finish(item_id, state=DELIVERED, delivered_at=utcnow(), last_error=None)

    async def retry(
        self, item_id: int, at: datetime, error: str | None, *, attempt_used: bool = True
    ) -> None:
        """Back to pending until ``at``; ``attempt_used=False`` when it was only held back
        (pacing), not tried."""
        values: dict[str, Any] = {"state": PENDING, "next_attempt_at": at}
        if error is not None:
            values["last_error"] = error[:255]
        if not attempt_used:
            values["attempts"] = OutboxMessage.attempts - 1
        await self._finish(item_id, **values)

    async def dead(self, item_id: int, error: str) -> None:
        await self._finish(item_id, state=DEAD, last_error=error[:255])

    async def in_flight(self, now: datetime | None = None) -> int:
        """Rows due now or being sent right now."""
        now = now or utcnow()
        async with self._sessions() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    ((OutboxMessage.state == PENDING) & (OutboxMessage.next_attempt_at <= now))
                    | (OutboxMessage.state == SENDING)
                )
            )
            return int(found or 0)

    async def listed(self, state: str | None = None, limit: int = 100) -> list[OutboxItem]:
        """Rows newest first (``autoshares-bot outbox``)."""
        query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
        if state:
            query = query.where(OutboxMessage.state == state)
        async with self._sessions() as session:
            return [_item(r) for r in await session.scalars(query)]

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
            )
            return {str(state): int(count) for state, count in rows}

    async def forget_delivered(self, older_than: timedelta) -> int:
        """Housekeeping: drop delivered rows past ``older_than`` (dead rows stay for people)."""
        cutoff = utcnow() - older_than
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.state == DELIVERED,
                    or_(OutboxMessage.delivered_at < cutoff, OutboxMessage.delivered_at.is_(None)),
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
