"""Access tokens for signed-in users, refreshed once per user however many calls need it.

The client never touches a database: tokens live behind a :class:`TokenStore` (the bot's is
``bot.core.users.LinkTokenStore``), and a refresh is reported to an ``on_refresh`` callback, the
way authlib's httpx client hands new tokens to ``update_token``.

Single flight: concurrent callers for one user share one asyncio lock, and the store's
``exclusive`` guard (a PostgreSQL advisory lock in the bot) serialises replicas; the first
refreshes and saves, the rest re-read the store and find the fresh token, so a rotating refresh
token is never spent twice. A refresh the issuer rejects marks the user as needing to link again
and raises :class:`RelinkRequired`.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.autoshares.errors import OAuthError, RelinkRequired

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint answered, as stored (``expires_in`` turned into a moment)."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    scopes: str = ""


def token_set(answer: dict[str, Any], *, previous_refresh: str | None = None) -> TokenSet:
    """Turn a token endpoint answer into a TokenSet; read ``expires_in``, never assume it."""
    try:
        expires_in = int(answer.get("expires_in") or 3600)
    except (TypeError, ValueError):
        expires_in = 3600
    return TokenSet(
        access_token=str(answer["access_token"]),
        refresh_token=answer.get("refresh_token") or previous_refresh,
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in),
        scopes=str(answer.get("scope") or ""),
    )


class Grant(Protocol):
    """The stored tokens of one user, as the store reads them back."""

    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def token_expires_at(self) -> datetime: ...
    @property
    def needs_relink(self) -> bool: ...


class TokenStore(Protocol):
    """Where tokens are kept, keyed by an opaque user key."""

    async def load(self, key: Hashable) -> Grant | None: ...
    async def save(self, key: Hashable, tokens: TokenSet) -> None: ...
    async def mark_needs_relink(self, key: Hashable) -> None: ...
    def exclusive(self, key: Hashable) -> AbstractAsyncContextManager[None]: ...


class Refresher(Protocol):
    """The identity provider's refresh grant (``bot.autoshares.oidc.OidcClient``)."""

    async def refresh(self, refresh_token: str) -> dict[str, Any]: ...


RefreshCallback = Callable[[Hashable], Awaitable[None]]


class TokenManager:
    def __init__(
        self,
        store: TokenStore,
        refresher: Refresher,
        *,
        on_refresh: RefreshCallback | None = None,
        margin: timedelta = timedelta(minutes=2),
    ) -> None:
        self._store = store
        self._refresher = refresher
        self._on_refresh = on_refresh
        self._margin = margin
        self._locks: weakref.WeakValueDictionary[Hashable, asyncio.Lock] = weakref.WeakValueDictionary()
        self.refresh_count = 0

    def expiring(self, grant: Grant) -> bool:
        return grant.token_expires_at - self._margin <= datetime.now(UTC)

    async def access_token(self, key: Hashable, grant: Grant) -> str:
        """A usable access token for ``grant`` (the caller's copy), refreshed when about to expire."""
        if grant.needs_relink:
            raise RelinkRequired("the stored sign-in needs renewing")
        if not self.expiring(grant):
            return grant.access_token
        return await self.refresh(key, stale_token=grant.access_token)

    async def reject(self, key: Hashable) -> None:
        """AutoShares refused even a fresh token: the user must link again."""
        await self._store.mark_needs_relink(key)

    async def refresh(self, key: Hashable, *, stale_token: str) -> str:
        """Refresh unless someone else already replaced ``stale_token``; returns the new token."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock, self._store.exclusive(key):
            current = await self._store.load(key)
            if current is None:
                raise RelinkRequired("the sign-in was removed while refreshing")
            if current.needs_relink:
                raise RelinkRequired("the stored sign-in needs renewing")
            if current.access_token != stale_token and not self.expiring(current):
                return current.access_token
            if not current.refresh_token:
                await self._store.mark_needs_relink(key)
                raise RelinkRequired("no refresh token stored")
            try:
                answer = await self._refresher.refresh(current.refresh_token)
            except OAuthError as exc:
                if exc.rejected:
                    log.info("refresh rejected by the issuer; marked for linking again")
                    await self._store.mark_needs_relink(key)
                    raise RelinkRequired(str(exc)) from None
                raise
            tokens = token_set(answer, previous_refresh=current.refresh_token)
            await self._store.save(key, tokens)
            self.refresh_count += 1
        if self._on_refresh is not None:
            try:
                await self._on_refresh(key)
            except Exception:  # a listener must never break the caller's request
                log.exception("after-refresh callback failed")
        return tokens.access_token
