"""Linked users: who a Slack user is at AutoShares, and the API acting for them.

``LinkedUsers.acting(team, user)`` reads the link (one indexed read) and returns an
``ActingUser``: the link and a ``UserApi`` whose auth flow carries that user's token. Token
refresh is the client's (``bot.autoshares.tokens``); this module is its ``TokenStore`` over
``storage.links``, and the place where a refresh's consequences are handled: the refresh is
counted and the user's agreements are recounted in the background (AutoShares checks
agreements at every sign-in). ``refresh_expiring`` refreshes, ahead of expiry, the tokens of
users whom background work still needs (active alerts, open orders), so that work never stops
because someone stayed away longer than their access token lasts.

The agreements count kept on the link is written in one place, :meth:`LinkedUsers.agreements`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Collection, Hashable
from dataclasses import dataclass
from datetime import timedelta

from bot.autoshares.auth import UserTokenAuth
from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.errors import AutoSharesError
from bot.autoshares.resources import Agreement
from bot.autoshares.tokens import Refresher, TokenManager, TokenSet
from bot.core.errors import NotLinkedError
from bot.core.tasks import BackgroundTasks
from bot.telemetry.metrics import Metrics
from storage.links import LinkRepository
from storage.records import Link, utcnow

log = logging.getLogger(__name__)

UserKey = tuple[str, str]  # (team id, Slack user id)


def _key(key: Hashable) -> UserKey:
    assert isinstance(key, tuple) and len(key) == 2, key
    return str(key[0]), str(key[1])


class LinkTokenStore:
    """``bot.autoshares.tokens.TokenStore`` over the links table (keys are (team, user))."""

    def __init__(self, links: LinkRepository) -> None:
        self._links = links

    async def load(self, key: Hashable) -> Link | None:
        return await self._links.get(*_key(key))

    async def save(self, key: Hashable, tokens: TokenSet) -> None:
        await self._links.update_tokens(*_key(key), tokens)

    async def mark_needs_relink(self, key: Hashable) -> None:
        await self._links.mark_needs_relink(*_key(key))

    @contextlib.asynccontextmanager
    async def exclusive(self, key: Hashable) -> AsyncIterator[None]:
        async with self._links.refresh_guard(*_key(key)):
            yield


@dataclass(frozen=True)
class ActingUser:
    """A linked Slack user and the AutoShares API acting for them."""

    link: Link
    api: UserApi


class LinkedUsers:
    def __init__(
        self,
        links: LinkRepository,
        client: AutoSharesClient,
        refresher: Refresher,
        *,
        tasks: BackgroundTasks,
        metrics: Metrics,
    ) -> None:
        self.links = links
        self._client = client
        self._tasks = tasks
        self._metrics = metrics
        self._recounting: set[UserKey] = set()
        self.tokens = TokenManager(LinkTokenStore(links), refresher, on_refresh=self._refreshed)

    async def get(self, team_id: str, slack_user_id: str) -> Link | None:
        """The user's link; one whose tokens no key decrypts comes back needing a relink."""
        link = await self.links.get(team_id, slack_user_id)
        if link is not None and link.tokens_unreadable:
            log.warning(
                "this user's stored tokens cannot be decrypted with TOKEN_ENCRYPTION_KEY; they are "
                "asked to link again (put the old key back at the end of the list to avoid that)"
            )
        return link

    async def acting(self, team_id: str, slack_user_id: str) -> ActingUser:
        """The user and their API; NotLinkedError when they have not linked AutoShares."""
        link = await self.get(team_id, slack_user_id)
        if link is None:
            raise NotLinkedError()
        return self.acting_as(link)

    async def acting_many(self, keys: Collection[UserKey]) -> dict[UserKey, ActingUser]:
        """Those of these users who are linked, with their API, read in one query (background
        passes); as ``acting``, a link whose tokens no key decrypts comes back needing a relink."""
        links = await self.links.get_many(keys)
        if any(link.tokens_unreadable for link in links.values()):
            log.warning(
                "some users' stored tokens cannot be decrypted with TOKEN_ENCRYPTION_KEY; they are "
                "asked to link again (put the old key back at the end of the list to avoid that)"
            )
        return {key: self.acting_as(link) for key, link in links.items()}

    def acting_as(self, link: Link) -> ActingUser:
        auth = UserTokenAuth(self.tokens, (link.team_id, link.slack_user_id), link)
        return ActingUser(link, self._client.for_user(auth, link.autoshares_user_id))

    async def agreements(self, user: ActingUser, known: list[Agreement] | None = None) -> list[Agreement]:
        """The agreements AutoShares still wants signed (``known``: a list just read from it);
        the count kept on the link follows."""
        agreements = known if known is not None else await user.api.agreements()
        if len(agreements) != user.link.agreements_outstanding:
            await self.links.set_agreements_outstanding(
                user.link.team_id, user.link.slack_user_id, len(agreements)
            )
        return agreements

    async def refresh_expiring(self, ahead: timedelta, *, concurrency: int = 8, limit: int = 1000) -> int:
        """Refresh the tokens that expire within ``ahead`` of users with active alerts or open
        orders; returns how many were refreshed.

        Through the single-flight ``TokenManager``: a token another request or replica refreshed
        meanwhile is left as it is, and a refresh the issuer rejects marks the user as needing
        to link again (their background work then stops until they do).
        """
        links = await self.links.expiring_with_work(utcnow() + ahead, limit=limit)
        slots = asyncio.Semaphore(max(concurrency, 1))

        async def refresh(link: Link) -> bool:
            async with slots:
                key = (link.team_id, link.slack_user_id)
                try:
                    fresh = await self.tokens.refresh(key, stale_token=link.access_token)
                except AutoSharesError as exc:
                    log.info("background token refresh failed: %s", exc.code)
                    return False
                return fresh != link.access_token

        return sum(await asyncio.gather(*(refresh(link) for link in links)))

    async def _refreshed(self, key: Hashable) -> None:
        self._metrics.token_refreshes.inc()
        user_key = _key(key)
        if user_key not in self._recounting:
            self._recounting.add(user_key)
            self._tasks.spawn(self._recount(user_key))

    async def _recount(self, key: UserKey) -> None:
        try:
            link = await self.links.get(*key)
            if link is not None:
                await self.agreements(self.acting_as(link))
        except Exception as exc:  # a background check: log, never disturb the user
            log.warning("agreements check after token refresh failed: %s", type(exc).__name__)
        finally:
            self._recounting.discard(key)
