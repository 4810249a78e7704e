"""The sandbox and the bot on AutoShares' documented webhook shapes (AutoSharesAPI/API
pages/webhooks.md): camelCase order data known by ``orderId`` only, an alert.triggered that
names the symbol, the condition and the price but no alert, the other documented types
answered and counted, and the documented retries when an event cannot be settled yet."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from storage.audit import AuditLog
from storage.models import PendingOrder
from storage.records import OrderState
from tests.conftest import RunningBot
from tests.scenario.test_alerts import CHANNEL, SECRET, alert_posts, delivered, settled, sign
from tests.scenario.test_orders import ALICE, BOB, button, command, sandbox_orders
from tests.scenario.test_webhooks import place_open_order, updates_at, wait_for_update


@pytest.fixture
def bot_env(bot_env: dict[str, str]) -> dict[str, str]:
    return {**bot_env, "AUTOSHARES_WEBHOOK_SECRET": SECRET, "ORDER_POLL_SECONDS": "3600"}


@pytest.fixture
async def bob(bot: RunningBot) -> RunningBot:
    await bot.link(BOB, "bob")
    await bot.admin(
        "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": SECRET}
    )
    return bot


async def post_event(bot: RunningBot, event: dict[str, Any]) -> Any:
    body = json.dumps(event).encode()
    return await bot.http.post(bot.url + "autoshares/webhooks", content=body, headers=sign(body))


def events_counted(bot: RunningBot, event_type: str, kind: str) -> float:
    return bot.services.metrics.value("autoshares_webhook_events_total", type=event_type, kind=kind)


async def test_sandbox_order_events_in_the_documented_shape_update_the_message(bob: RunningBot) -> None:
    _placed, path = await place_open_order(bob)  # buy 3 TSLA limit 200
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "TSLA", "Last": 199.5})
    filled = await wait_for_update(bob, path, "is filled")
    assert "3 filled at $199.50 on average" in str(filled["blocks"])
    (delivery,) = await delivered(bob, "order.filled")
    data = delivery["Payload"]["data"]
    assert "orderId" in data and "ClientId" not in data and "Id" not in data  # matched by orderId
    await delivered(bob, "position.opened")
    await settled(bob)
    assert len(await updates_at(bob, path)) == 2
    assert events_counted(bob, "order.filled", "order") == 1
    assert events_counted(bob, "position.opened", "counted") == 1
    actions = [e.action for e in await AuditLog(bob.services.db.sessions).since(subject="order")]
    assert actions == ["previewed", "confirmed", "placed", "filled"]


async def test_an_order_event_for_a_placement_without_its_answer_yet_is_asked_again(bob: RunningBot) -> None:
    """The documented data carries no ClientId: an event for an order whose placement answer is
    not recorded yet cannot be matched, so it is refused (503, nothing recorded) while an order
    of that account is being placed, and AutoShares' next attempt finds the order known."""
    _placed, path = await place_open_order(bob)
    (order,) = await sandbox_orders(bob)
    await settled(bob)  # that order's own events are in (one may have been asked again)
    metrics = bob.services.metrics
    refused_before = metrics.value(
        "autoshares_webhook_deliveries_total", outcome="rejected", reason="not_yet"
    )
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 230})
    second = await command(bob, "buy 1 AAPL limit 220")
    placing = button(second, "order_confirm")["value"]
    async with bob.services.db.sessions.begin() as session:
        await session.execute(
            update(PendingOrder).where(PendingOrder.id == placing).values(status="submitting")
        )
    event = {
        "id": "evt_early_fill",
        "type": "order.filled",
        "timestamp": "2026-04-28T14:30:00.000Z",
        "accountId": 5002,
        "data": {
            "orderId": order["Id"] + 1,  # the order being placed: AutoShares knows it, we not yet
            "symbol": "AAPL",
            "side": "Buy",
            "type": "Limit",
            "quantity": 1,
            "filledQuantity": 1,
            "averagePrice": 219.5,
            "status": "Filled",
            "executionTime": "2026-04-28T14:30:00.000Z",
        },
    }
    first, again = await post_event(bob, event), await post_event(bob, event)
    assert (first.status_code, again.status_code) == (503, 503)  # not recorded: not a duplicate
    refused = metrics.value("autoshares_webhook_deliveries_total", outcome="rejected", reason="not_yet")
    assert refused - refused_before == 2
    # The placement's answer arrives: the order is known, and the next delivery lands.
    placed = OrderState(order_id=order["Id"] + 1, status="New", executed_quantity=Decimal(0), client_id=placing)
    await bob.services.core.orders.repo.record_placed(placing, placed)
    landed = await post_event(bob, event)
    assert landed.status_code == 200 and landed.json() == {"ok": True, "duplicate": False}
    row = await bob.services.core.orders.repo.get(placing)
    assert row is not None and row.order_status == "Filled" and row.result is not None
    assert row.result.average_price == Decimal("219.5")
    assert row.result.client_id == placing  # what the event leaves out stays as known
    # An event for an order of another account (or when nothing is being placed) is not ours: 200.
    other = {**event, "id": "evt_other", "accountId": 5001}
    assert (await post_event(bob, other)).status_code == 200
    assert len(await updates_at(bob, path)) == 1


