"""Price alerts end to end: /alert → AutoShares alert + route; the sandbox moves the price →
exactly one message in the channel (by signed webhook here; by polling in test_alerts_polling)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from bot.devkit.driver import buttons
from storage.alerts import AlertRouteRepository
from storage.audit import AuditLog
from tests.conftest import RunningBot
from tests.scenario.steps import WEBHOOK_SECRET, with_webhooks
from tests.scenario.test_orders import BOB, button, click, command

SECRET = WEBHOOK_SECRET
CHANNEL = "C0GENERAL"


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    """Webhooks configured: the alert poller runs only as a backstop (every five minutes), so
    within a test the webhook is the only path."""
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    return await with_webhooks(bot)


def sign(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-AutoShares-Signature": f"sha256={digest}", "Content-Type": "application/json"}


async def alert_posts(bot: RunningBot, channel: str = CHANNEL) -> list[Any]:
    return [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == channel]


async def delivered(
    bot: RunningBot, event_type: str, count: int = 1, timeout: float = 10
) -> list[dict[str, Any]]:
    """Wait until the sandbox has delivered ``count`` events of a type to the bot."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            d
            for d in (await bot.admin("GET", "_sandbox/webhooks"))["Deliveries"]
            if d["Type"] == event_type and d["Status"] == "delivered"
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.01)


async def settled(bot: RunningBot, timeout: float = 10) -> None:
    """Wait until the sandbox has no webhook left to send and the bot has finished the work
    they started (tracked background tasks): from then on, nothing more is on its way."""
    async with asyncio.timeout(timeout):
        while any(  # noqa: ASYNC110 - asks the sandbox
            d["Status"] == "pending" for d in (await bot.admin("GET", "_sandbox/webhooks"))["Deliveries"]
        ):
            await asyncio.sleep(0.01)
    await bot.services.drain()


async def test_alert_is_created_at_autoshares_with_a_route(bob: RunningBot) -> None:
    reply = await command(bob, "AAPL above 240", command="/alert")
    assert "Alert 1 set" in reply["text"]
    assert f"<#{CHANNEL}>" in str(reply["blocks"])
    (alert,) = await bob.admin("GET", "_sandbox/alerts")
    assert (alert["Operator"], alert["Field"], alert["Argument"], alert["SecurityId"], alert["State"]) == (
        "GTEQ",
        "Last",
        240.0,
        1,
        "New",
    )
    assert abs(alert["ExpirationDate"] - (time.time() + 30 * 86400)) < 120
    route = await AlertRouteRepository(bob.services.db.sessions).get(1)
    assert route is not None and route.channel_id == CHANNEL and route.state == "active"

    await command(bob, "AAPL below 150 bid expires 7d", command="/alert")
    second = (await bob.admin("GET", "_sandbox/alerts"))[1]
    assert (second["Operator"], second["Field"], second["Argument"]) == ("LTEQ", "Bid", 150.0)
    assert abs(second["ExpirationDate"] - (time.time() + 7 * 86400)) < 120


async def test_price_crossing_posts_one_message_even_when_the_webhook_repeats(bob: RunningBot) -> None:
    await command(bob, "AAPL above 240", command="/alert")
    moved = await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241.25})
    assert moved["TriggeredAlertIds"] == [1]
    (posted,) = await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)
    text = str(posted.args["blocks"])
    assert f"<@{BOB}>" in text and "*AAPL* last price at or above *$240.00*" in text and "$241.25" in text
    assert {b["action_id"] for b in buttons(posted.args["blocks"])} == {"alert_buy", "alert_sell"}

    # AutoShares delivers the same event again (a retry): 200, ignored.
    (delivery,) = await delivered(bob, "alert.triggered")
    body = json.dumps(delivery["Payload"]).encode()
    again = await asyncio.gather(
        *(bob.http.post(bob.url + "autoshares/webhooks", content=body, headers=sign(body)) for _ in range(5))
    )
    assert all(r.status_code == 200 and r.json()["duplicate"] for r in again)
    # Moving the price further does not fire a completed alert again.
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 250})
    await settled(bob)
    assert len(await alert_posts(bob)) == 1
    fired = [
        e for e in await AuditLog(bob.services.db.sessions).since(subject="alert") if e.action == "fired"
    ]
    assert len(fired) == 1 and fired[0].detail["source"] == "webhook"
    metrics = bob.services.metrics
    assert metrics.value("autoshares_alerts_fired_total") == 1
    assert metrics.value("autoshares_webhook_deliveries_total", outcome="duplicate", reason="") >= 5


