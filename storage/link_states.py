"""Single-use sign-ins: bound to (team, user) and to one browser, expiring, consumed atomically.

The state travels in URLs, so only its SHA-256 is stored (as is the browser cookie's); a leaked
database or log line cannot be replayed. A sign-in moves::

    issued ──login──▶ bound to a browser ──Sign in with Slack──▶ verified ──callback──▶ used

Every move is a conditional UPDATE on the hash, so two browsers or two replicas cannot both win.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.crypto import SecretUnreadable, TokenCipher
from storage.models import LinkState
from storage.outbox import enqueue
from storage.records import aware, utcnow

LINK_REFUSED = "link_refused"


class StateProblem(enum.Enum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    OTHER_BROWSER = "other_browser"  # not the browser that started this sign-in
    NOT_VERIFIED = "not_verified"  # Sign in with Slack was skipped
    UNREADABLE = "unreadable"  # no configured TOKEN_ENCRYPTION_KEY decrypts its PKCE verifier


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a state or a browser cookie is stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedState:
    state: str = field(repr=False)
    team_id: str
    slack_user_id: str
    code_verifier: str = field(repr=False)
    nonce: str = field(repr=False)
    slack_nonce: str = field(repr=False, default="")
    slack_verified: bool = False


class LinkStateRepository:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher, ttl_seconds: int = 600
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._ttl = timedelta(seconds=ttl_seconds)

    async def issue(
        self, team_id: str, slack_user_id: str, code_verifier: str, nonce: str, slack_nonce: str = ""
    ) -> IssuedState:
        """Store a fresh sign-in for this Slack user; also sweeps sign-ins long expired."""
        now = utcnow()
        state = secrets.token_urlsafe(32)
        async with self._sessions.begin() as session:
            await session.execute(delete(LinkState).where(LinkState.expires_at < now - timedelta(days=1)))
            session.add(
                LinkState(
                    state=digest(state),
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    code_verifier_enc=self._cipher.encrypt(code_verifier),
                    nonce=nonce,
                    slack_nonce=slack_nonce or None,
                    created_at=now,
                    expires_at=now + self._ttl,
                )
            )
        return IssuedState(state, team_id, slack_user_id, code_verifier, nonce, slack_nonce)

    async def peek(self, state: str | None) -> IssuedState | StateProblem:
        """Look a sign-in up without moving it."""
        if not state:
            return StateProblem.MISSING
        async with self._sessions() as session:
            row = await session.get(LinkState, digest(state))
            return self._check(row, state, utcnow())

    async def bind_browser(self, state: str, browser: str) -> IssuedState | StateProblem:
        """Tie the sign-in to the browser holding the cookie ``browser`` (the latest opener wins:
        a forwarded link takes it over, and then fails at Sign in with Slack)."""
        return await self._move(
            state, {"browser_hash": digest(browser)}, [LinkState.slack_verified_at.is_(None)]
        )

    async def verify_slack(self, state: str, browser: str | None) -> IssuedState | StateProblem:
        """Sign in with Slack proved this browser is the requester's."""
        return await self._move(
            state, {"slack_verified_at": utcnow()}, [LinkState.slack_verified_at.is_(None)], browser=browser
        )

    async def consume(
        self, state: str | None, browser: str | None = None, *, verified: bool = True
    ) -> IssuedState | StateProblem:
        """Use the sign-in once: from the browser it is bound to and, with ``verified``, only
        after Sign in with Slack."""
        where = [LinkState.slack_verified_at.is_not(None)] if verified else []
        return await self._move(state, {"used_at": utcnow()}, where, browser=browser, bound=verified)

    async def burn(self, state: str, *, tell_requester: bool = False) -> None:
        """End a sign-in that went wrong: it cannot be tried again. ``tell_requester``: someone
        else opened it, and the requester is owed a message saying so (same transaction)."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(LinkState)
                .where(LinkState.state == digest(state), LinkState.used_at.is_(None))
                .values(used_at=utcnow())
            )
            row = await session.get(LinkState, digest(state))
            if tell_requester and row is not None and cast(CursorResult[Any], result).rowcount == 1:
                await enqueue(
                    session,
                    LINK_REFUSED,
                    team_id=row.team_id,
                    channel=row.slack_user_id,
                    data={},
                    dedupe_key=f"link_refused:{row.state}",
                )

    async def _move(
        self,
        state: str | None,
        values: dict[str, Any],
        where: list[Any],
        *,
        browser: str | None = None,
        bound: bool = False,
    ) -> IssuedState | StateProblem:
        if not state:
            return StateProblem.MISSING
        key, now = digest(state), utcnow()
        conditions = [LinkState.state == key, LinkState.used_at.is_(None), LinkState.expires_at > now, *where]
        if bound or browser is not None:
            conditions.append(LinkState.browser_hash == digest(browser or ""))
        async with self._sessions.begin() as session:
            result = await session.execute(update(LinkState).where(*conditions).values(**values))
            row = await session.get(LinkState, key, populate_existing=True)
            if cast(CursorResult[Any], result).rowcount == 1 and row is not None:
                return self._issued(row, state)
            checked = self._check(row, state, now)
            if isinstance(checked, StateProblem):
                return checked
            if (
                (bound or browser is not None)
                and row is not None
                and row.browser_hash != digest(browser or "")
            ):
                return StateProblem.OTHER_BROWSER
            return StateProblem.NOT_VERIFIED if "used_at" in values else StateProblem.USED

    def _check(self, row: LinkState | None, state: str, now: datetime) -> IssuedState | StateProblem:
        if row is None:
            return StateProblem.UNKNOWN
        if row.used_at is not None:
            return StateProblem.USED
        if aware(row.expires_at) <= now:
            return StateProblem.EXPIRED
        return self._issued(row, state)

    def _issued(self, row: LinkState, state: str) -> IssuedState | StateProblem:
        try:
            code_verifier = self._cipher.decrypt(row.code_verifier_enc)
        except SecretUnreadable:
            return StateProblem.UNREADABLE  # issued under a key no longer configured: link again
        return IssuedState(
            state,
            row.team_id,
            row.slack_user_id,
            code_verifier,
            row.nonce,
            row.slack_nonce or "",
            row.slack_verified_at is not None,
        )

    async def exists(self, state: str) -> bool:
        async with self._sessions() as session:
            found = await session.scalar(select(LinkState.state).where(LinkState.state == digest(state)))
            return found is not None