async def test_documented_alert_trigger_fires_the_alerts_autoshares_shows_fired(bot: RunningBot) -> None:
    """alert.triggered names no alert: the routes on the symbol whose condition fits are checked
    with each owner's token, and only the alerts AutoShares shows as fired are announced."""
    await bot.link(BOB, "bob")
    await bot.link(ALICE, "alice")
    await bot.admin(
        "POST", "_sandbox/webhooks", json={"Url": bot.url + "autoshares/webhooks", "Secret": SECRET}
    )
    await command(bot, "AAPL above 240", command="/alert", user=BOB)
    await command(bot, "AAPL above 240", command="/alert", user=ALICE)
    await command(bot, "AAPL above 300", command="/alert", user=BOB)  # not crossed
    await command(bot, "MSFT above 1", command="/alert", user=BOB)  # another symbol
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241.5})
    posts = await bot.slack.wait_for("chat.postMessage", channel=CHANNEL, count=2)
    await delivered(bot, "alert.triggered", count=2)
    await settled(bot)
    texts = sorted(str(p.args["blocks"]) for p in await alert_posts(bot))
    assert len(texts) == 2 and all("$241.50" in t for t in texts)
    assert {f"<@{BOB}>" in t for t in texts} == {True, False}
    routes = {
        r.alert_id: r.state
        for u in (BOB, ALICE)
        for r in await bot.services.core.alerts.routes.for_user(bot.slack.team_id, u)
    }
    assert routes == {1: "fired", 2: "fired", 3: "active", 4: "active"}
    assert len(posts) == 2
    assert events_counted(bot, "alert.triggered", "alert") == 2


async def test_alert_trigger_is_asked_again_when_autoshares_cannot_confirm_it(bob: RunningBot) -> None:
    await command(bob, "AAPL above 240", command="/alert")
    await bob.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    await bob.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 241})

    async with asyncio.timeout(10):  # until the bot has refused a delivery
        while not any(  # noqa: ASYNC110 - asks the sandbox
            503 in d["StatusCodes"]
            for d in (await bob.admin("GET", "_sandbox/webhooks"))["Deliveries"]
            if d["Type"] == "alert.triggered"
        ):
            await asyncio.sleep(0.01)
    await bob.admin("POST", "_sandbox/faults", json={"ErrorRate": 0.0})
    (posted,) = await bob.slack.wait_for("chat.postMessage", channel=CHANNEL)
    assert "$241.00" in str(posted.args["blocks"])
    (delivery,) = await delivered(bob, "alert.triggered")
    assert delivery["StatusCodes"][0] == 503 and delivery["StatusCodes"][-1] == 200
    await settled(bob)
    assert len(await alert_posts(bob)) == 1


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("position.opened", {"symbol": "AAPL", "quantity": 10, "costBasis": 1825.0}),
        ("position.closed", {"symbol": "AAPL", "realizedProfitLoss": 12.5, "closePrice": 183.75}),
        ("transfer.completed", {"amount": 500.0, "direction": "Deposit", "accountId": 5002}),
        ("transfer.failed", {"amount": 500.0, "reason": "Insufficient funds"}),
        ("account.updated", {"changedFields": ["Alias"]}),
        ("order.replaced", {"orderId": 999, "status": "Replaced"}),
    ],
)
async def test_other_documented_types_are_answered_and_counted_once(
    bob: RunningBot, event_type: str, data: dict[str, Any]
) -> None:
    event = {
        "id": f"evt_{event_type}",
        "type": event_type,
        "timestamp": "2026-04-28T14:30:00.000Z",
        "accountId": 5002,
        "data": data,
    }
    first, repeat = await post_event(bob, event), await post_event(bob, event)
    assert (first.status_code, first.json()["duplicate"]) == (200, False)
    assert (repeat.status_code, repeat.json()["duplicate"]) == (200, True)
    kind = "order" if event_type.startswith("order.") else "counted"
    assert events_counted(bob, event_type, kind) == 1


async def test_an_undocumented_type_is_answered_and_counted_as_other(bob: RunningBot) -> None:
    event = {"id": "evt_new_kind", "type": "watchlist.changed", "accountId": 5002, "data": {}}
    assert (await post_event(bob, event)).status_code == 200
    assert events_counted(bob, "other", "other") == 1
