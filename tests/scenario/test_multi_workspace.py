"""Multi-workspace mode: a workspace installs the app through /slack/install (Bolt's OAuth flow
with slack_sdk's SQLAlchemy stores), and the bot then acts there with that installation's token,
read from memory after the first request until the workspace lets go of the app."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore

from handlers.installations import CachedInstallations
from tests.conftest import RunningBot

ALICE = "U0ALICE"


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    """No bot token: the client id and secret (the same ones Sign in with Slack uses) install."""
    return {**bot_env, "SLACK_BOT_TOKEN": ""}


async def start_install(bot: RunningBot) -> dict[str, list[str]]:
    """Open the install page; return the query of its "Add to Slack" link."""
    page = await bot.http.get(bot.url + "slack/install")
    assert page.status_code == 200
    authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert authorize, page.text
    query = parse_qs(urlsplit(authorize.group(1).replace("&amp;", "&")).query)
    # Bolt binds the state to the browser with a Secure cookie, which an http client does not
    # send back over plain http: hand it back the way the browser would over https.
    assert f"slack-app-oauth-state={query['state'][0]}" in page.headers["set-cookie"]
    return query


async def finish_install(bot: RunningBot, state: str, code: str = "good-code") -> tuple[int, str]:
    done = await bot.http.get(
        bot.url + f"slack/oauth_redirect?code={code}&state={state}",
        headers={"Cookie": f"slack-app-oauth-state={state}"},
    )
    return done.status_code, done.text


async def install(bot: RunningBot, code: str = "good-code") -> tuple[int, str]:
    query = await start_install(bot)
    assert query["client_id"] == [bot.settings.slack_client_id]
    assert set(query["scope"][0].split(",")) == {
        "commands",
        "chat:write",
        "chat:write.public",
        "files:write",
        "im:write",
        "users:read",
        "links:read",
        "links:write",
        "app_mentions:read",
    }
    assert query["redirect_uri"] == [bot.url + "slack/oauth_redirect"]
    return await finish_install(bot, query["state"][0], code)


async def test_install_then_link_uses_the_installed_token(bot: RunningBot) -> None:
    assert bot.settings.multi_workspace
    status, _ = await install(bot)
    assert status == 200
    store = bot.services.slack.installation_store
    assert store is not None
    installed = await store.async_find_bot(enterprise_id=None, team_id=bot.slack.team_id)
    assert installed is not None and installed.bot_token == "xoxb-installed-t0demo"

    page = await bot.link(ALICE, "bob")
    assert page.status_code == 200 and "linked to AutoShares as bob" in page.text
    dm = await bot.slack.wait_for("chat.postMessage", channel=ALICE)
    assert dm[0].token == "xoxb-installed-t0demo"


async def test_a_refused_install_stores_nothing(bot: RunningBot) -> None:
    status, _ = await install(bot, code="bad-code")
    assert status >= 400
    store = bot.services.slack.installation_store
    assert store is not None
    assert await store.async_find_bot(enterprise_id=None, team_id=bot.slack.team_id) is None


async def test_a_reused_install_state_is_refused(bot: RunningBot) -> None:
    state = (await start_install(bot))["state"][0]
    first, _ = await finish_install(bot, state)
    again, _ = await finish_install(bot, state)
    assert first == 200
    assert again >= 400


class CountedStore(AsyncSQLAlchemyInstallationStore):
    """The bot's own SQLAlchemy installation store, counting the reads that reach the database."""

    reads = 0

    async def async_find_bot(self, **kwargs: Any) -> Bot | None:
        self.reads += 1
        return await super().async_find_bot(**kwargs)

    async def async_find_installation(self, **kwargs: Any) -> Installation | None:
        self.reads += 1
        return await super().async_find_installation(**kwargs)


async def installed_and_counted(bot: RunningBot) -> CountedStore:
    """Install the app, then count what reaches the store under the bot's installation cache."""
    status, _ = await install(bot)
    assert status == 200
    cache = bot.services.slack.installation_store
    assert isinstance(cache, CachedInstallations)
    counted = CountedStore(client_id=bot.settings.slack_client_id or "", engine=bot.services.db.engine)
    cache.underlying = counted
    return counted


async def help_answered(bot: RunningBot) -> str:
    """Run ``/autoshares help`` and return what the bot answered through the response URL."""
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command("/autoshares", "help", user=ALICE)
    assert response.status_code == 200
    return str(await bot.last_response(before + 1))


async def test_a_second_request_is_authorized_from_memory(bot: RunningBot) -> None:
    store = await installed_and_counted(bot)
    assert "/order" in await help_answered(bot)
    reads, checks = store.reads, len(bot.slack.by_method("auth.test"))
    assert reads >= 1 and checks >= 1  # the first request read the store and checked the token
    assert "/order" in await help_answered(bot)
    assert "/alert" in await help_answered(bot)
    assert store.reads == reads
    assert len(bot.slack.by_method("auth.test")) == checks


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}},
    ],
    ids=["app_uninstalled", "bot_token_revoked"],
)
async def test_after_the_workspace_lets_go_no_request_is_authorized_from_memory(
    bot: RunningBot, event: dict[str, Any]
) -> None:
    store = await installed_and_counted(bot)
    assert "/order" in await help_answered(bot)
    assert (await bot.driver.event({**event, "event_ts": "1700000000.000100"})).status_code == 200
    await bot.services.drain()
    reads = store.reads
    answer = await help_answered(bot)
    assert store.reads > reads  # the store was asked again, and had nothing
    assert "/order" not in answer  # Bolt's answer for a workspace it has no installation for


async def test_revoked_user_tokens_make_the_next_request_check_the_token_again(bot: RunningBot) -> None:
    store = await installed_and_counted(bot)
    assert "/order" in await help_answered(bot)
    reads, checks = store.reads, len(bot.slack.by_method("auth.test"))
    revoked = {
        "type": "tokens_revoked",
        "tokens": {"oauth": ["U0BOB"], "bot": []},
        "event_ts": "1700000000.2",
    }
    assert (await bot.driver.event(revoked)).status_code == 200
    await bot.services.drain()
    assert "/order" in await help_answered(bot)  # the bot token is still good
    assert store.reads > reads
    assert len(bot.slack.by_method("auth.test")) > checks
