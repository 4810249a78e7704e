"""The in-memory installation cache: what it answers from memory, and when it asks the store again
(a workspace deleted, saved again or forgotten, or the cache grown old). The store underneath is
slack_sdk's own file store, counting the reads that reach it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.file import FileInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from handlers.installations import CachedInstallations, cached_authorize


class CountedFileStore(FileInstallationStore):
    reads = 0

    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        self.reads += 1
        return await super().async_find_bot(**kwargs)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def installation(team_id: str) -> Installation:
    return Installation(
        team_id=team_id, user_id="U0INSTALLER", bot_token=f"xoxb-{team_id}", bot_id="B0", bot_user_id="U0BOT"
    )


def authorized(team_id: str) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id=team_id, bot_token=f"xoxb-{team_id}")


async def cache_with(
    tmp_path: Path, *teams: str, clock: Clock | None = None
) -> tuple[CachedInstallations, CountedFileStore]:
    store = CountedFileStore(base_dir=str(tmp_path), client_id="1.2")
    cache = CachedInstallations(store, max_age_seconds=60, clock=clock or Clock())
    for team in teams:
        await cache.async_save(installation(team))
        assert await cache.async_find_bot(enterprise_id=None, team_id=team) is not None  # cached now
        cache.authorize_results[f"xoxb-{team}"] = authorized(team)
    store.reads = 0
    return cache, store


async def test_a_cached_bot_is_answered_from_memory_until_it_is_a_minute_old(tmp_path: Path) -> None:
    clock = Clock()
    cache, store = await cache_with(tmp_path, "T1", clock=clock)
    clock.now += 59
    assert (await cache.async_find_bot(enterprise_id=None, team_id="T1")) is not None
    assert store.reads == 0 and "xoxb-T1" in cache.authorize_results
    clock.now += 1
    assert (await cache.async_find_bot(enterprise_id=None, team_id="T1")) is not None
    assert store.reads == 1  # read again, what another replica may have changed included
    assert cache.authorize_results == {}


async def test_forgetting_a_workspace_drops_it_only(tmp_path: Path) -> None:
    cache, store = await cache_with(tmp_path, "T1", "T12")
    cache.forget(enterprise_id=None, team_id="T1")
    assert set(cache.authorize_results) == {"xoxb-T12"}  # T12 starts like T1 but is another workspace
    await cache.async_find_bot(enterprise_id=None, team_id="T12")
    assert store.reads == 0
    await cache.async_find_bot(enterprise_id=None, team_id="T1")
    assert store.reads == 1


async def test_deleting_or_saving_a_workspace_drops_its_authorization(tmp_path: Path) -> None:
    cache, store = await cache_with(tmp_path, "T1", "T2")
    await cache.async_delete_all(enterprise_id=None, team_id="T1")
    assert await cache.async_find_bot(enterprise_id=None, team_id="T1") is None
    assert set(cache.authorize_results) == {"xoxb-T2"}
    await cache.async_save(installation("T2"))  # a reinstall: the token may carry other scopes
    assert cache.authorize_results == {}
    assert store.reads == 1


def test_bolts_authorize_keeps_its_cache_in_the_store(tmp_path: Path) -> None:
    cache = CachedInstallations(FileInstallationStore(base_dir=str(tmp_path), client_id="1.2"))
    authorize = cached_authorize(
        cache, client_id="1.2", client_secret="s", client=AsyncWebClient(), logger=logging.getLogger(__name__)
    )
    assert authorize.cache_enabled and authorize.bot_only
    assert authorize.authorize_result_cache is cache.authorize_results
