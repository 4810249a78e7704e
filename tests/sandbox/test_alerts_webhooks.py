"""Price alerts that fire, and the signed webhooks they (and orders) produce."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time

import httpx
import pytest

from sandbox import SandboxConfig
from tests.sandbox.conftest import WebhookReceiver, make_config, settled_deliveries

SECRET = "whsec-test"


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return make_config(webhook_secret=SECRET)


@pytest.fixture
async def hooked(client: httpx.AsyncClient, receiver: WebhookReceiver) -> WebhookReceiver:
    """Point the sandbox's webhooks at the receiver (the port is known only now)."""
    response = await client.post("_sandbox/webhooks", json={"Url": receiver.url})
    assert response.json()["Url"] == receiver.url
    return receiver


def verify(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


async def create_alert(client: httpx.AsyncClient, headers: dict[str, str], **fields: object) -> dict:
    body = {
        "Operator": "GTEQ",
        "Field": "Last",
        "Argument": 250.0,
        "SecurityId": 1,
        "ExpirationDate": int(time.time()) + 3600,
        "State": "New",
    } | fields
    response = await client.post("v1.0/users/@me/pricealerts", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_triggered_alert_sends_exactly_one_signed_webhook(
    client: httpx.AsyncClient, bob: dict[str, str], hooked: WebhookReceiver
) -> None:
    await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.0})
    alert = await create_alert(client, bob)
    assert alert["State"] == "New" and alert["Symbol"] == "AAPL"

    below = (await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 249.99})).json()
    assert below["TriggeredAlertIds"] == []
    at = (await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 250.0})).json()
    assert at["TriggeredAlertIds"] == [alert["Id"]]
    await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 255.0})

    [hook] = await hooked.wait_for(1)
    # The sandbox's record of what it sent is complete once nothing is pending: one event,
    # delivered at the first attempt, so no other webhook is on its way.
    deliveries = await settled_deliveries(client)
    assert [(d["Type"], d["Status"], d["Attempts"]) for d in deliveries] == [
        ("alert.triggered", "delivered", 1)
    ]
    assert len(hooked.received) == 1
    assert verify(hook.body, hook.headers["x-autoshares-signature"])
    event = hook.json()
    assert set(event) == {"id", "type", "timestamp", "accountId", "data"}
    assert event["type"] == "alert.triggered" and event["accountId"] == 5002
    # pages/webhooks.md: the symbol, the alert condition and the current price (camelCase)
    assert event["data"] | {"triggeredAt": None} == {
        "symbol": "AAPL",
        "condition": {"field": "Last", "operator": "GTEQ", "argument": 250.0},
        "currentPrice": 250.0,
        "triggeredAt": None,
    }
    stored = (await client.get(f"v1.0/users/@me/pricealerts/{alert['Id']}", headers=bob)).json()
    assert stored["State"] == "Completed"


async def test_webhook_is_retried_after_a_500_with_the_same_id(
    client: httpx.AsyncClient, bob: dict[str, str], hooked: WebhookReceiver
) -> None:
    hooked.script.extend([500, 503])
    await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.0})
    await create_alert(client, bob, Operator="LTEQ", Argument=235.0, Field="Bid")
    await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 230.0})
    received = await hooked.wait_for(3)
    assert len({hook.json()["id"] for hook in received}) == 1
    assert all(verify(h.body, h.headers["x-autoshares-signature"]) for h in received)
    [delivery] = (await client.get("_sandbox/webhooks")).json()["Deliveries"]
    assert delivery["StatusCodes"] == [500, 503, 200]
    assert delivery["Status"] == "delivered" and delivery["Attempts"] == 3


async def test_unreachable_receiver_is_retried_with_backoff(client: httpx.AsyncClient) -> None:
    await client.post("_sandbox/webhooks", json={"Url": "http://127.0.0.1:9/nothing-here"})
    await client.post("_sandbox/users", json={"Login": "carol", "Password": "pw"})
    await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.0})
    headers = {"Et-App-Key": "sandbox-app-key"}
    token = (await client.post("token", headers=headers | {"Username": "carol", "Password": "pw"})).json()[
        "Token"
    ]
    await client.post(
        "v1.0/accounts/5003/orders",
        headers=headers | {"Authorization": f"Bearer {token}"},
        json={"Symbol": "AAPL", "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": 200},
    )
    async with asyncio.timeout(30):  # the sandbox's own loop retries: look every 10 ms
        while True:
            [delivery] = (await client.get("_sandbox/webhooks")).json()["Deliveries"]
            # the third attempt is over (not just started) once its retry is scheduled
            if delivery["Attempts"] >= 3 and delivery["NextAttemptInSeconds"] is not None:
                break
            await asyncio.sleep(0.01)
    assert delivery["Attempts"] >= 3 and delivery["Status"] == "pending"
    assert delivery["AttemptLog"][0]["Error"] == "ConnectError"
    assert delivery["NextAttemptInSeconds"] in (1.8, 7.2)


