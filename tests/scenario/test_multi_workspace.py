"""Multi-workspace mode: a workspace installs the app through /slack/install (Bolt's OAuth flow
with slack_sdk's SQLAlchemy stores), and the bot then acts there with that installation's token."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

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
