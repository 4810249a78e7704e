"""Nothing lost, nothing twice: what the bot posts on its own goes through the outbox, which
delivers it until Slack takes it (rate limits, server errors and ok:false included), gives up
with Slack's error when trying again cannot help, and survives a worker dying mid-post."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import update

from bot.app import pollers
from bot.cli import main
from bot.devkit.localslack import ScriptedFailure, SlackCall
from handlers.notify import SlackNotifier
from storage.models import OutboxMessage
from storage.outbox import DEAD, DELIVERED
from storage.records import utcnow
from tests.conftest import RunningBot
from tests.scenario.steps import with_webhooks
from tests.scenario.test_alerts import SECRET, alert_posts, delivered
from tests.scenario.test_orders import BOB, button, click, command

CHANNEL = "C0GENERAL"


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await with_webhooks(bot)
    await bot.services.drain()  # the DM after linking is delivered
    return bot


async def fire_an_alert(bot: RunningBot) -> None:
    """Set an alert and move the price across it; returns once its webhook reached the bot."""
    await command(bot, "AAPL above 240", command="/alert")
    moved = await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241.25})
    assert moved["TriggeredAlertIds"] == [1]
    await delivered(bot, "alert.triggered")


async def test_an_alert_slack_refuses_for_a_while_is_posted_exactly_once(bob: RunningBot) -> None:
    """A 429 (Retry-After), a 500 and an ok:false answer in a row: the alert still reaches
    the channel, once, and the outbox row says it took four attempts."""
    for failure in (
        ScriptedFailure("ratelimited", 429, retry_after="0"),
        ScriptedFailure("ratelimited", 429, retry_after="0"),
        ScriptedFailure("internal_error", 500),
        ScriptedFailure("internal_error", 500),
        ScriptedFailure("fatal_error"),
    ):
        bob.slack.fail_next("chat.postMessage", failure)
    await fire_an_alert(bob)
    (posted,) = await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)
    assert "*AAPL* last price at or above *$240.00*" in str(posted.args["blocks"])
    await bob.services.drain()
    assert len(await alert_posts(bob)) == 1
    assert len([c for c in bob.slack.refused if c.args.get("channel") == CHANNEL]) == 5
    (row,) = [r for r in await bob.services.delivery.outbox.listed() if r.kind == "alert_triggered"]
    assert row.state == DELIVERED and row.attempts == 4  # the client's own retry took one of each pair
    assert bob.services.metrics.value("autoshares_outbox_messages_total", outcome="retried") == 3


async def test_a_message_slack_will_never_take_ends_dead_listed_and_counted(
    bob: RunningBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bob.slack.fail_next("chat.postMessage", ScriptedFailure("invalid_auth"))
    await fire_an_alert(bob)
    await bob.services.drain()
    assert await alert_posts(bob) == []
    (row,) = await bob.services.delivery.outbox.listed(DEAD)
    assert row.kind == "alert_triggered" and row.last_error == "invalid_auth"
    assert bob.services.metrics.value("autoshares_outbox_messages_total", outcome="dead") == 1
    monkeypatch.setenv("DATABASE_URL", bob.settings.database_url)
    assert await asyncio.to_thread(main, ["outbox", "--state", "dead"]) == 0
    out = capsys.readouterr().out
    assert "dead=1" in out and "alert_triggered" in out and "invalid_auth" in out


async def test_a_fill_is_told_by_dm_when_the_message_is_gone_and_slack_is_busy(bob: RunningBot) -> None:
    """The order's response_url has expired and the DM gets a 429 once: the requester still
    hears about the fill, once."""
    preview = await command(bob, "buy 2 AAPL limit 200")  # rests: the price is higher
    await click(bob, preview, "order_confirm")
    bob.slack.fail_next("response_url", ScriptedFailure("expired_url", 404), times=10)
    bob.slack.fail_next("chat.postMessage", ScriptedFailure("ratelimited", 429, retry_after="0"), times=2)
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 199})
    dm = (await bob.slack.wait_for("chat.postMessage", channel=BOB, count=2))[1]  # the first: linked
    assert "filled" in dm.args["text"].lower()
    await bob.services.drain()
    assert len([c for c in bob.slack.by_method("chat.postMessage") if c.args.get("channel") == BOB]) == 2


class TestAWorkerDying:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
        """The background delivery loop stays asleep (no poll, and a message queued does not
        wake it): this test plays the workers itself."""
        monkeypatch.setattr(pollers, "on_queued", lambda wake: None)
        return {**bot_env, "OUTBOX_POLL_SECONDS": "3600"}

    async def test_mid_post_repeats_that_message_at_most_once(self, bob: RunningBot) -> None:
        """A worker leases the alert's message, posts it, and dies before marking it. When its
        lease runs out another worker delivers it again: the channel sees that one message
        twice, and no more (the measured worst case of a crash)."""
        delivery = bob.services.delivery
        await fire_an_alert(bob)
        (leased,) = await delivery.outbox.claim(limit=10, lease=timedelta(minutes=5))
        route = await bob.services.core.alerts.routes.get(int(leased.data["alert_id"]))
        assert route is not None
        notifier = SlackNotifier(
            bob.services.slack,
            bob.services.metrics,
            confirm_seconds=120,
            environment=bob.settings.autoshares_environment,
        )
        await notifier.alert_triggered(route, leased.data.get("price"))
        assert len(await alert_posts(bob)) == 1
        assert await delivery.run_once() == 0  # still leased: nobody sends it again yet
        assert len(await alert_posts(bob)) == 1
        async with bob.services.db.sessions.begin() as session:  # its lease runs out
            await session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
        await bob.services.drain()
        assert len(await alert_posts(bob)) == 2
        (row,) = [r for r in await delivery.outbox.listed() if r.kind == "alert_triggered"]
        assert row.state == DELIVERED and row.attempts == 2


class TestAConfirmWhoseAnswerNeverCame:
    """The process answering a Confirm owes the answer to the outbox too, due after the settle
    window; it withdraws it once it has answered, so the requester hears exactly once."""

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        # ORDER_SETTLE_SECONDS is at least three AutoShares timeouts: 1 s here.
        return {**bot_env, "ORDER_SETTLE_SECONDS": "1", "AUTOSHARES_TIMEOUT_SECONDS": "0.3"}

    async def owed(self, bot: RunningBot) -> list[str]:
        return [r.state for r in await bot.services.delivery.outbox.listed() if r.kind == "order_changed"]

    async def test_an_answered_click_is_not_said_twice(self, bob: RunningBot) -> None:
        preview = await command(bob, "buy 2 AAPL")
        placed = await click(bob, preview, "order_confirm")
        assert "AutoShares order" in str(placed["blocks"])
        await bob.services.drain()
        assert await self.owed(bob) == [DELIVERED]  # withdrawn: it was said in place
        later = utcnow() + timedelta(minutes=5)  # long after the window, nothing is due
        assert await bob.services.delivery.outbox.claim(limit=10, lease=timedelta(seconds=5), now=later) == []

    async def test_a_process_that_dies_after_placing_still_tells_the_requester(self, bob: RunningBot) -> None:
        """The use case runs as the click's listener would, and the listener dies before its
        answer: after the window the outbox updates the message in place."""
        preview = await command(bob, "buy 2 AAPL")
        pending_id = button(preview, "order_confirm")["value"]
        click_url = bob.driver.response_url()
        result = await bob.services.core.orders.confirm(
            pending_id, bob.driver.team_id, BOB, response_url=click_url
        )
        assert result.pending is not None and result.pending.status == "placed"
        assert await self.owed(bob) == ["pending"]
        path = urlsplit(click_url).path

        def answers() -> list[SlackCall]:
            return [c for c in bob.slack.by_method("response_url") if c.path == path]

        await bob.slack.wait_until(answers, timeout=5)
        await bob.services.drain()
        assert len(answers()) == 1 and "AutoShares order" in str(answers()[0].args["blocks"])
        assert answers()[0].args["replace_original"] is True
        assert await self.owed(bob) == [DELIVERED]

    async def test_an_answer_slack_refuses_is_owed_at_once_and_sent_by_dm(self, bob: RunningBot) -> None:
        preview = await command(bob, "buy 2 AAPL")
        bob.slack.fail_next("response_url", ScriptedFailure("expired_url", 404), times=3)
        pressed = button(preview, "order_confirm")
        assert (await bob.driver.click(pressed, user=BOB)).status_code == 200
        dm = await bob.slack.wait_for(
            "chat.postMessage", channel=BOB, count=2, timeout=2
        )  # before the window
        assert "AutoShares order" in str(dm[1].args["blocks"])
        await bob.services.drain()
        assert await self.owed(bob) == [DELIVERED]
