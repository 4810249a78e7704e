"""Single-use OAuth link states: bound to (team, user), expiring, consumed atomically."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.crypto import TokenCipher
from storage.models import LinkState
from storage.records import aware, utcnow


class StateProblem(enum.Enum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IssuedState:
    state: str
    team_id: str
    slack_user_id: str
    code_verifier: str = field(repr=False)
    nonce: str = field(repr=False)


class LinkStateRepository:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher, ttl_seconds: int = 600
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._ttl = timedelta(seconds=ttl_seconds)

    async def issue(self, team_id: str, slack_user_id: str, code_verifier: str, nonce: str) -> IssuedState:
        """Store a fresh state for this Slack user; also sweeps states long expired."""
        now = utcnow()
        state = secrets.token_urlsafe(32)
        async with self._sessions.begin() as session:
            await session.execute(delete(LinkState).where(LinkState.expires_at < now - timedelta(days=1)))
            session.add(
                LinkState(
                    state=state,
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    code_verifier_enc=self._cipher.encrypt(code_verifier),
                    nonce=nonce,
                    created_at=now,
                    expires_at=now + self._ttl,
                )
            )
        return IssuedState(state, team_id, slack_user_id, code_verifier, nonce)

    async def peek(self, state: str | None) -> IssuedState | StateProblem:
        """Look a state up without using it (the login redirect needs the PKCE verifier)."""
        if not state:
            return StateProblem.MISSING
        async with self._sessions() as session:
            row = await session.get(LinkState, state[:128])
            return self._check(row, utcnow())

    async def consume(self, state: str | None, now: datetime | None = None) -> IssuedState | StateProblem:
        """Use the state once. A conditional UPDATE means two callbacks cannot both win."""
        if not state:
            return StateProblem.MISSING
        now = now or utcnow()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(LinkState)
                .where(
                    LinkState.state == state[:128], LinkState.used_at.is_(None), LinkState.expires_at > now
                )
                .values(used_at=now)
            )
            row = await session.get(LinkState, state[:128])
            if cast(CursorResult[Any], result).rowcount == 1 and row is not None:
                return self._issued(row)
            return self._check(row, now) if row is not None else StateProblem.UNKNOWN

    def _check(self, row: LinkState | None, now: datetime) -> IssuedState | StateProblem:
        if row is None:
            return StateProblem.UNKNOWN
        if row.used_at is not None:
            return StateProblem.USED
        if aware(row.expires_at) <= now:
            return StateProblem.EXPIRED
        return self._issued(row)

    def _issued(self, row: LinkState) -> IssuedState:
        return IssuedState(
            row.state, row.team_id, row.slack_user_id, self._cipher.decrypt(row.code_verifier_enc), row.nonce
        )

    async def exists(self, state: str) -> bool:
        async with self._sessions() as session:
            return await session.scalar(select(LinkState.state).where(LinkState.state == state)) is not None
