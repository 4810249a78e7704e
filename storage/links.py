"""Linked users and their tokens. One transaction per operation; tokens encrypted at rest.

A row whose tokens none of the configured keys decrypts (``TOKEN_ENCRYPTION_KEY`` changed
without keeping the old key) is read back as a link that needs linking again, with empty tokens,
rather than raising: the user can still see their status, link again (``save`` overwrites the
row) and unlink.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Row, Table, delete, exists, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.crypto import SecretUnreadable, TokenCipher
from storage.models import AlertRoute, LinkedUser, PendingOrder
from storage.outbox import enqueue
from storage.records import (
    ACTIVE,
    PLACED,
    SUBMITTING,
    TERMINAL_ORDER_STATUSES,
    Link,
    TokenFields,
    aware,
    utcnow,
)

LINKED = "linked"
_LINKS = cast(Table, LinkedUser.__table__)


class LinkRepository:
    """Reads and writes ``linked_users``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: TokenCipher) -> None:
        self._sessions = sessions
        self._cipher = cipher
        # ``get`` is read by nearly every command and click: a Core select on a connection,
        # without an ORM session around it, costs half as much.
        self._engine: AsyncEngine = sessions.kw["bind"]

    def _to_link(self, row: LinkedUser | Row[Any]) -> Link:
        try:
            access = self._cipher.decrypt(row.access_token_enc)
            refresh = self._cipher.decrypt(row.refresh_token_enc) if row.refresh_token_enc else None
        except SecretUnreadable:
            access, refresh, unreadable = "", None, True
        else:
            unreadable = False
        return Link(
            team_id=row.team_id,
            slack_user_id=row.slack_user_id,
            autoshares_user_id=row.autoshares_user_id,
            autoshares_login=row.autoshares_login,
            email=row.email,
            display_name=row.display_name,
            access_token=access,
            refresh_token=refresh,
            token_expires_at=aware(row.token_expires_at),
            scopes=row.scopes,
            linked_at=aware(row.linked_at),
            needs_relink=row.needs_relink or unreadable,
            default_account_id=row.default_account_id,
            agreements_outstanding=row.agreements_outstanding,
            tokens_unreadable=unreadable,
        )

    @contextlib.asynccontextmanager
    async def refresh_guard(self, team_id: str, slack_user_id: str) -> AsyncIterator[None]:
        """Hold a PostgreSQL advisory lock for this user's token refresh, so replicas take
        turns; the body reads and writes through other sessions. No-op on SQLite."""
        bind = self._sessions.kw.get("bind")
        if bind is None or bind.dialect.name != "postgresql":
            yield
            return
        async with self._sessions.begin() as session:
            key = func.hashtext(f"autoshares-refresh:{team_id}:{slack_user_id}")
            await session.execute(select(func.pg_advisory_xact_lock(key)))
            yield

    async def get(self, team_id: str, slack_user_id: str) -> Link | None:
        query = select(_LINKS).where(_LINKS.c.team_id == team_id, _LINKS.c.slack_user_id == slack_user_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return self._to_link(row) if row else None

    async def get_many(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], Link]:
        """The links of these (team, Slack user) pairs in one query (a background pass reads a
        whole chunk's users at once); pairs not linked are absent."""
        if not keys:
            return {}
        query = select(LinkedUser).where(tuple_(LinkedUser.team_id, LinkedUser.slack_user_id).in_(list(keys)))
        async with self._sessions() as session:
            return {
                (row.team_id, row.slack_user_id): self._to_link(row) for row in await session.scalars(query)
            }

    async def save(
        self,
        *,
        team_id: str,
        slack_user_id: str,
        autoshares_user_id: int,
        autoshares_login: str,
        email: str | None,
        display_name: str | None,
        tokens: TokenFields,
        agreements_outstanding: int,
        agreements: Sequence[Mapping[str, Any]] = (),
    ) -> Link:
        """Create or replace the user's link (re-linking keeps their default account); the user
        is owed a message saying so, with ``agreements`` still to sign (same transaction)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await session.scalar(
                select(LinkedUser)
                .where(LinkedUser.team_id == team_id, LinkedUser.slack_user_id == slack_user_id)
                .with_for_update()
            )
            if row is None:
                row = LinkedUser(team_id=team_id, slack_user_id=slack_user_id)
                session.add(row)
            elif row.autoshares_user_id != autoshares_user_id:
                row.default_account_id = None
            row.autoshares_user_id = autoshares_user_id
            row.autoshares_login = autoshares_login
            row.email = email
            row.display_name = display_name
            row.access_token_enc = self._cipher.encrypt(tokens.access_token)
            row.refresh_token_enc = (
                self._cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None
            )
            row.token_expires_at = tokens.expires_at
            row.scopes = tokens.scopes
            row.linked_at = now
            row.refreshed_at = None
            row.needs_relink = False
            row.agreements_outstanding = agreements_outstanding
            await session.flush()
            await enqueue(
                session,
                LINKED,
                team_id=team_id,
                channel=slack_user_id,
                data={"agreements": [dict(a) for a in agreements]},
                dedupe_key=f"linked:{team_id}:{slack_user_id}:{now.isoformat()}",
            )
            return self._to_link(row)

    async def update_tokens(self, team_id: str, slack_user_id: str, tokens: TokenFields) -> None:
        values: dict[str, object] = {
            "access_token_enc": self._cipher.encrypt(tokens.access_token),
            "token_expires_at": tokens.expires_at,
            "refreshed_at": utcnow(),
            "needs_relink": False,
        }
        if tokens.refresh_token:
            values["refresh_token_enc"] = self._cipher.encrypt(tokens.refresh_token)
        async with self._sessions.begin() as session:
            await session.execute(
                update(LinkedUser)
                .where(LinkedUser.team_id == team_id, LinkedUser.slack_user_id == slack_user_id)
                .values(**values)
            )

    async def _set(self, team_id: str, slack_user_id: str, **values: object) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                update(LinkedUser)
                .where(LinkedUser.team_id == team_id, LinkedUser.slack_user_id == slack_user_id)
                .values(**values)
            )

    async def mark_needs_relink(self, team_id: str, slack_user_id: str) -> None:
        await self._set(team_id, slack_user_id, needs_relink=True)

    async def set_default_account(self, team_id: str, slack_user_id: str, account_id: int | None) -> None:
        await self._set(team_id, slack_user_id, default_account_id=account_id)

    async def set_agreements_outstanding(self, team_id: str, slack_user_id: str, count: int) -> None:
        await self._set(team_id, slack_user_id, agreements_outstanding=count)

    async def expiring_with_work(self, before: datetime, *, limit: int = 1000) -> list[Link]:
        """Links whose access token expires by ``before`` and that background work still needs:
        an active alert route, or an order placed and still open (or awaiting its answer).
        Links already waiting for the user to link again, or without a refresh token, are left
        out: refreshing cannot help them. Soonest to expire first."""
        same_user = (AlertRoute.team_id == LinkedUser.team_id) & (
            AlertRoute.slack_user_id == LinkedUser.slack_user_id
        )
        has_alerts = exists().where(same_user, AlertRoute.state == ACTIVE)
        open_order = (PendingOrder.status == SUBMITTING) | (
            (PendingOrder.status == PLACED)
            & (
                PendingOrder.order_status.is_(None)
                | PendingOrder.order_status.not_in(sorted(TERMINAL_ORDER_STATUSES))
            )
        )
        has_orders = exists().where(
            PendingOrder.team_id == LinkedUser.team_id,
            PendingOrder.slack_user_id == LinkedUser.slack_user_id,
            open_order,
        )
        query = (
            select(LinkedUser)
            .where(
                LinkedUser.token_expires_at <= before,
                LinkedUser.needs_relink.is_(False),
                LinkedUser.refresh_token_enc.is_not(None),
                or_(has_alerts, has_orders),
            )
            .order_by(LinkedUser.token_expires_at)
            .limit(limit)
        )
        async with self._sessions() as session:
            return [self._to_link(row) for row in await session.scalars(query)]

    async def in_team(self, team_id: str, slack_user_ids: Sequence[str] | None = None) -> list[Link]:
        """Every link of a workspace (or of those users in it)."""
        query = select(LinkedUser).where(LinkedUser.team_id == team_id)
        if slack_user_ids is not None:
            query = query.where(LinkedUser.slack_user_id.in_(list(slack_user_ids)))
        async with self._sessions() as session:
            return [self._to_link(row) for row in await session.scalars(query.order_by(LinkedUser.id))]

    async def delete(self, team_id: str, slack_user_id: str) -> bool:
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(LinkedUser).where(
                    LinkedUser.team_id == team_id, LinkedUser.slack_user_id == slack_user_id
                )
            )
            return bool(cast(CursorResult[Any], result).rowcount)
