"""Access tokens for linked users, refreshed once per user however many calls need it.

Single flight: concurrent callers for one (team, user) share one asyncio lock, and on
PostgreSQL one advisory lock across replicas; the first refreshes and stores, the rest re-read
the stored link and find the fresh token (so a rotating refresh token is never spent twice). A refresh the
issuer rejects marks the link as needing ``/autoshares link`` and raises RelinkRequiredError.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.autoshares.oidc import OAuthError, OidcClient, token_set
from bot.core.errors import NotLinkedError, RelinkRequiredError
from storage.links import Link, LinkRepository

log = logging.getLogger(__name__)

RefreshHook = Callable[[Link], Awaitable[None]]


class TokenManager:
    def __init__(
        self,
        links: LinkRepository,
        oidc: Callable[[], Awaitable[OidcClient]],
        *,
        margin: timedelta = timedelta(minutes=2),
    ) -> None:
        self._links = links
        self._oidc = oidc
        self._margin = margin
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self.after_refresh: list[RefreshHook] = []
        self.refresh_count = 0

    def expiring(self, link: Link) -> bool:
        return link.token_expires_at - self._margin <= datetime.now(UTC)

    async def mark_needs_relink(self, link: Link) -> None:
        await self._links.mark_needs_relink(link.team_id, link.slack_user_id)

    async def access_token(self, link: Link) -> str:
        """A usable access token for ``link``, refreshed first when it is about to expire."""
        if link.needs_relink:
            raise RelinkRequiredError()
        if not self.expiring(link):
            return link.access_token
        return await self.refresh(link, stale_token=link.access_token)

    async def refresh(self, link: Link, *, stale_token: str) -> str:
        """Refresh unless someone else already replaced ``stale_token``; returns the new token."""
        key = (link.team_id, link.slack_user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock, self._links.refresh_guard(*key):
            current = await self._links.get(*key)
            if current is None:
                raise NotLinkedError()
            if current.needs_relink:
                raise RelinkRequiredError()
            if current.access_token != stale_token and not self.expiring(current):
                return current.access_token
            if not current.refresh_token:
                await self._links.mark_needs_relink(*key)
                raise RelinkRequiredError("no refresh token stored")
            oidc = await self._oidc()
            try:
                answer = await oidc.refresh(current.refresh_token)
            except OAuthError as exc:
                if exc.rejected:
                    log.info("refresh rejected by the issuer; link marked for re-linking")
                    await self._links.mark_needs_relink(*key)
                    raise RelinkRequiredError(str(exc)) from None
                raise
            tokens = token_set(answer, previous_refresh=current.refresh_token)
            await self._links.update_tokens(*key, tokens)
            self.refresh_count += 1
            refreshed = await self._links.get(*key)
        if refreshed is not None:
            for hook in self.after_refresh:
                try:
                    await hook(refreshed)
                except Exception:  # a hook must never break the caller's request
                    log.exception("after-refresh hook failed")
        return tokens.access_token
