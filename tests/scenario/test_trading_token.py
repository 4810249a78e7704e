"""AUTOSHARES_TOKEN_MODE=exchange: after the OIDC callback the authorization code goes to the
trading API's POST /token (the SSO page; the spec's OAuthCode + RedirectUri headers), not to
the issuer; the Token it returns is stored encrypted with its expiry and used for trading, and
the user is asked to link again when it ends or is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update

from bot.autoshares.trading_token import TRADING_TOKEN_SCOPE
from storage.models import LinkedUser
from tests.conftest import RunningBot
from tests.scenario.test_alerts import CHANNEL, SECRET, alert_posts, settled
from tests.scenario.test_orders import BOB, click, command, sandbox_orders

RELINK = "Run `/autoshares link` to sign in again"


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_TOKEN_MODE": "exchange"}


async def token_grants(bot: RunningBot) -> dict[str, int]:
    return dict((await bot.admin("GET", "_sandbox/stats"))["TokenGrants"])


async def status(bot: RunningBot) -> dict[str, Any]:
    return await command(bot, "status", command="/autoshares")


async def test_exchange_mode_links_trades_and_asks_for_a_relink_at_expiry(bot: RunningBot) -> None:
    page = await bot.link(BOB, "bob")
    assert page.status_code == 200 and "linked to AutoShares as bob" in page.text
    # The code went to POST /token, never to the issuer's token endpoint.
    assert await token_grants(bot) == {"etna_oauth_code": 1}

    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None and link.autoshares_user_id == 1002
    assert link.refresh_token is None and link.scopes == TRADING_TOKEN_SCOPE
    expected_end = datetime.now(UTC) + timedelta(seconds=bot.settings.autoshares_trading_token_seconds)
    assert abs((link.token_expires_at - expected_end).total_seconds()) < 60
    # The token is the sandbox's trading token (issued by /token), and is stored encrypted.
    issued = bot.sandbox.sandbox.state.access_tokens[link.access_token]
    assert issued.client_id == "etna-login"
    async with bot.services.db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM linked_users"))).all()
    assert link.access_token not in repr(rows)
    assert "Active until" in str((await status(bot))["blocks"])

    # Trading uses that Token.
    preview = await command(bot, "buy 2 AAPL")
    await click(bot, preview, "order_confirm")
    (order,) = await sandbox_orders(bot)
    assert order["Quantity"] == 2 and order["UserId"] == 1002

    # The token's time is up: the next command asks for a new sign-in, and nothing is refreshed.
    async with bot.services.db.sessions.begin() as session:
        await session.execute(
            update(LinkedUser).values(token_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    expired = await command(bot, "buy 1 AAPL")
    assert RELINK in expired["text"]
    relinked = await bot.services.links.get(bot.slack.team_id, BOB)
    assert relinked is not None and relinked.needs_relink
    assert "Your sign-in has expired" in str((await status(bot))["blocks"])
    assert len(await sandbox_orders(bot)) == 1
    assert await token_grants(bot) == {"etna_oauth_code": 1}

    # Linking again gives a new trading token and trading works again.
    await bot.link(BOB, "bob")
    assert await token_grants(bot) == {"etna_oauth_code": 2}
    again = await command(bot, "buy 1 AAPL")
    await click(bot, again, "order_confirm")
    assert len(await sandbox_orders(bot)) == 2


async def test_a_trading_token_autoshares_refuses_asks_for_a_relink(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None
    # AutoShares ends the token early (its lifetime is shorter than trusted, or it was logged out).
    ended = await bot.http.post(
        bot.sandbox.url + "logout",
        headers={
            "Et-App-Key": bot.settings.autoshares_app_key,
            "Authorization": f"Bearer {link.access_token}",
        },
    )
    assert ended.status_code == 200
    reply = await command(bot, "account", command="/autoshares")
    assert RELINK in reply["text"]
    after = await bot.services.links.get(bot.slack.team_id, BOB)
    assert after is not None and after.needs_relink


async def test_unlink_ends_the_trading_token_with_logout(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    link = await bot.services.links.get(bot.slack.team_id, BOB)
    assert link is not None
    revocations = (await bot.admin("GET", "_sandbox/stats"))["Revocations"]
    await command(bot, "unlink", command="/autoshares")
    assert await bot.services.links.get(bot.slack.team_id, BOB) is None
    assert (await bot.admin("GET", "_sandbox/stats"))["Revocations"] == revocations + 1
    assert bot.sandbox.sandbox.state.access_tokens[link.access_token].revoked


class TestAccessTokenMode:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {key: value for key, value in bot_env.items() if key != "AUTOSHARES_TOKEN_MODE"}

    async def test_the_default_sends_the_code_to_the_issuer(self, bot: RunningBot) -> None:
        assert bot.settings.autoshares_token_mode == "access-token"
        await bot.link(BOB, "bob")
        assert await token_grants(bot) == {"authorization_code": 1}
        link = await bot.services.links.get(bot.slack.team_id, BOB)
        assert link is not None and link.refresh_token and link.sign_in_ends_at is None


class TestAlertsOfAnExpiredSignIn:
    """A documented alert.triggered names no alert; when its owner's trading token has ended
    AutoShares cannot be asked which alert fired, so the condition the event states decides."""

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET}

    async def test_alert_is_announced_when_the_owner_must_link_again(self, bot: RunningBot) -> None:
        await bot.link(BOB, "bob")
        await bot.admin(
            "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": SECRET}
        )
        await command(bot, "AAPL above 240", command="/alert")
        await command(bot, "AAPL above 250", command="/alert")  # the same symbol, not crossed
        async with bot.services.db.sessions.begin() as session:
            await session.execute(
                update(LinkedUser).values(token_expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241})
        (posted,) = await bot.slack.wait_for("chat.postMessage", channel=CHANNEL)
        assert "*AAPL* last price at or above *$240.00*" in str(posted.args["blocks"])
        await settled(bot)
        assert len(await alert_posts(bot)) == 1
        routes = await bot.services.core.alerts.routes.for_user(bot.slack.team_id, BOB)
        assert [r.state for r in routes] == ["fired", "active"]