async def test_forged_or_missing_signature_is_refused(bob: RunningBot) -> None:
    await command(bob, "AAPL above 240", command="/alert")
    event = {
        "id": "evt_forged",
        "type": "alert.triggered",
        "accountId": 5002,
        "data": {"Id": 1, "Price": 999},
    }
    body = json.dumps(event).encode()
    url = bob.url + "autoshares/webhooks"
    forged = await bob.http.post(url, content=body, headers=sign(body, "not-the-secret"))
    missing = await bob.http.post(url, content=body, headers={"Content-Type": "application/json"})
    tampered = await bob.http.post(url, content=body.replace(b"999", b"998"), headers=sign(body))
    assert [forged.status_code, missing.status_code, tampered.status_code] == [401, 401, 401]
    assert (
        bob.services.metrics.value(
            "autoshares_webhook_deliveries_total", outcome="rejected", reason="signature"
        )
        == 3
    )
    await settled(bob)
    assert await alert_posts(bob) == []
    route = await AlertRouteRepository(bob.services.db.sessions).get(1)
    assert route is not None and route.state == "active"
    # The genuine event id is still unused: a correctly signed delivery of it works.
    genuine = await bob.http.post(url, content=body, headers=sign(body))
    assert genuine.status_code == 200 and not genuine.json()["duplicate"]
    await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)


async def test_alert_set_in_a_dm_is_announced_in_the_dm(bob: RunningBot) -> None:
    before = len(bob.slack.by_method("response_url"))
    await bob.driver.command("/alert", "MSFT below 400", user=BOB, channel="D0BOBDM")
    reply = await bob.last_response(before + 1)
    assert "in a DM to you" in str(reply["blocks"])
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "MSFT", "Last": 399})
    dms = await bob.slack.wait_for("chat.postMessage", channel=BOB, count=2)  # the alert and the link DM
    assert [d for d in dms if "MSFT" in d.args["text"]]
    assert await alert_posts(bob, "D0BOBDM") == []


@pytest.mark.parametrize("trouble", ["not_in", "archived"])
async def test_channel_the_bot_cannot_post_to_falls_back_to_a_dm(bob: RunningBot, trouble: str) -> None:
    await command(bob, "AAPL above 240", command="/alert")
    getattr(bob.slack, trouble).add(CHANNEL)
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241})
    dms = await bob.slack.wait_for("chat.postMessage", channel=BOB, count=2)
    assert [d for d in dms if f"could not post in <#{CHANNEL}>" in str(d.args["blocks"])]
    assert len(await alert_posts(bob)) == 1  # the one failed attempt


async def test_list_delete_and_delete_button(bob: RunningBot) -> None:
    await command(bob, "AAPL above 240", command="/alert")
    await command(bob, "TSLA below 200", command="/alert")
    listing = await command(bob, "list", command="/alert")
    assert [b["value"] for b in buttons(listing["blocks"]) if b["action_id"] == "alert_delete"] == ["1", "2"]
    refreshed = await click(bob, listing, "alert_delete")
    assert [(b["action_id"], b["value"]) for b in buttons(refreshed["blocks"])] == [
        ("alert_delete", "2"),
        ("alert_edit", "2"),
    ]
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [2]
    reply = await command(bob, "delete 2", command="/alert")
    assert "Alert 2 is deleted" in reply["text"]
    assert await bob.admin("GET", "_sandbox/alerts") == []
    missing = await command(bob, "delete 2", command="/alert")
    assert "no price alert 2" in missing["text"]
    # A deleted alert never posts, even if a trigger for it arrives.
    event = json.dumps({"id": "evt_late", "type": "alert.triggered", "data": {"Id": 2, "Price": 1}}).encode()
    late = await bob.http.post(bob.url + "autoshares/webhooks", content=event, headers=sign(event))
    assert late.status_code == 200
    await settled(bob)
    assert await alert_posts(bob) == []
    actions = [
        (e.subject_id, e.action) for e in await AuditLog(bob.services.db.sessions).since(subject="alert")
    ]
    assert actions == [("1", "created"), ("2", "created"), ("1", "deleted"), ("2", "deleted")]


async def test_unknown_symbol_and_unlinked_user(bot: RunningBot) -> None:
    unlinked = await command(bot, "AAPL above 240", command="/alert")
    assert "/autoshares link" in unlinked["text"]
    await bot.link(BOB, "bob")
    unknown = await command(bot, "ZZZZ above 1", command="/alert")
    assert "does not know the symbol ZZZZ" in unknown["text"]
    assert await bot.admin("GET", "_sandbox/alerts") == []


async def test_buy_button_opens_the_order_ticket_prefilled(bob: RunningBot) -> None:
    await command(bob, "AAPL above 240", command="/alert")
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241})
    (posted,) = await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)
    await bob.driver.click(button({"blocks": posted.args["blocks"]}, "alert_buy"), user="U0CAROL")
    (opened,) = await bob.slack.wait_for("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "order_ticket"
    by_id = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert by_id["symbol"]["element"]["initial_value"] == "AAPL"
    assert by_id["side"]["element"]["initial_option"]["value"] == "buy"
    assert json.loads(view["private_metadata"]) == {"channel": CHANNEL}