async def test_order_events_are_delivered_in_order_in_the_documented_shape(
    client: httpx.AsyncClient, bob: dict[str, str], hooked: WebhookReceiver
) -> None:
    body = {"Symbol": "SPY", "Side": "Buy", "Type": "Market", "Quantity": 1, "ClientId": "c-9"}
    market = (await client.post("v1.0/accounts/5002/orders", json=body, headers=bob)).json()
    limit = body | {"Type": "Limit", "Price": 500.0, "ClientId": "c-10"}
    order = (await client.post("v1.0/accounts/5002/orders", json=limit, headers=bob)).json()
    await client.delete(f"v1.0/accounts/5002/orders/{order['Id']}", headers=bob)
    rejected = body | {"Symbol": "NOPE", "ClientId": "c-11"}
    refused = (await client.post("v1.0/accounts/5002/orders", json=rejected, headers=bob)).json()
    received = await hooked.wait_for(6)
    events = [
        (h.json()["type"], h.json()["data"].get("orderId"), h.json()["data"].get("status")) for h in received
    ]
    assert events == [
        ("order.created", market["Id"], "New"),
        ("order.filled", market["Id"], "Filled"),
        ("position.opened", None, None),
        ("order.created", order["Id"], "New"),
        ("order.cancelled", order["Id"], "Canceled"),
        ("order.rejected", refused["Id"], "Rejected"),
    ]
    # pages/webhooks.md's order.filled example, field for field
    filled = received[1].json()["data"]
    assert set(filled) == {
        "orderId", "symbol", "side", "type", "quantity", "filledQuantity", "averagePrice", "status",
        "executionTime",
    }  # fmt: skip
    assert (
        filled["symbol"],
        filled["side"],
        filled["type"],
        filled["quantity"],
        filled["filledQuantity"],
    ) == (
        "SPY",
        "Buy",
        "Market",
        1,
        1,
    )
    assert filled["averagePrice"] == market["AveragePrice"] and filled["executionTime"].endswith("Z")
    assert received[2].json()["data"] == {"symbol": "SPY", "quantity": 1, "costBasis": market["AveragePrice"]}
    assert received[5].json()["data"]["reason"] == "SymbolNotFound"
    assert all("ClientId" not in h.json()["data"] and "clientId" not in h.json()["data"] for h in received)
    assert len({h.json()["id"] for h in received}) == 6
    assert all(h.json()["accountId"] == 5002 for h in received)


class TestRetrySchedule:
    SCALE = 0.00001  # 12 hours become 0.43 s

    @pytest.fixture
    def sandbox_config(self) -> SandboxConfig:
        return make_config(webhook_secret=SECRET, webhook_retry_scale=self.SCALE)

    async def test_retries_follow_the_documented_schedule_then_the_delivery_fails(
        self, client: httpx.AsyncClient, bob: dict[str, str], hooked: WebhookReceiver
    ) -> None:
        """1 min, 5 min, 30 min, 2 h, 12 h (time-scaled), then failed: pages/webhooks.md."""
        hooked.script.extend([500] * 6)
        await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 240.0})
        await create_alert(client, bob, Argument=245.0)
        await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 246.0})
        [delivery] = await settled_deliveries(client)
        assert delivery["Status"] == "failed" and delivery["StatusCodes"] == [500] * 6
        documented = [60, 300, 1800, 7200, 43200]
        assert delivery["RetryDelaysSeconds"] == pytest.approx([s * self.SCALE for s in documented])
        assert len({hook.json()["id"] for hook in hooked.received}) == 1


async def test_expired_alert_does_not_fire(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    alert = await create_alert(client, bob, ExpirationDate=int(time.time()) - 1)
    moved = (await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 300})).json()
    assert moved["TriggeredAlertIds"] == []
    stored = (await client.get(f"v1.0/users/@me/pricealerts/{alert['Id']}", headers=bob)).json()
    assert stored["State"] == "Expired"


async def test_alert_crud_and_ownership(
    client: httpx.AsyncClient, bob: dict[str, str], alice: dict[str, str]
) -> None:
    alert = await create_alert(client, bob, Argument=100.0)
    changed = await client.put(
        f"v1.0/users/1002/pricealerts/{alert['Id']}",
        headers=bob,
        json={
            "Operator": "LTEQ",
            "Field": "Ask",
            "Argument": 90.0,
            "SecurityId": 2,
            "ExpirationDate": 0,
            "State": "Stopped",
        },
    )
    assert changed.status_code == 200
    assert changed.json()["Symbol"] == "MSFT" and changed.json()["State"] == "Stopped"
    listed = (
        await client.get(
            "v1.0/users/@me/pricealerts",
            headers=bob,
            params={"pageSize": 10, "pageNumber": 0, "sortBy": "Id", "isDesc": "false"},
        )
    ).json()
    assert [a["Id"] for a in listed["Result"]] == [alert["Id"]]
    foreign = await client.get(f"v1.0/users/@me/pricealerts/{alert['Id']}", headers=alice)
    assert foreign.status_code == 404
    other_user = await client.get(
        "v1.0/users/1002/pricealerts",
        headers=alice,
        params={"pageSize": 10, "pageNumber": 0, "sortBy": "Id", "isDesc": "false"},
    )
    assert other_user.status_code == 403
    deleted = await client.delete(f"v1.0/users/@me/pricealerts/{alert['Id']}", headers=bob)
    assert deleted.status_code == 200
    gone = await client.get(f"v1.0/users/@me/pricealerts/{alert['Id']}", headers=bob)
    assert gone.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"Operator": None}, "Operator"),
        ({"Operator": "GT"}, "Operator"),
        ({"Field": "Close"}, "Field"),
        ({"ExpirationDate": None}, "ExpirationDate"),
        ({"SecurityId": 999_999}, "SecurityId"),
        ({"State": "Done"}, "State"),
        ({"Argument": -1}, "Argument"),
    ],
)
async def test_invalid_alert_bodies_get_422(
    client: httpx.AsyncClient, bob: dict[str, str], change: dict[str, object], field: str
) -> None:
    body = {"Operator": "GTEQ", "Field": "Last", "Argument": 250.0, "SecurityId": 1, "ExpirationDate": 0}
    body = {k: v for k, v in (body | change).items() if v is not None}
    response = await client.post("v1.0/users/@me/pricealerts", json=body, headers=bob)
    assert response.status_code == 422
    assert field in response.json()["ModelState"]
