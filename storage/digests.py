"""Digest schedules: create, list, remove, and take the due ones exactly once.

:meth:`DigestRepository.take_due` is the scheduler's one write: for each schedule due at
``now`` it moves ``next_run_at`` to the next occurrence with ``UPDATE … WHERE next_run_at =
<the due time>`` and, in the same transaction, owes the post to the outbox under the key
``digest:<id>:<occurrence>``. However many replicas run the pass at once, one wins each
occurrence, and the outbox's unique key would refuse a second post even if two did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit import add_event
from storage.models import DigestSchedule
from storage.outbox import enqueue
from storage.records import Digest, aware, utcnow

#: Outbox kind of a digest owed to Slack (composed when it is delivered).
DIGEST_DUE = "digest_due"


class TooManyDigests(Exception):
    """The member already has the most schedules allowed."""


def _digest(row: DigestSchedule) -> Digest:
    return Digest(
        id=row.id,
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        channel_id=row.channel_id,
        every=row.every,
        at_local=row.at_local,
        zone=row.zone,
        label=row.label,
        next_run_at=aware(row.next_run_at),
        last_run_at=aware(row.last_run_at) if row.last_run_at else None,
    )


class DigestRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self,
        *,
        team_id: str,
        slack_user_id: str,
        channel_id: str,
        every: str,
        at_local: str,
        zone: str,
        label: str,
        next_run_at: datetime,
        most: int,
    ) -> Digest:
        """A new schedule (audited); :class:`TooManyDigests` past ``most`` per member."""
        now = utcnow()
        async with self._sessions.begin() as session:
            held = await session.scalar(
                select(func.count())
                .select_from(DigestSchedule)
                .where(DigestSchedule.team_id == team_id, DigestSchedule.slack_user_id == slack_user_id)
            )
            if (held or 0) >= most:
                raise TooManyDigests()
            row = DigestSchedule(
                team_id=team_id,
                slack_user_id=slack_user_id,
                channel_id=channel_id,
                every=every,
                at_local=at_local,
                zone=zone,
                label=label[:64],
                next_run_at=next_run_at,
                created_at=now,
            )
            session.add(row)
            await session.flush()
            add_event(
                session,
                subject="digest",
                action="scheduled",
                team_id=team_id,
                slack_user_id=slack_user_id,
                subject_id=str(row.id),
                detail={"every": every, "at": at_local, "zone": zone, "channel": channel_id},
                at=now,
            )
            return _digest(row)

    async def get(self, digest_id: int) -> Digest | None:
        async with self._sessions() as session:
            row = await session.get(DigestSchedule, digest_id)
            return _digest(row) if row else None

    async def for_user(self, team_id: str, slack_user_id: str) -> list[Digest]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(DigestSchedule)
                .where(DigestSchedule.team_id == team_id, DigestSchedule.slack_user_id == slack_user_id)
                .order_by(DigestSchedule.id)
            )
            return [_digest(r) for r in rows]

    async def remove(
        self, team_id: str, slack_user_ids: Sequence[str] | None = None, digest_id: int | None = None
    ) -> int:
        """Delete a member's schedules (one, or all), or a whole workspace's; how many went."""
        statement = delete(DigestSchedule).where(DigestSchedule.team_id == team_id)
        if slack_user_ids is not None:
            statement = statement.where(DigestSchedule.slack_user_id.in_(list(slack_user_ids)))
        if digest_id is not None:
            statement = statement.where(DigestSchedule.id == digest_id)
        async with self._sessions.begin() as session:
            result = await session.execute(statement)
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def take_due(
        self,
        now: datetime,
        following: Callable[[Digest, datetime], datetime],
        *,
        late: timedelta,
        limit: int = 500,
    ) -> list[tuple[Digest, datetime]]:
        """Owe the post of every schedule due at ``now``, once each: (schedule, occurrence) for
        the ones this caller won. ``following(schedule, after)`` is the next occurrence after a
        time (a pure rule of the caller's: dates, zone, holidays). An occurrence more than
        ``late`` ago (the bot was down) is moved on without a post: yesterday's digest is news
        to nobody, and several missed ones never arrive as a burst."""
        async with self._sessions() as session:
            rows = list(
                await session.scalars(
                    select(DigestSchedule)
                    .where(DigestSchedule.next_run_at <= now)
                    .order_by(DigestSchedule.next_run_at, DigestSchedule.id)
                    .limit(limit)
                )
            )
        taken = []
        for row in rows:
            schedule = _digest(row)
            occurrence = schedule.next_run_at
            stale = now - occurrence > late
            after = max(occurrence, now)
            async with self._sessions.begin() as session:
                result = await session.execute(
                    update(DigestSchedule)
                    .where(DigestSchedule.id == row.id, DigestSchedule.next_run_at == row.next_run_at)
                    .values(next_run_at=following(schedule, after), last_run_at=now)
                )
                if result.rowcount != 1:  # type: ignore[attr-defined]
                    continue  # another pass took it
                if stale:
                    continue
                await enqueue(
                    session,
                    DIGEST_DUE,
                    team_id=schedule.team_id,
                    channel=schedule.channel_id,
                    data={"digest_id": schedule.id, "occurrence": occurrence.isoformat()},
                    dedupe_key=f"digest:{schedule.id}:{occurrence.isoformat()}",
                )
            taken.append((schedule, occurrence))
        return taken
