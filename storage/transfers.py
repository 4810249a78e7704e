"""Transfers a member follows, and the outcomes they were told of.

A member follows an account's deposits and withdrawals from the first time they run
`/autoshares transfers` on it (:meth:`TransferRepository.watch`); the transfers that had
already ended then are noted as known, so only what ends afterwards is told. The transfer pass
leases due watches (:meth:`TransferRepository.claim_due`, like the other pollers) and, for each
transfer that completed or failed, :meth:`TransferRepository.tell` inserts one
``transfer_notices`` row, whose primary key (member, transfer, outcome) is the unique key: the
DM is owed to the outbox in the same transaction only when that insert took, so two replicas
seeing the same transfer tell the member once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.leases import lease_chunk
from storage.models import TransferNotice, TransferWatch
from storage.outbox import enqueue
from storage.records import utcnow

#: The outbox kind of a member's DM about a transfer that completed or failed.
TRANSFER_SETTLED = "transfer_settled"


@dataclass(frozen=True)
class WatchedAccount:
    """An account whose transfers a member follows."""

    team_id: str
    slack_user_id: str
    account_id: int


def _insert(session: AsyncSession) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def notice_key(team_id: str, slack_user_id: str, transfer_id: str, outcome: str) -> str:
    """The outbox key of the DM about one outcome of one transfer."""
    return f"transfer:{team_id}:{slack_user_id}:{transfer_id[:64]}:{outcome}"


class TransferRepository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def watch(
        self, team_id: str, slack_user_id: str, account_id: int, ended: Iterable[tuple[str, str]]
    ) -> bool:
        """Follow the account's transfers from now on (True when newly followed); ``ended``
        (transfer id, outcome) are the transfers that have ended already, never told."""
        now = utcnow()
        async with self._sessions.begin() as session:
            insert = _insert(session)
            result = await session.execute(
                insert(TransferWatch)
                .values(
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    account_id=account_id,
                    created_at=now,
                    checked_at=now,
                )
                .on_conflict_do_nothing()
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            for transfer_id, outcome in ended:
                await session.execute(
                    insert(TransferNotice)
                    .values(
                        team_id=team_id,
                        slack_user_id=slack_user_id,
                        transfer_id=transfer_id[:64],
                        outcome=outcome,
                        account_id=account_id,
                        told=False,
                        created_at=now,
                    )
                    .on_conflict_do_nothing()
                )
            return True

    async def claim_due(
        self, every: timedelta, *, now: datetime | None = None, limit: int = 200
    ) -> list[WatchedAccount]:
        """Watches last checked before ``now - every``, leased to this caller (stamped ``now``,
        so a pass that claims again with the same ``now`` gets only what it has not had)."""
        now = now or utcnow()
        due = TransferWatch.checked_at < now - every
        chosen = select(TransferWatch.id).where(due).order_by(TransferWatch.checked_at).limit(limit)
        rows = await lease_chunk(self._sessions, TransferWatch, chosen, due, {"checked_at": now})
        return [WatchedAccount(r.team_id, r.slack_user_id, r.account_id) for r in rows]

    async def watchers_of(self, account_id: int) -> list[WatchedAccount]:
        """Everyone following the account's transfers."""
        async with self._sessions() as session:
            rows = await session.scalars(select(TransferWatch).where(TransferWatch.account_id == account_id))
            return [WatchedAccount(r.team_id, r.slack_user_id, r.account_id) for r in rows]

    async def tell(
        self, watched: WatchedAccount, transfer_id: str, outcome: str, data: Mapping[str, Any]
    ) -> bool:
        """Owe the member one DM about this outcome of the transfer, once: True when this call
        took the unique key (and enqueued the DM in the same transaction)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            result = await session.execute(
                _insert(session)(TransferNotice)
                .values(
                    team_id=watched.team_id,
                    slack_user_id=watched.slack_user_id,
                    transfer_id=transfer_id[:64],
                    outcome=outcome,
                    account_id=watched.account_id,
                    told=True,
                    created_at=now,
                )
                .on_conflict_do_nothing()
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            await enqueue(
                session,
                TRANSFER_SETTLED,
                team_id=watched.team_id,
                channel=watched.slack_user_id,
                data={"account_id": watched.account_id, **data},
                dedupe_key=notice_key(watched.team_id, watched.slack_user_id, transfer_id, outcome),
            )
            return True

    async def forget(self, team_id: str, slack_user_id: str) -> None:
        """The member follows no account's transfers any more."""
        await self.forget_members(team_id, [slack_user_id])

    async def forget_members(self, team_id: str, slack_user_ids: Sequence[str] | None = None) -> None:
        """Those members (None: everyone in the workspace) follow no transfers any more, and
        what they were told is forgotten (a workspace or member leaving)."""
        async with self._sessions.begin() as session:
            for model in (TransferWatch, TransferNotice):
                query = delete(model).where(model.team_id == team_id)
                if slack_user_ids is not None:
                    query = query.where(model.slack_user_id.in_(list(slack_user_ids)))
                await session.execute(query)
