"""What must be paced across the whole deployment, not per process: Slack's one post a second
per channel (:class:`ChannelPaceRepository`) and each member's allowance of background
AutoShares calls (:class:`AllowanceRepository`).

Every replica moves the same row with one conditional statement, so N replicas post no faster
into a channel than one, and spend one allowance between them. Times are seconds since the
epoch as the caller's clock reads them (replicas keep their clocks in step, as NTP does; a skew
of a few milliseconds shifts a slot by as much), so that the statements can do the arithmetic
in SQL on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.leases import is_postgres
from storage.models import ChannelPace, UserAllowance


class _Dialect:
    """The few spellings that differ between the two engines: an upsert's INSERT, and the
    two-argument max/min (``greatest``/``least`` on PostgreSQL, ``max``/``min`` on SQLite)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.postgres = is_postgres(sessions)

    def insert(self, table: Any) -> Any:
        return (postgresql.insert if self.postgres else sqlite.insert)(table)

    def greatest(self, a: Any, b: Any) -> ColumnElement[float]:
        return func.greatest(a, b) if self.postgres else func.max(a, b)

    def least(self, a: Any, b: Any) -> ColumnElement[float]:
        return func.least(a, b) if self.postgres else func.min(a, b)


@dataclass(frozen=True)
class Slot:
    """A channel's answer: ``granted`` a slot starting ``at``, or not, the channel being taken
    until ``at``."""

    granted: bool
    at: float


class ChannelPaceRepository:
    """Each channel's next free posting slot, shared by every replica."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._sql = _Dialect(sessions)

    async def take(self, team_id: str, channel: str, *, now: float, pace: float, horizon: float) -> Slot:
        """Take the channel's next free slot if it starts within ``horizon`` of ``now`` (the
        post then waits for it and the slot after it is ``pace`` later), else take nothing and
        say when the channel is free. One conditional UPDATE, so two replicas never get one slot."""
        async with self._sessions.begin() as session:
            first = await session.execute(
                self._sql.insert(ChannelPace)
                .values(team_id=team_id, channel=channel, next_slot_at=now + pace)
                .on_conflict_do_nothing()
            )
            if first.rowcount:  # type: ignore[attr-defined]
                return Slot(True, now)
            this = (ChannelPace.team_id == team_id) & (ChannelPace.channel == channel)
            moved = await session.scalar(
                update(ChannelPace)
                .where(this, ChannelPace.next_slot_at <= now + horizon)
                .values(next_slot_at=self._sql.greatest(ChannelPace.next_slot_at, now) + pace)
                .returning(ChannelPace.next_slot_at)
            )
            if moved is not None:
                return Slot(True, float(moved) - pace)
            free = await session.scalar(select(ChannelPace.next_slot_at).where(this))
            return Slot(False, float(free if free is not None else now))

    async def push(self, team_id: str, channel: str, until: float) -> None:
        """Slack asked to wait (Retry-After): no replica posts to the channel before ``until``."""
        async with self._sessions.begin() as session:
            await session.execute(
                self._sql.insert(ChannelPace)
                .values(team_id=team_id, channel=channel, next_slot_at=until)
                .on_conflict_do_nothing()
            )
            await session.execute(
                update(ChannelPace)
                .where(
                    ChannelPace.team_id == team_id,
                    ChannelPace.channel == channel,
                    ChannelPace.next_slot_at < until,
                )
                .values(next_slot_at=until)
            )


@dataclass(frozen=True)
class Allowance:
    """A member's background calls left now (negative: overdrawn) and the end of their back-off."""

    calls: float
    backed_off_until: float


class AllowanceRepository:
    """Each member's allowance of background AutoShares calls, shared by every replica: ``per_minute``
    calls refilled continuously, never more than a minute's worth, moved by one UPDATE per spend."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._sql = _Dialect(sessions)

    async def get(self, team_id: str, slack_user_id: str, *, now: float, per_minute: int) -> Allowance | None:
        """The member's allowance as of ``now``; None when nothing was ever spent for them (whole)."""
        async with self._sessions() as session:
            row = await session.get(UserAllowance, (team_id, slack_user_id))
            if row is None:
                return None
            refill = max(now - row.updated_at, 0.0) * per_minute / 60.0
            return Allowance(min(float(per_minute), row.calls + refill), row.backed_off_until)

    async def spend(self, team_id: str, slack_user_id: str, calls: int, *, now: float, per_minute: int) -> None:
        """Count ``calls`` made for the member (the allowance may go below zero)."""
        refilled = self._sql.least(
            float(per_minute),
            UserAllowance.calls
            + self._sql.greatest(now - UserAllowance.updated_at, 0.0) * (per_minute / 60.0),
        )
        await self._move(
            team_id,
            slack_user_id,
            now=now,
            per_minute=per_minute,
            calls=refilled - calls,
            updated_at=self._sql.greatest(UserAllowance.updated_at, now),
        )

    async def back_off(self, team_id: str, slack_user_id: str, until: float, *, now: float, per_minute: int) -> None:
        """AutoShares answered 429 for the member: no replica calls for them before ``until``."""
        await self._move(
            team_id,
            slack_user_id,
            now=now,
            per_minute=per_minute,
            backed_off_until=self._sql.greatest(UserAllowance.backed_off_until, until),
        )

    async def _move(self, team_id: str, slack_user_id: str, *, now: float, per_minute: int, **values: Any) -> None:
        """Create the member's row whole if it is missing, then apply ``values`` (SQL
        expressions over the row as it is) in one UPDATE."""
        async with self._sessions.begin() as session:
            await session.execute(
                self._sql.insert(UserAllowance)
                .values(
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    calls=float(per_minute),
                    updated_at=now,
                    backed_off_until=0.0,
                )
                .on_conflict_do_nothing()
            )
            await session.execute(
                update(UserAllowance)
                .where(UserAllowance.team_id == team_id, UserAllowance.slack_user_id == slack_user_id)
                .values(**values)
            )
