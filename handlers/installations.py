"""Multi-workspace installs, read from memory: slack_sdk's cache of the installation store, tied
to Bolt's authorize cache so the two are dropped together.

Without a cache every incoming request reads the store (Bolt's ``AsyncInstallationStoreAuthorize``)
and calls Slack's ``auth.test`` before it can ack, and every post the bot makes on its own finds
the bot again. Bolt's ``cache_enabled`` keeps the ``auth.test`` answer (keyed by token); slack_sdk's
``AsyncCacheableInstallationStore`` keeps what the store answered. Neither knows when a token is
gone, so :class:`CachedInstallations`:

* drops a workspace from both caches when it is deleted or saved again (``app_uninstalled``, the
  bot token revoked, a reinstall), and on :meth:`CachedInstallations.forget` (users' tokens
  revoked): a revoked token is not used from memory on the replica Slack told;
* drops everything once it is ``max_age_seconds`` old, so what another replica learned (an
  uninstall, a reinstall) is seen here within that time at the cost of one read per workspace.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_cacheable_installation_store import (
    AsyncCacheableInstallationStore,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

#: How long anything cached is trusted before the store is read again.
DEFAULT_MAX_AGE_SECONDS = 60.0


class CachedInstallations(AsyncCacheableInstallationStore):
    """slack_sdk's in-memory installation cache, with an age limit and Bolt's authorize cache
    (:attr:`authorize_results`, shared by :func:`cached_authorize`) dropped alongside."""

    def __init__(
        self,
        installation_store: AsyncInstallationStore,
        *,
        max_age_seconds: float = DEFAULT_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(installation_store)
        self.authorize_results: dict[str, AuthorizeResult] = {}
        self._max_age = max_age_seconds
        self._clock = clock
        self._since = clock()

    def _expire(self) -> None:
        now = self._clock()
        if now - self._since >= self._max_age:
            self.cached_bots.clear()
            self.cached_installations.clear()
            self.authorize_results.clear()
            self._since = now

    def forget(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Drop what is cached for one workspace (or one org-wide install), here and in Bolt's
        authorize cache, so its next request reads the store and checks the token again."""
        team = team_id or ""
        bot_key = f"{enterprise_id or ''}-{team}"
        self.cached_bots.pop(bot_key, None)
        for key in [k for k in self.cached_installations if k.startswith(f"{bot_key}-")]:
            del self.cached_installations[key]
        for token, result in list(self.authorize_results.items()):
            if (result.team_id or "") == team and (
                enterprise_id is None or result.enterprise_id == enterprise_id
            ):
                del self.authorize_results[token]

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        self._expire()
        return await super().async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        self._expire()
        return await super().async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_save(self, installation: Installation) -> Any:
        saved = await super().async_save(installation)
        self.forget(enterprise_id=installation.enterprise_id, team_id=installation.team_id)
        return saved

    async def async_save_bot(self, bot: Bot) -> Any:
        saved = await super().async_save_bot(bot)
        self.forget(enterprise_id=bot.enterprise_id, team_id=bot.team_id)
        return saved

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await super().async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await super().async_delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        self.forget(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await super().async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(enterprise_id=enterprise_id, team_id=team_id)


def cached_authorize(
    store: CachedInstallations,
    *,
    client_id: str,
    client_secret: str,
    client: AsyncWebClient,
    logger: logging.Logger,
) -> AsyncInstallationStoreAuthorize:
    """Bolt's installation-store authorize with its cache on (``cache_enabled``), the cache being
    ``store``'s so both are dropped together. It reads bots only: installs ask for no user
    scopes, so there is no user token to look up per user."""
    authorize = AsyncInstallationStoreAuthorize(
        logger=logger,
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        bot_only=True,
        cache_enabled=True,
        client=client,
    )
    authorize.authorize_result_cache = store.authorize_results
    return authorize
