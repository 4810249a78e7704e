"""Corporate actions told to holders (``holdings_checks``, ``corporate_action_notices``).

The pass looks at each linked member's holdings in turn: :meth:`lease_due` takes a chunk of
members whose check is due and moves their next check on in the same statement (``FOR UPDATE
SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on SQLite), so replicas split them. Telling a
member of an action (:meth:`tell`) inserts the notice, keyed by member and action, and owes the
DM to the outbox in the same transaction only when the insert took: a second replica that finds
the same action for the same member inserts nothing and owes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.leases import is_postgres, lease_chunk
from storage.models import CorporateActionNotice, HoldingsCheck, LinkedUser
from storage.outbox import enqueue
from storage.records import utcnow

#: The outbox kind of a corporate action's DM.
CORPORATE_ACTION = "corporate_action"


@dataclass(frozen=True)
class Member:
    team_id: str
    slack_user_id: str


class CorporateActionRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    def _insert(self) -> Any:
        return postgresql.insert if is_postgres(self._sessions) else sqlite.insert

    async def enrol_linked(self, now: datetime | None = None) -> None:
        """A check row, due now, for every linked member who has none."""
        # the WHERE lets SQLite tell the SELECT's end from ON CONFLICT
        chosen = select(
            LinkedUser.team_id, LinkedUser.slack_user_id, literal(now or utcnow(), DateTime(timezone=True))
        ).where(LinkedUser.id.is_not(None))
        statement = (
            self._insert()(HoldingsCheck)
            .from_select(["team_id", "slack_user_id", "next_check_at"], chosen)
            .on_conflict_do_nothing()
        )
        async with self._sessions.begin() as session:
            await session.execute(statement)

    async def lease_due(self, now: datetime, every: timedelta, limit: int) -> list[Member]:
        """Up to ``limit`` members whose check is due, leased to this caller until ``every``."""
        due = HoldingsCheck.next_check_at <= now
        chosen = select(HoldingsCheck.id).where(due).order_by(HoldingsCheck.next_check_at).limit(limit)
        rows = await lease_chunk(
            self._sessions, HoldingsCheck, chosen, due, {"next_check_at": now + every, "claimed_at": now}
        )
        return [Member(row.team_id, row.slack_user_id) for row in rows]

    async def check_again(self, member: Member, at: datetime) -> None:
        """Look at ``member`` again at ``at`` (sooner than their lease says)."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(HoldingsCheck)
                .where(
                    HoldingsCheck.team_id == member.team_id,
                    HoldingsCheck.slack_user_id == member.slack_user_id,
                )
                .values(next_check_at=at)
            )

    async def forget(self, member: Member) -> None:
        """A member no longer linked: no more checks (a new link enrols them again)."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(HoldingsCheck).where(
                    HoldingsCheck.team_id == member.team_id,
                    HoldingsCheck.slack_user_id == member.slack_user_id,
                )
            )

    async def tell(
        self, member: Member, action_key: str, symbol: str, kind: str, data: Mapping[str, Any]
    ) -> bool:
        """Owe ``member`` a DM about the action, once: True when this call owed it."""
        notice = (
            self._insert()(CorporateActionNotice)
            .values(
                team_id=member.team_id,
                slack_user_id=member.slack_user_id,
                action_key=action_key[:128],
                symbol=symbol[:16],
                kind=kind[:32],
                told_at=utcnow(),
            )
            .on_conflict_do_nothing()
        )
        async with self._sessions.begin() as session:
            inserted = (await session.execute(notice)).rowcount  # type: ignore[attr-defined]
            if not inserted:
                return False
            await enqueue(
                session,
                CORPORATE_ACTION,
                team_id=member.team_id,
                channel=member.slack_user_id,
                data=data,
                dedupe_key=f"{CORPORATE_ACTION}:{member.team_id}:{member.slack_user_id}:{action_key}",
            )
        return True

    async def told(self, member: Member) -> list[str]:
        """The keys of the actions ``member`` was told of."""
        async with self._sessions() as session:
            found = await session.scalars(
                select(CorporateActionNotice.action_key).where(
                    CorporateActionNotice.team_id == member.team_id,
                    CorporateActionNotice.slack_user_id == member.slack_user_id,
                )
            )
            return sorted(found)
