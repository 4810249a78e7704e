"""The link flow end to end: signed Slack command → button → sandbox login → callback → stored,
encrypted tokens → DM; and every way the flow can go wrong."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, text, update

from bot.app.wiring import Services
from bot.autoshares.errors import RelinkRequired as RelinkRequiredError
from bot.devkit.driver import browser_sign_in, buttons
from storage.models import LinkedUser, LinkState
from tests.conftest import CLIENT_TLS, RunningBot

ALICE = "U0ALICE"


async def link_button_url(bot: RunningBot, user: str = ALICE) -> str:
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command("/autoshares", "link", user=user)
    assert response.status_code == 200
    reply = await bot.last_response(before + 1)
    return next(b["url"] for b in buttons(reply["blocks"]) if b.get("url"))


async def through_slack(bot: RunningBot, url: str, http: httpx.AsyncClient | None = None) -> tuple[str, str]:
    """Open a sign-in link and pass Sign in with Slack as the browser's Slack user; returns the
    state and the AutoShares authorization URL the browser is sent on to."""
    http = http or bot.http
    state = parse_qs(urlsplit(url).query)["state"][0]
    to_slack = await http.get(url)
    assert to_slack.status_code == 302, to_slack.text
    back = await http.get(to_slack.headers["location"])
    assert back.status_code == 302, back.text
    to_autoshares = await http.get(back.headers["location"])
    assert to_autoshares.status_code == 302, to_autoshares.text
    return state, to_autoshares.headers["location"]


async def stored_rows(bot: RunningBot) -> list[LinkedUser]:
    async with bot.services.db.sessions() as session:
        return list(await session.scalars(select(LinkedUser)))


async def test_link_flow_stores_encrypted_tokens_and_dms_the_user(bot: RunningBot) -> None:
    page = await bot.link(ALICE, "alice")
    assert page.status_code == 200, page.text
    assert "linked to AutoShares as alice" in page.text

    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None
    assert link.autoshares_login == "alice"
    assert link.autoshares_user_id == 1001
    assert link.refresh_token and link.access_token
    assert link.agreements_outstanding == 1  # the sandbox seeds one agreement for alice

    dm = await bot.slack.wait_for("chat.postMessage", channel=ALICE)
    assert "alice" in dm[0].args["text"]
    assert "1 agreement is waiting" in str(dm[0].args["blocks"])
    assert dm[0].token == bot.settings.slack_bot_token

    # The database holds ciphertext only.
    async with bot.services.db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM linked_users"))).all()
    dumped = repr(rows)
    assert link.access_token not in dumped and link.refresh_token not in dumped
    if bot.services.db.engine.dialect.name == "sqlite":
        path = Path(bot.services.db.engine.url.database or "")
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert link.access_token.encode() not in raw
        assert link.refresh_token.encode() not in raw


async def test_login_goes_through_sign_in_with_slack_then_pkce(bot: RunningBot) -> None:
    """The browser proves who it is to Slack first (openid scope, the requester's team), then
    goes to AutoShares with PKCE S256."""
    url = await link_button_url(bot)
    bot.slack.sign_in_as(ALICE)
    response = await bot.http.get(url)
    assert response.status_code == 302
    assert "autoshares_signin" in response.headers["set-cookie"]
    assert "httponly" in response.headers["set-cookie"].lower()
    to_slack = urlsplit(response.headers["location"])
    assert to_slack.path == "/openid/connect/authorize" and bot.slack.base_url.startswith(
        f"{to_slack.scheme}://{to_slack.netloc}/"
    )
    slack_query = parse_qs(to_slack.query)
    assert slack_query["scope"] == ["openid"]
    assert slack_query["client_id"] == [bot.settings.slack_client_id]
    assert slack_query["redirect_uri"] == [bot.settings.slack_identity_callback_url]
    assert slack_query["team"] == [bot.slack.team_id]
    assert slack_query["state"] == parse_qs(urlsplit(url).query)["state"]
    assert len(slack_query["nonce"][0]) >= 32

    _state, authorize = await through_slack(bot, await link_button_url(bot))
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["scope"] == ["openid profile email offline_access"]
    assert query["state"] == [_state]
    assert query["redirect_uri"] == [bot.settings.autoshares_callback_url]
    assert query["response_type"] == ["code"]


async def test_state_is_single_use(bot: RunningBot) -> None:
    url = await link_button_url(bot)
    bot.slack.sign_in_as(ALICE)
    first = await browser_sign_in(bot.http, url, username="alice", password="sandbox")
    assert first.status_code == 200
    # Replaying the same callback (same state) is refused and changes nothing.
    callback = str(first.url)
    again = await bot.http.get(callback)
    assert again.status_code == 400
    assert "already used" in again.text
    # And the login link itself no longer starts a flow.
    replay = await bot.http.get(url)
    assert replay.status_code == 400 and "already used" in replay.text


@pytest.mark.parametrize(
    ("query", "phrase"),
    [
        ("", "incomplete"),
        ("?state=forged-state-value&code=abc", "not one we issued"),
    ],
)
async def test_missing_or_forged_state_stores_nothing(bot: RunningBot, query: str, phrase: str) -> None:
    response = await bot.http.get(bot.url + "autoshares/callback" + query)
    assert response.status_code == 400
    assert phrase in response.text
    assert await stored_rows(bot) == []


async def test_expired_state_is_refused(bot: RunningBot) -> None:
    url = await link_button_url(bot)
    state = parse_qs(urlsplit(url).query)["state"][0]
    async with bot.services.db.sessions.begin() as session:
        await session.execute(update(LinkState).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    response = await bot.http.get(bot.url + f"autoshares/callback?state={state}&code=whatever")
    assert response.status_code == 400
    assert "expired" in response.text
    assert await stored_rows(bot) == []


async def test_access_denied_and_bad_code_store_nothing(bot: RunningBot) -> None:
    bot.slack.sign_in_as(ALICE)
    state, _ = await through_slack(bot, await link_button_url(bot))
    denied = await bot.http.get(bot.url + f"autoshares/callback?state={state}&error=access_denied")
    assert denied.status_code == 400
    assert "declined" in denied.text

    state, _ = await through_slack(bot, await link_button_url(bot))
    bad = await bot.http.get(bot.url + f"autoshares/callback?state={state}&code=not-a-real-code")
    assert bad.status_code == 400
    assert "did not accept this sign-in" in bad.text
    assert await stored_rows(bot) == []
    assert bot.slack.by_method("chat.postMessage") == []


async def test_a_forwarded_link_links_nobody_and_both_people_are_told(bot: RunningBot) -> None:
    """Alice asks for a link and forwards it; Bob opens it, signed in to Slack as Bob, and signs
    in at AutoShares with his own password. Nothing is linked, Bob's page says why, Alice is
    told in Slack, and Alice's order goes nowhere."""
    url = await link_button_url(bot, ALICE)
    bob_browser = httpx.AsyncClient(timeout=10, verify=CLIENT_TLS)
    async with bob_browser:
        bot.slack.sign_in_as("U0BOB")
        page = await browser_sign_in(bob_browser, url, username="bob", password="sandbox")
    assert page.status_code == 403
    assert "made for another Slack user" in page.text
    assert await stored_rows(bot) == []
    (told,) = await bot.slack.wait_for("chat.postMessage", channel=ALICE)
    assert "opened by someone" in told.args["text"] and "nothing was linked" in told.args["text"]
    # The link is spent: Alice herself cannot use it any more either.
    bot.slack.sign_in_as(ALICE)
    again = await browser_sign_in(bot.http, url, username="alice", password="sandbox")
    assert again.status_code == 400 and "already used" in again.text
    # Alice's order places nothing anywhere.
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/order", "buy 3 MSFT limit 95", user=ALICE)
    reply = await bot.last_response(before + 1)
    assert "not linked" in reply["text"]
    assert await bot.admin("GET", "_sandbox/orders") == []


async def test_the_autoshares_step_only_finishes_in_the_browser_that_passed_slack(bot: RunningBot) -> None:
    """Alice passes Sign in with Slack and forwards the AutoShares sign-in page to Bob: Bob's
    browser lacks the sign-in's cookie, so his callback links nothing."""
    bot.slack.sign_in_as(ALICE)
    _state, authorize = await through_slack(bot, await link_button_url(bot, ALICE))
    async with httpx.AsyncClient(timeout=10, verify=CLIENT_TLS) as bob_browser:
        page = await browser_sign_in(bob_browser, authorize, username="bob", password="sandbox")
    assert page.status_code == 403
    assert "started in another browser" in page.text
    assert await stored_rows(bot) == []


class TestClientCredentialsInTheEnvironment:
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in the process environment (as Sign in with Slack
    needs) beside SLACK_BOT_TOKEN: the bot, not Bolt's own environment lookup, decides it serves
    one workspace with that token."""

    @pytest.fixture
    def oauth_variables(self, monkeypatch: pytest.MonkeyPatch, bot_env: dict[str, str]) -> None:
        for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET"):
            monkeypatch.setenv(name, bot_env[name])

    async def test_commands_still_answer_with_the_bot_token(
        self, oauth_variables: None, bot: RunningBot
    ) -> None:
        await bot.link(ALICE, "alice")
        before = len(bot.slack.by_method("response_url"))
        await bot.driver.command("/autoshares", "status", user=ALICE)
        reply = await bot.last_response(before + 1)
        assert "Linked to AutoShares as alice" in reply["text"]
        assert "installation" not in reply["text"]
        assert os.environ["SLACK_CLIENT_ID"] == bot.settings.slack_client_id  # left as it was


class TestWithoutSlackClientCredentials:
    """No SLACK_CLIENT_ID / SLACK_CLIENT_SECRET: no insecure fallback."""

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in bot_env.items() if k not in {"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"}}

    async def test_link_says_an_admin_must_finish_the_set_up(self, bot: RunningBot) -> None:
        before = len(bot.slack.by_method("response_url"))
        await bot.driver.command("/autoshares", "link", user=ALICE)
        reply = await bot.last_response(before + 1)
        assert "an admin of this bot must finish its set-up" in reply["text"]
        assert not [b for b in buttons(reply["blocks"]) if b.get("url")]
        async with bot.services.db.sessions() as session:
            assert list(await session.scalars(select(LinkState))) == []


async def test_forged_and_stale_requests_get_401(bot: RunningBot) -> None:
    body = bot.driver.command_body("/autoshares", "status", user=ALICE)
    forged = await bot.http.post(
        bot.driver.events_url,
        content=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    assert forged.status_code == 401
    stale = await bot.driver.command("/autoshares", "status", user=ALICE, timestamp=int(time.time()) - 600)
    assert stale.status_code == 401
    await bot.services.drain()  # nothing was started in the background either
    assert bot.slack.by_method("response_url") == []


async def test_status_help_and_unlink(bot: RunningBot) -> None:
    await bot.driver.command("/autoshares", "status", user=ALICE)
    unlinked = await bot.last_response(1)
    assert "not linked" in unlinked["text"]
    await bot.driver.command("/autoshares", "help", user=ALICE)
    help_text = str((await bot.last_response(2))["blocks"])
    assert "/autoshares link" in help_text and "/order" in help_text and "/alert" in help_text

    await bot.link(ALICE, "alice")
    count = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/autoshares", "status", user=ALICE)
    linked = await bot.last_response(count + 1)
    assert "alice" in linked["text"]

    before = await bot.admin("GET", "_sandbox/stats")
    await bot.driver.command("/autoshares", "unlink", user=ALICE)
    reply = await bot.last_response(count + 2)
    assert "unlinked" in reply["text"]
    after = await bot.admin("GET", "_sandbox/stats")
    assert after["Revocations"] == before["Revocations"] + 1
    assert await bot.services.links.get(bot.slack.team_id, ALICE) is None


async def test_fifty_concurrent_calls_with_an_expired_token_refresh_once(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(LinkedUser).values(token_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    before = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)
    api = (await bot.services.core.users.acting(bot.slack.team_id, ALICE)).api
    results = await asyncio.gather(*(api.me() for _ in range(50)))
    assert {r.login for r in results} == {"alice"}
    after = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)
    assert after - before == 1
    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None and link.token_expires_at > datetime.now(UTC) + timedelta(hours=1)


async def test_a_401_refreshes_once_and_retries(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    await bot.admin("POST", "_sandbox/faults", json={"ExpireTokens": True})
    before = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)
    api = (await bot.services.core.users.acting(bot.slack.team_id, ALICE)).api
    results = await asyncio.gather(*(api.me() for _ in range(20)))
    assert all(r.login == "alice" for r in results)
    after = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)
    assert after - before == 1


async def test_refresh_rejected_marks_link_for_relinking(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    link = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert link is not None and link.refresh_token
    # Revoke the refresh token at the issuer, then make the access token stale.
    revoke = await bot.http.post(
        bot.sandbox.url + "oauth/revoke",
        data={"token": link.refresh_token, "token_type_hint": "refresh_token"},
        auth=(bot.settings.auth0_client_id or "", bot.settings.auth0_client_secret or ""),
    )
    assert revoke.status_code == 200
    api = (await bot.services.core.users.acting(bot.slack.team_id, ALICE)).api
    with pytest.raises(RelinkRequiredError):
        await api.me()
    stored = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert stored is not None and stored.needs_relink

    count = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/autoshares", "status", user=ALICE)
    reply = await bot.last_response(count + 1)
    assert "/autoshares link" in str(reply["blocks"])


@pytest.mark.postgres_only(reason="replicas share a database server on PostgreSQL")
async def test_two_replicas_refresh_an_expired_token_once(bot: RunningBot) -> None:
    await bot.link(ALICE, "alice")
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(LinkedUser).values(token_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    before = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)
    replica = await Services.create(bot.settings, migrate=False)
    try:
        apis = [
            (await bot.services.core.users.acting(bot.slack.team_id, ALICE)).api,
            (await replica.core.users.acting(bot.slack.team_id, ALICE)).api,
        ]
        results = await asyncio.gather(*(apis[i % 2].me() for i in range(40)))
    finally:
        await replica.aclose()
    assert {r.login for r in results} == {"alice"}
    after = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)
    assert after - before == 1
