"""Order follow-up: fills and cancels reach the order's message by signed webhook, or by polling
where no webhook is configured; expiry and lost placements are settled by the poller."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.app.pollers import Pollers
from sandbox.config import SandboxConfig
from storage.audit import AuditLog
from storage.links import utcnow
from storage.models import PendingOrder
from tests.conftest import RunningBot
from tests.scenario.test_alerts import SECRET, delivered, settled, sign
from tests.scenario.test_orders import BOB, button, click, command, sandbox_orders

POLL = 0.1


async def place_open_order(bot: RunningBot) -> tuple[dict, str]:
    """A buy limit below the market: it stays open. Returns (the placed message, its response path)."""
    preview = await command(bot, "buy 3 TSLA limit 200")
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.click(button(preview, "order_confirm"), user=BOB)
    placed = (await bot.slack.wait_for("response_url", count=before + 1))[-1]
    assert "open, waiting to fill" in placed.args["text"]
    return placed.args, placed.path


async def updates_at(bot: RunningBot, path: str) -> list[dict]:
    return [c.args for c in bot.slack.by_method("response_url") if c.path == path]


async def wait_for_update(bot: RunningBot, path: str, phrase: str, timeout: float = 10) -> dict:
    def found() -> list[dict]:
        return [
            c.args for c in bot.slack.by_method("response_url") if c.path == path and phrase in c.args["text"]
        ]

    try:
        await bot.slack.wait_until(found, timeout)
    except TimeoutError:
        raise AssertionError(
            f"no update containing {phrase!r} at {path}: {await updates_at(bot, path)}"
        ) from None
    return found()[0]


async def poll_orders_now(bot: RunningBot) -> None:
    """One order poller pass, run here, with every order due for a look (as if the follow-up
    interval had passed), then the work it started."""
    async with bot.services.db.sessions.begin() as session:
        await session.execute(update(PendingOrder).values(updated_at=utcnow() - timedelta(hours=2)))
    await Pollers.of(bot.services).orders_once()
    await bot.services.drain()


class TestWithWebhooks:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "ORDER_POLL_SECONDS": "3600"}

    @pytest.fixture
    async def bob(self, bot: RunningBot) -> RunningBot:
        await bot.link(BOB, "bob")
        await bot.admin(
            "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": SECRET}
        )
        return bot

    async def test_fill_webhook_updates_the_order_message_once(self, bob: RunningBot) -> None:
        placed, path = await place_open_order(bob)
        assert button(placed, "order_cancel_open")
        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199})
        filled = await wait_for_update(bob, path, "is filled")
        assert filled["replace_original"] is True
        assert "3 filled at $199.00 on average" in str(filled["blocks"])
        (delivery,) = await delivered(bob, "order.filled")
        body = json.dumps(delivery["Payload"]).encode()
        repeat = await bob.http.post(bob.url + "autoshares/webhooks", content=body, headers=sign(body))
        assert repeat.json() == {"ok": True, "duplicate": True}
        await settled(bob)
        assert len(await updates_at(bob, path)) == 2  # placed, then filled: nothing more

    async def test_cancel_webhook_updates_the_message(self, bob: RunningBot) -> None:
        _placed, path = await place_open_order(bob)
        (order,) = await sandbox_orders(bob)
        await command(bob, f"cancel {order['Id']}")
        await wait_for_update(bob, path, "is cancelled")

    async def test_unknown_events_and_bad_bodies(self, bob: RunningBot) -> None:
        url = bob.url + "autoshares/webhooks"
        body = json.dumps({"id": "evt_other", "type": "position.changed", "data": {}}).encode()
        first = await bob.http.post(url, content=body, headers=sign(body))
        second = await bob.http.post(url, content=body, headers=sign(body))
        assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
        junk = b"not json"
        assert (await bob.http.post(url, content=junk, headers=sign(junk))).status_code == 400
        no_id = json.dumps({"type": "order.filled"}).encode()
        assert (await bob.http.post(url, content=no_id, headers=sign(no_id))).status_code == 400


class TestWithoutWebhooks:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "ORDER_POLL_SECONDS": str(POLL), "ALERT_POLL_SECONDS": "3600"}

    @pytest.fixture
    async def bob(self, bot: RunningBot) -> RunningBot:
        await bot.link(BOB, "bob")
        return bot

    async def test_webhooks_are_refused_when_no_secret_is_set(self, bob: RunningBot) -> None:
        body = json.dumps({"id": "evt_1", "type": "order.filled", "data": {}}).encode()
        response = await bob.http.post(bob.url + "autoshares/webhooks", content=body, headers=sign(body))
        assert response.status_code == 401

    async def test_poller_brings_the_fill_to_the_message(self, bob: RunningBot) -> None:
        _placed, path = await place_open_order(bob)
        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199})
        filled = await wait_for_update(bob, path, "is filled")
        assert filled["replace_original"] is True
        await poll_orders_now(bob)  # a later pass finds nothing more to say
        assert len(await updates_at(bob, path)) == 2

    async def test_poller_expires_confirmations_and_says_so(self, bob: RunningBot) -> None:
        preview = await command(bob, "buy 1 AAPL")
        async with bob.services.db.sessions.begin() as session:
            await session.execute(update(PendingOrder).values(expires_at=utcnow()))
        # The slash command's response_url is where the confirmation was posted.
        (first,) = [c for c in bob.slack.by_method("response_url") if c.args.get("text") == preview["text"]]
        expired = await wait_for_update(bob, first.path, "Expired")
        assert expired["replace_original"] is True and "Nothing was placed" in expired["text"]
        late = await click(bob, preview, "order_confirm")
        assert "Expired" in late["text"]
        assert await sandbox_orders(bob) == []

    async def test_poller_settles_a_submission_whose_answer_was_lost(self, bob: RunningBot) -> None:
        preview = await command(bob, "buy 2 AAPL")
        pending_id = button(preview, "order_confirm")["value"]
        # The process died after AutoShares took the order and before it recorded the answer.
        api = (await bob.services.core.users.acting(bob.slack.team_id, BOB)).api
        await api.place_order(
            5002, {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 2, "ClientId": pending_id}
        )
        async with bob.services.db.sessions.begin() as session:
            await session.execute(
                update(PendingOrder).values(status="submitting", updated_at=utcnow() - timedelta(minutes=5))
            )
        (first,) = [c for c in bob.slack.by_method("response_url") if c.args.get("text") == preview["text"]]
        settled = await wait_for_update(bob, first.path, "is filled")
        assert "Order placed" in str(settled["blocks"])
        assert len(await sandbox_orders(bob)) == 1
        row = await bob.services.core.orders.repo.get(pending_id)
        assert row.status == "placed" and row.autoshares_order_id == (await sandbox_orders(bob))[0]["Id"]


class TestPartialFills:
    @pytest.fixture
    def sandbox_config(self) -> SandboxConfig:
        """Each price move fills at most 2 shares."""
        return SandboxConfig(tick_seconds=0, rate_limits=False, webhook_retry_scale=0.001, fill_liquidity=2)

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "ORDER_POLL_SECONDS": "3600"}

    async def test_partial_fills_then_the_fill_update_the_message(self, bot: RunningBot) -> None:
        await bot.link(BOB, "bob")
        await bot.admin(
            "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": SECRET}
        )
        _placed, path = await place_open_order(bot)  # 3 shares
        await bot.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199})
        partial = await wait_for_update(bot, path, "is partly filled")
        assert "2 filled at $199.00 on average; 1 still open" in str(partial["blocks"])
        await bot.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 198})
        await wait_for_update(bot, path, "is filled")
        await delivered(bot, "order.filled")
        await settled(bot)
        assert "is filled" in (await updates_at(bot, path))[-1]["text"]
        actions = [e.action for e in await AuditLog(bot.services.db.sessions).since(subject="order")]
        assert actions == ["previewed", "confirmed", "placed", "partially_filled", "filled"]
