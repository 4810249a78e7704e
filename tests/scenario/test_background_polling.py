"""Background passes at scale, end to end against the sandbox: every due alert and open order in
one pass (never-checked first), one AutoShares listing per user or account, each user's quota
left to their own commands (an allowance, and back-off after a 429), the backstop that still
polls where webhooks are configured, and tokens refreshed before an idle user's run out.

Many users, alerts and orders are written straight into the sandbox and the database
(``bot.devkit.seeding``); passes are run here, one at a time, and their effects asserted.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.app.pollers import Pollers
from bot.core.passes import PassReport
from bot.devkit.seeding import SeededUser, seed_sandbox, store_seeded
from storage.alerts import ALERT_TRIGGERED
from storage.audit import AuditLog
from storage.crypto import TokenCipher
from storage.models import AlertRoute, LinkedUser, PendingOrder
from storage.orders import ORDER_CHANGED
from storage.outbox import OutboxItem, OutboxRepository
from storage.records import aware, utcnow
from tests.conftest import RunningBot
from tests.scenario.test_alerts import SECRET, alert_posts, settled, sign
from tests.scenario.test_orders import BOB, command
from tests.scenario.test_webhooks import place_open_order, poll_orders_now, updates_at, wait_for_update

ALERT_LIST = "GET /v1.0/users/{userId}/pricealerts"
ORDER_LIST = "GET /v1.0/accounts/{accountId}/orders"
ORDER_ONE = "GET /v1.0/accounts/{accountId}/orders/{orderId}"


def pollers(bot: RunningBot) -> Pollers:
    return Pollers.of(bot.services)


async def seed(
    bot: RunningBot,
    *,
    users: int,
    alerts: int = 0,
    orders: int = 0,
    prefix: str = "seed",
    checked: bool = True,
) -> list[SeededUser]:
    """Users linked to the bot with armed alerts and open orders, all last looked at an hour
    ago (``checked``) or never."""
    made = seed_sandbox(
        bot.sandbox.sandbox, users=users, alerts_per_user=alerts, orders_per_user=orders, prefix=prefix
    )
    await store_seeded(
        bot.services.db,
        TokenCipher(bot.settings.token_encryption_keys),
        made,
        team_id=bot.slack.team_id,
        checked_at=utcnow() - timedelta(hours=1) if checked else None,
    )
    return made


async def api_calls(bot: RunningBot, endpoint: str) -> int:
    return int((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"].get(endpoint, 0))


async def alerts_due_again(bot: RunningBot) -> None:
    """As if the polling interval had passed since every route was checked."""
    async with bot.services.db.sessions.begin() as session:
        await session.execute(update(AlertRoute).values(claimed_at=utcnow() - timedelta(hours=1)))


def fire_at_autoshares(bot: RunningBot, alert_ids: list[int]) -> None:
    """These alerts fired at AutoShares, and nobody told the bot."""
    for alert_id in alert_ids:
        alert = bot.sandbox.sandbox.state.alerts[alert_id]
        alert.state, alert.triggered_price = "Completed", 100_001.0


class TestWithoutWebhooks:
    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        """Small chunks, so one pass leases many; the loops themselves stay out of the way."""
        return {
            **bot_env,
            "POLL_CHUNK_SIZE": "50",
            "ALERT_POLL_SECONDS": "3600",
            "ORDER_POLL_SECONDS": "3600",
        }

    async def test_every_due_alert_is_checked_in_one_pass_never_checked_first(self, bot: RunningBot) -> None:
        # 300 alerts of three users were checked an hour ago; the user linked last has two
        # alerts never checked. Each user has alerts that fired meanwhile.
        earlier = await seed(bot, users=3, alerts=100, prefix="early")
        (latest,) = await seed(bot, users=1, alerts=2, prefix="late", checked=False)
        fired = [user.alert_ids[-1] for user in earlier] + list(latest.alert_ids)
        fire_at_autoshares(bot, fired)
        started = utcnow()

        report = await pollers(bot).alerts_once()
        async with bot.services.db.sessions() as session:
            routes = list(await session.scalars(select(AlertRoute)))
        assert len(routes) == 302
        assert all(r.claimed_at is not None and aware(r.claimed_at) >= started for r in routes)
        assert sorted(r.alert_id for r in routes if r.state == "fired") == sorted(fired)
        assert len(await owed(bot, ALERT_TRIGGERED)) == 5
        assert await api_calls(bot, ALERT_LIST) == 4  # one listing per user
        assert (report.rows, report.groups, report.calls, report.announced, report.failed) == (
            302,
            4,
            4,
            5,
            0,
        )

        again = await pollers(bot).alerts_once()  # nothing is due until the interval has passed
        assert (again.rows, again.calls) == (0, 0)
        await alerts_due_again(bot)
        later = await pollers(bot).alerts_once()
        assert (later.rows, later.announced) == (297, 0)
        assert len(await owed(bot, ALERT_TRIGGERED)) == 5  # each trigger announced once

    async def test_open_orders_cost_one_listing_per_account_per_pass(self, bot: RunningBot) -> None:
        await bot.admin("POST", "_sandbox/faults", json={"RateLimits": True})  # AutoShares' limits
        (user,) = await seed(bot, users=1, orders=40)
        reports = [await poll_orders_now_report(bot) for _ in range(4)]
        assert await api_calls(bot, ORDER_ONE) == 0
        assert await api_calls(bot, ORDER_LIST) == 4
        assert (await bot.admin("GET", "_sandbox/stats"))["RateLimited"] == 0
        assert {(r.rows, r.groups, r.calls, r.announced) for r in reports} == {(40, 1, 1, 0)}

        # Ten of the orders fill: one more listing reads them (by their Ids), and each
        # order's message is updated once.
        filling = [order.order_id for order in user.orders[:10]]
        for order_id in filling:
            bot.sandbox.sandbox.state.orders[order_id].price = 150.0
        await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 149})
        report = await poll_orders_now_report(bot)
        assert (report.rows, report.calls, report.announced) == (40, 2, 10)
        async with bot.services.db.sessions() as session:
            statuses = {
                r.autoshares_order_id: r.order_status for r in await session.scalars(select(PendingOrder))
            }
        assert {statuses[i] for i in filling} == {"Filled"}
        assert set(statuses.values()) - {"Filled"} == {"New"}
        assert len(await owed(bot, ORDER_CHANGED)) == 10  # one message each (by DM: no response_url)

        # The user's own commands still have their quota.
        listing = await command(bot, "list", user=user.slack_user_id)
        assert "limiting" not in listing["text"]
        assert (await bot.admin("GET", "_sandbox/stats"))["RateLimited"] == 0
        later = await poll_orders_now_report(bot)  # finished orders are not followed any more
        assert (later.rows, later.calls) == (30, 1)

    async def test_background_work_keeps_within_each_users_allowance(
        self, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await bot.admin("POST", "_sandbox/faults", json={"RateLimits": True})  # 60 alert calls a minute
        pacing = bot.services.core.alerts.pacing
        monkeypatch.setattr(pacing, "clock", lambda: 0.0)  # no allowance comes back during the test
        (heavy,) = await seed(bot, users=1, alerts=700, prefix="heavy")  # 7 pages to list
        (light,) = await seed(bot, users=1, alerts=1, prefix="light")
        reports = []
        for _ in range(10):
            await alerts_due_again(bot)
            reports.append(await pollers(bot).alerts_once())
        # 20 calls a minute each: the heavy user's list is read three times (the third
        # overdraws the allowance), then they wait; the light user is checked every pass.
        assert [r.calls for r in reports] == [8, 8, 8] + [1] * 7
        assert [r.paced for r in reports] == [0, 0, 0] + [1] * 7
        assert await api_calls(bot, ALERT_LIST) == 31
        listing = await command(bot, "list", user=heavy.slack_user_id, command="/alert")
        assert "limiting" not in listing["text"] and str(heavy.alert_ids[0]) in str(listing["blocks"])
        assert (await bot.admin("GET", "_sandbox/stats"))["RateLimited"] == 0

    async def test_a_429_backs_that_user_off_and_their_own_command_still_works(
        self, bot: RunningBot, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pacing = bot.services.core.alerts.pacing
        monkeypatch.setattr(pacing, "clock", lambda: 0.0)  # Retry-After does not run out during the test
        limited, other = await seed(bot, users=2, alerts=1)
        quota_spent = {
            "_status": 429,
            "_headers": {"Retry-After": "60"},
            "Message": "API calls quota exceeded.",
        }
        path = f"GET /v1.0/users/{limited.user_id}/pricealerts"
        await bot.admin("POST", "_sandbox/faults", json={"Rewrite": {path: quota_spent}})
        first = await pollers(bot).alerts_once()
        assert (first.groups, first.calls, first.backed_off, first.failed) == (2, 2, 1, 0)
        assert await pacing.backed_off((bot.slack.team_id, limited.slack_user_id))

        # AutoShares would answer again, and both alerts have fired: until Retry-After has
        # passed, no background call is made for that user; the other is polled as usual.
        await bot.admin("POST", "_sandbox/faults", json={"Clear": True})
        fire_at_autoshares(bot, [limited.alert_ids[0], other.alert_ids[0]])
        await alerts_due_again(bot)
        second = await pollers(bot).alerts_once()
        assert (second.rows, second.calls, second.backed_off, second.announced) == (2, 1, 1, 1)
        await alerts_due_again(bot)
        third = await pollers(bot).alerts_once()
        assert (third.rows, third.calls, third.backed_off) == (1, 0, 1)
        assert await api_calls(bot, ALERT_LIST) == 3
        # Their own command is theirs to make, and works.
        listing = await command(bot, "list", user=limited.slack_user_id, command="/alert")
        assert str(limited.alert_ids[0]) in str(listing["blocks"])
        assert len(await owed(bot, ALERT_TRIGGERED)) == 1  # the other user's alert; theirs waits

        monkeypatch.setattr(pacing, "clock", lambda: 61.0)  # Retry-After has passed
        await alerts_due_again(bot)
        fourth = await pollers(bot).alerts_once()
        assert (fourth.rows, fourth.calls, fourth.announced) == (1, 1, 1)


async def owed(bot: RunningBot, kind: str) -> list[OutboxItem]:
    """The messages owed to Slack of this kind (the outbox paces posts per channel, so they are
    counted where they are owed, not where they land)."""
    return [m for m in await OutboxRepository(bot.services.db.sessions).listed(limit=1000) if m.kind == kind]


async def poll_orders_now_report(bot: RunningBot) -> PassReport:
    """One order pass with every order due (as ``poll_orders_now``), returning its report."""
    async with bot.services.db.sessions.begin() as session:
        await session.execute(update(PendingOrder).values(updated_at=utcnow() - timedelta(hours=2)))
    report = await pollers(bot).orders_once()
    await bot.services.drain()
    return report


class TestWithWebhooks:
    """AUTOSHARES_WEBHOOK_SECRET is set, but the sandbox sends no webhook (none is configured
    there): a webhook AutoShares never sent. The backstop pass still finds the change."""

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "ORDER_POLL_SECONDS": "3600"}

    @pytest.fixture
    async def bob(self, bot: RunningBot) -> RunningBot:
        await bot.link(BOB, "bob")
        return bot

    async def test_a_missed_fill_is_announced_once_by_the_backstop(self, bob: RunningBot) -> None:
        _placed, path = await place_open_order(bob)
        await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199})
        (missed,) = [
            d
            for d in (await bob.admin("GET", "_sandbox/webhooks"))["Deliveries"]
            if d["Type"] == "order.filled"
        ]
        assert missed["Attempts"] == 0  # AutoShares never sent it
        await poll_orders_now(bob)
        filled = await wait_for_update(bob, path, "is filled")
        assert "3 filled at $199.00 on average" in str(filled["blocks"])
        # The webhook turns up after all: it changes nothing.
        body = json.dumps(missed["Payload"]).encode()
        late = await bob.http.post(bob.url + "autoshares/webhooks", content=body, headers=sign(body))
        assert late.json() == {"ok": True, "duplicate": False}
        await poll_orders_now(bob)
        await settled(bob)
        assert len(await updates_at(bob, path)) == 2  # placed, then filled: nothing more

    async def test_open_orders_are_followed_at_the_backstop_cadence(self, bob: RunningBot) -> None:
        await place_open_order(bob)
        report = await pollers(bob).orders_once()  # placed just now: not due for five minutes
        assert report.rows == 0
        await poll_orders_now(bob)
        assert await api_calls(bob, ORDER_LIST) >= 1


class TestBackstopLoop:
    """With webhooks configured, the alert loop still runs, every BACKSTOP_POLL_SECONDS."""

    @pytest.fixture
    def bot_env(self, bot_env: dict[str, str]) -> dict[str, str]:
        return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "BACKSTOP_POLL_SECONDS": "0.1"}

    async def test_a_missed_trigger_is_announced_once_by_the_backstop(self, bot: RunningBot) -> None:
        await bot.link(BOB, "bob")
        await command(bot, "AAPL above 240", command="/alert")
        await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.5})
        (posted,) = await bot.slack.wait_for("chat.postMessage", channel="C0GENERAL")
        assert "*AAPL* last price at or above *$240.00*" in str(posted.args["blocks"])
        (missed,) = [
            d
            for d in (await bot.admin("GET", "_sandbox/webhooks"))["Deliveries"]
            if d["Type"] == "alert.triggered"
        ]
        body = json.dumps(missed["Payload"]).encode()
        late = await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign(body))
        assert late.json() == {"ok": True, "duplicate": False}
        await pollers(bot).alerts_once()
        await settled(bot)
        assert len(await alert_posts(bot)) == 1
        fired = [
            e for e in await AuditLog(bot.services.db.sessions).since(subject="alert") if e.action == "fired"
        ]
        assert [(e.subject_id, e.detail["source"]) for e in fired] == [("1", "poller")]


async def test_an_idle_users_expiring_token_is_refreshed_in_the_background(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.link("U0ALICE", "alice")
    await command(bot, "AAPL above 300", command="/alert")  # bob has background work; alice has none
    soon = utcnow() + timedelta(minutes=5)  # expiring, but not yet close enough for a call to refresh it
    async with bot.services.db.sessions.begin() as session:
        await session.execute(update(LinkedUser).values(token_expires_at=soon))
    before = {u: await bot.services.links.get(bot.slack.team_id, u) for u in (BOB, "U0ALICE")}
    grants = (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"].get("refresh_token", 0)

    assert await pollers(bot).tokens_once() == 1
    bob = await bot.services.links.get(bot.slack.team_id, BOB)
    alice = await bot.services.links.get(bot.slack.team_id, "U0ALICE")
    assert bob is not None and alice is not None
    assert bob.access_token != before[BOB].access_token  # type: ignore[union-attr]
    assert bob.token_expires_at > utcnow() + timedelta(hours=1)
    assert alice.access_token == before["U0ALICE"].access_token  # type: ignore[union-attr]
    assert (await bot.admin("GET", "_sandbox/stats"))["TokenGrants"]["refresh_token"] == grants + 1
    assert await pollers(bot).tokens_once() == 0  # fresh now: nothing to do
    assert bot.services.metrics.value("autoshares_token_refreshes_total") == 1
