"""Smarter alerts end to end (signed Slack requests, the sandbox over HTTP, its signed
webhooks): percent moves from the previous close, repeating alerts re-armed after their
cool-down (the pass driven with an explicit ``now``), re-triggers replying in the thread of the
first post, the owner's Snooze, and each member's choice of DM or channel."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import update

from bot.app.pollers import Pollers
from bot.app.wiring import Services
from bot.core.alerts import REARM_LEASE, level_body
from bot.devkit.localslack import SlackCall
from storage.alert_groups import AlertGroupRepository
from storage.alerts import AlertRouteRepository
from storage.audit import AuditLog
from storage.models import AlertRoute
from storage.records import Route, utcnow
from tests.conftest import RunningBot
from tests.scenario.steps import WEBHOOK_SECRET, action_ids, button, click, with_webhooks
from tests.scenario.steps import command as run
from tests.scenario.test_alerts import delivered, settled, sign

BOB = "U0BOB"
CAROL = "U0CAROL"
OWNER = "U0OWNER"
CHANNEL = "C0GENERAL"
CENT = Decimal("0.01")


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    """Webhooks configured (the alert poller runs only as a backstop, every five minutes)."""
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": WEBHOOK_SECRET}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    return await with_webhooks(bot)


@pytest.fixture
async def replica(bot: RunningBot) -> AsyncIterator[Services]:
    """A second bot process on the same database (its passes race the first one's)."""
    services = await Services.create(bot.settings, migrate=False)
    yield services
    await services.aclose()


async def alert(bot: RunningBot, text: str, *, user: str = BOB, channel: str = CHANNEL) -> dict[str, Any]:
    return await run(bot, text, user, slash="/alert", channel=channel)


async def move(bot: RunningBot, last: float | Decimal, symbol: str = "AAPL") -> list[int]:
    """The market moves: the sandbox's answer names the alerts that fired."""
    moved = await bot.admin("POST", "_sandbox/prices", json={"Symbol": symbol, "Last": float(last)})
    return list(moved["TriggeredAlertIds"])


def posts(bot: RunningBot, channel: str = CHANNEL) -> list[SlackCall]:
    return [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == channel]


async def posted(bot: RunningBot, count: int, channel: str = CHANNEL) -> list[SlackCall]:
    """The bot's posts in ``channel``, once there are ``count``, and nothing more on its way."""
    await bot.slack.wait_for("chat.postMessage", count=count, channel=channel)
    await settled(bot)
    return posts(bot, channel)


async def route(bot: RunningBot, alert_id: int) -> Route:
    found = await AlertRouteRepository(bot.services.db.sessions).get(alert_id)
    assert found is not None
    return found


def levels(close: Decimal, percent: str) -> tuple[Decimal, Decimal]:
    step = close * Decimal(percent) / 100
    return (
        (close + step).quantize(CENT, rounding=ROUND_HALF_UP),
        (close - step).quantize(CENT, rounding=ROUND_HALF_UP),
    )


def dollars(value: Decimal) -> str:
    return f"${value:,.2f}"


async def test_moves_5pc_sets_both_levels_from_the_previous_close_and_fires_on_a_5pc_move(
    bob: RunningBot,
) -> None:
    close = Decimal(str((await bob.admin("GET", "_sandbox/prices/AAPL"))["PreviousClose"]))
    up, down = levels(close, "5")
    reply = await alert(bob, "AAPL moves 5%")
    shown = str(reply["blocks"])
    assert "Alerts 1 and 2 set" in reply["text"]
    assert f"*AAPL* moves 5% from the previous close *{dollars(close)}*" in shown
    assert f"at or above *{dollars(up)}* or at or below *{dollars(down)}*" in shown
    armed = await bob.admin("GET", "_sandbox/alerts")
    assert [(a["Id"], a["Operator"], a["Field"], Decimal(str(a["Argument"])), a["State"]) for a in armed] == [
        (1, "GTEQ", "Last", up, "New"),
        (2, "LTEQ", "Last", down, "New"),
    ]
    assert armed[0]["ExpirationDate"] == armed[1]["ExpirationDate"]

    assert await move(bob, (close * Decimal("1.049")).quantize(CENT)) == []  # 4.9%: not yet
    assert await move(bob, up) == [1]
    (first,) = await posted(bob, 1)
    text = str(first.args["blocks"])
    assert "*AAPL* last price at or above *" + dollars(up) + "*" in text
    assert f"moves 5% from the previous close {dollars(close)}" in text
    assert "thread_ts" not in first.args
    assert {"alert_buy", "alert_sell", "alert_snooze_hour", "alert_snooze_day"} == set(action_ids(first.args))

    # The other side: a reply in the first post's thread, not a new post in the channel.
    assert await move(bob, down) == [2]
    _, second = await posted(bob, 2)
    assert first.answer is not None
    assert second.args["thread_ts"] == first.answer["ts"]
    assert second.args["reply_broadcast"] is False
    assert second.args["blocks"][0]["block_id"] == "trading_environment"  # badged like the first
    assert "at or below *" + dollars(down) + "*" in str(second.args["blocks"])


async def test_up_sets_one_level_and_deleting_one_side_of_a_move_deletes_both(bob: RunningBot) -> None:
    close = Decimal(str((await bob.admin("GET", "_sandbox/prices/AAPL"))["PreviousClose"]))
    up, down = levels(close, "2.5")
    reply = await alert(bob, "AAPL up 2.5%")
    assert "Alert 1 set" in reply["text"]
    assert (
        f"rises 2.5% from the previous close *{dollars(close)}*: last price at or above *{dollars(up)}*"
        in str(reply["blocks"])
    )
    await alert(bob, "AAPL moves 2.5%")
    assert [(a["Id"], Decimal(str(a["Argument"]))) for a in await bob.admin("GET", "_sandbox/alerts")] == [
        (1, up),
        (2, up),
        (3, down),
    ]
    deleted = await alert(bob, "delete 3")
    assert "Alerts 3 and 2 are deleted" in deleted["text"]
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [1]
    assert [(await route(bob, i)).state for i in (1, 2, 3)] == ["active", "deleted", "deleted"]


async def test_a_repeating_alert_rearms_once_after_its_cool_down_and_replies_in_the_thread(
    bob: RunningBot, replica: Services
) -> None:
    reply = await alert(bob, "AAPL above 240 repeat every 1h")
    assert "armed again 1 hour after each trigger" in str(reply["blocks"])
    assert await move(bob, 241) == [1]
    (first,) = await posted(bob, 1)
    assert "armed again 1 hour after each trigger" in str(first.args["blocks"])
    fired = await route(bob, 1)
    assert fired.state == "fired" and fired.fired_at is not None
    assert fired.rearm_at == fired.fired_at + timedelta(hours=1)

    alerts = bob.services.core.alerts
    assert await alerts.rearm_once(now=fired.fired_at + timedelta(minutes=59)) == 0  # cooling down
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [1]
    assert await move(bob, 239) == []  # the price falls back under the level

    later = fired.fired_at + timedelta(hours=1, seconds=1)
    armed = await asyncio.gather(alerts.rearm_once(now=later), replica.core.alerts.rearm_once(now=later))
    assert sorted(armed) == [0, 1]  # two replicas at once: one new alert
    assert await alerts.rearm_once(now=later) == 0
    old, new = await bob.admin("GET", "_sandbox/alerts")
    assert (old["State"], new["State"]) == ("Completed", "New")
    same = ("SecurityId", "Operator", "Field", "Argument", "ExpirationDate")
    assert [new[k] for k in same] == [old[k] for k in same]
    assert (await route(bob, 2)).group_id == fired.group_id

    assert await move(bob, 240.5) == [2]
    _, second = await posted(bob, 2)
    assert first.answer is not None and second.args["thread_ts"] == first.answer["ts"]
    assert "Alert 2" in str(second.args["blocks"])
    actions = [
        (e.subject_id, e.action) for e in await AuditLog(bob.services.db.sessions).since(subject="alert")
    ]
    assert actions == [("1", "created"), ("1", "fired"), ("2", "rearmed"), ("2", "fired")]


async def test_a_rearm_cut_short_after_autoshares_made_the_alert_adopts_it(bob: RunningBot) -> None:
    """A replica leases the re-arm, AutoShares makes the new alert, and the replica dies before
    recording it. When the lease runs out, the next pass adopts that alert: no second one."""
    await alert(bob, "AAPL above 240 repeat every 1h")
    await move(bob, 241)
    await posted(bob, 1)
    await move(bob, 239)
    fired = await route(bob, 1)
    assert fired.fired_at is not None and fired.expires_at is not None
    alerts = bob.services.core.alerts
    due = fired.fired_at + timedelta(hours=1)
    (leased,) = await alerts.groups.claim_rearm(due, lease=REARM_LEASE)  # the replica that dies
    user = await bob.services.core.users.acting(bob.driver.team_id, BOB)
    orphan = await user.api.create_alert(level_body("GTEQ", "Last", Decimal("240"), 1, fired.expires_at))
    assert await alerts.rearm_once(now=due + timedelta(minutes=1)) == 0  # still its lease
    assert await alerts.rearm_once(now=due + REARM_LEASE + timedelta(seconds=1)) == 1
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [1, orphan.id]
    adopted = await route(bob, orphan.id)
    assert (adopted.state, adopted.group_id) == ("active", leased.group_id)


async def test_snooze_by_the_owner_holds_the_rearm_until_it_ends_and_another_member_is_refused(
    bob: RunningBot,
) -> None:
    await alert(bob, "AAPL above 240 repeat every 1h")
    await move(bob, 241)
    (post,) = await posted(bob, 1)
    fired = await route(bob, 1)
    assert fired.fired_at is not None and fired.group_id is not None
    groups = AlertGroupRepository(bob.services.db.sessions)

    refused = await click(bob, button(post.args, "alert_snooze_hour"), CAROL, channel=CHANNEL)
    assert refused["text"] == (
        f"Only <@{BOB}>, who set this alert, can snooze it; set your own with `/alert AAPL above 200 repeat`."
    )
    assert refused["replace_original"] is False
    assert (await groups.get(fired.group_id)).snoozed_until is None  # type: ignore[union-attr]

    snoozed = await click(bob, button(post.args, "alert_snooze_day"), BOB, channel=CHANNEL)
    assert snoozed["replace_original"] is True
    assert snoozed["blocks"][0]["block_id"] == "trading_environment"
    assert "Snoozed until <!date^" in str(snoozed["blocks"])
    assert "alert_snooze_day" not in action_ids(snoozed)
    assert "*AAPL* last price at or above *$240.00*" in str(snoozed["blocks"])
    group = await groups.get(fired.group_id)
    assert group is not None and group.snoozed_until is not None
    until = group.snoozed_until
    assert timedelta(hours=23, minutes=59) < until - utcnow() <= timedelta(days=1)

    alerts = bob.services.core.alerts
    assert await alerts.rearm_once(now=fired.fired_at + timedelta(hours=2)) == 0  # cooled down, snoozed
    assert await alerts.rearm_once(now=until - timedelta(seconds=1)) == 0
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [1]
    listing = await alert(bob, "list")
    assert "repeats every 1 hour · snoozed until <!date^" in str(listing["blocks"])
    assert await alerts.rearm_once(now=until + timedelta(seconds=1)) == 1
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [1, 2]


async def test_a_snoozed_move_claims_its_other_side_without_posting_it(bob: RunningBot) -> None:
    close = Decimal(str((await bob.admin("GET", "_sandbox/prices/AAPL"))["PreviousClose"]))
    up, down = levels(close, "5")
    await alert(bob, "AAPL moves 5%")
    await move(bob, up)
    (post,) = await posted(bob, 1)
    await click(bob, button(post.args, "alert_snooze_hour"), BOB, channel=CHANNEL)
    assert await move(bob, down) == [2]
    await delivered(bob, "alert.triggered", count=2)
    await settled(bob)
    assert len(posts(bob)) == 1
    assert (await route(bob, 2)).state == "fired"
    (held,) = [
        e
        for e in await AuditLog(bob.services.db.sessions).since(subject="alert")
        if e.action == "fired" and e.subject_id == "2"
    ]
    assert held.detail["snoozed"] is True


async def test_a_repeating_alert_stops_when_it_expires_or_is_deleted(bob: RunningBot) -> None:
    await alert(bob, "AAPL above 240 repeat every 1h expires 2h")
    await alert(bob, "MSFT below 400 repeat")
    assert await move(bob, 241) == [1]
    assert await move(bob, 399, symbol="MSFT") == [2]
    await posted(bob, 2)
    aapl, msft = await route(bob, 1), await route(bob, 2)
    assert aapl.fired_at is not None and msft.fired_at is not None
    deleted = await alert(bob, "delete 2")  # the fired MSFT alert: its group ends with it
    assert "Alert 2 is deleted" in deleted["text"]
    alerts = bob.services.core.alerts
    assert await alerts.rearm_once(now=aapl.fired_at + timedelta(hours=3)) == 0  # past its expiry
    assert [a["Id"] for a in await bob.admin("GET", "_sandbox/alerts")] == [1]
    groups = AlertGroupRepository(bob.services.db.sessions)
    assert [(await groups.get(r.group_id)).state for r in (aapl, msft)] == ["ended", "ended"]  # type: ignore[union-attr, arg-type]


async def test_deliver_dm_sends_triggers_to_the_dm_even_for_alerts_set_in_a_channel(bob: RunningBot) -> None:
    chosen = await alert(bob, "deliver dm")
    assert "come to you in a DM with me" in chosen["text"]
    listing = await alert(bob, "list")
    assert "Triggers come to you in a DM with me" in str(listing["blocks"])
    created = await alert(bob, "AAPL above 240 repeat every 1h")
    assert "I will post in a DM to you" in str(created["blocks"])

    assert await move(bob, 241) == [1]
    first = (await posted(bob, 2, channel=BOB))[1]  # after the DM that confirmed the link
    assert "*AAPL* last price at or above *$240.00*" in str(first.args["blocks"])
    assert posts(bob) == []  # nothing in the channel the alert was set in

    fired = await route(bob, 1)
    assert fired.fired_at is not None
    await move(bob, 239)
    assert await bob.services.core.alerts.rearm_once(now=fired.fired_at + timedelta(hours=2)) == 1
    assert await move(bob, 241) == [2]

    def replies() -> list[SlackCall]:
        return [c for c in bob.slack.by_method("chat.postMessage") if c.args.get("thread_ts")]

    await bob.slack.wait_until(replies)
    await settled(bob)
    assert first.answer is not None
    assert [(c.args["channel"], c.args["thread_ts"]) for c in replies()] == [
        (first.answer["channel"], first.answer["ts"])
    ]
    assert posts(bob) == []

    await alert(bob, "deliver channel")
    await alert(bob, "MSFT below 400")
    assert await move(bob, 399, symbol="MSFT") == [3]
    (in_channel,) = await posted(bob, 1)
    assert "MSFT" in in_channel.args["text"]


async def test_deliver_dm_is_refused_where_the_policy_keeps_alerts_out_of_dms(bob: RunningBot) -> None:
    bob.slack.workspace_admins.add(OWNER)
    await run(bob, f"admin alerts in <#{CHANNEL}>", OWNER)
    refused = await alert(bob, "deliver dm")
    assert refused["text"] == (
        f"An admin allows price alerts only in <#{CHANNEL}>, not in direct messages, "
        "so your triggers keep posting where you set them."
    )
    assert await bob.services.core.alerts.preferences.delivery(bob.driver.team_id, BOB) == "channel"


async def test_a_webhook_and_a_poll_for_the_same_trigger_post_once(
    bob: RunningBot, replica: Services
) -> None:
    await alert(bob, "AAPL above 240 repeat every 1h")
    assert await move(bob, 241) == [1]
    await posted(bob, 1)

    async def poll_and_replay() -> None:
        """The backstop poll on both replicas sees the fired alert; AutoShares sends its
        webhook again."""
        async with bob.services.db.sessions.begin() as session:
            await session.execute(update(AlertRoute).values(claimed_at=None))
        await asyncio.gather(Pollers.of(bob.services).alerts_once(), Pollers.of(replica).alerts_once())
        for delivery in await delivered(bob, "alert.triggered"):
            body = json.dumps(delivery["Payload"]).encode()
            again = await bob.http.post(bob.url + "autoshares/webhooks", content=body, headers=sign(body))
            assert again.status_code == 200 and again.json()["duplicate"]
        await asyncio.gather(bob.services.drain(), replica.drain())

    await poll_and_replay()
    assert len(posts(bob)) == 1
    fired = await route(bob, 1)
    assert fired.fired_at is not None and fired.rearm_at == fired.fired_at + timedelta(hours=1)

    await move(bob, 239)
    assert await bob.services.core.alerts.rearm_once(now=fired.fired_at + timedelta(hours=1)) == 1
    # The re-trigger: the poll may now see it before its webhook arrives; one reply either way.
    assert await move(bob, 241) == [2]
    await poll_and_replay()
    await settled(bob)
    first, reply = posts(bob)
    assert first.answer is not None and reply.args["thread_ts"] == first.answer["ts"]
    owed = [r for r in await bob.services.delivery.outbox.listed() if r.kind == "alert_triggered"]
    assert sorted(r.data["alert_id"] for r in owed) == [1, 2]
    fired_events = [
        e for e in await AuditLog(bob.services.db.sessions).since(subject="alert") if e.action == "fired"
    ]
    assert [e.subject_id for e in fired_events] == ["1", "2"]
