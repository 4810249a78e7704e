"""POST /_sandbox/reset (one served sandbox as good as a new one) and the "Hold" fault."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sandbox.server import RunningSandbox
from tests.sandbox.conftest import WebhookReceiver

ORDER = {"Symbol": "AAPL", "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": 200}


async def held(client: httpx.AsyncClient, count: int) -> None:
    """Wait until ``count`` requests are held (the sandbox has them, and has not answered)."""
    async with asyncio.timeout(10):
        while (await client.get("_sandbox/faults")).json()["Held"] < count:  # noqa: ASYNC110 - asks the server
            await asyncio.sleep(0.005)


async def test_reset_forgets_everything_a_test_did(
    client: httpx.AsyncClient, bob: dict[str, str], receiver: WebhookReceiver, sb: RunningSandbox
) -> None:
    started_with = sb.sandbox.initial_config
    seeded = (await client.get("_sandbox/prices/AAPL")).json()
    await client.post("_sandbox/users", json={"Login": "carol", "Password": "pw"})
    await client.post("_sandbox/webhooks", json={"Url": receiver.url})
    assert (await client.post("v1.0/accounts/5002/orders", json=ORDER, headers=bob)).status_code == 200
    await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 150})
    await client.post("_sandbox/clock", json={"AdvanceSeconds": 60, "Mode": "closed"})
    await client.post("_sandbox/faults", json={"ErrorRate": 0.5, "FailNextOrders": 2, "RateLimits": False})
    await receiver.wait_for(2)  # order.created, order.filled

    answer = await client.post("_sandbox/reset")
    assert answer.status_code == 200
    assert answer.json()["Settings"]["RateLimits"] is started_with.rate_limits
    assert sb.config == started_with
    assert "ClientSecret" not in answer.json()["Settings"]

    assert (await client.get("_sandbox/orders")).json() == []
    assert (await client.get("_sandbox/prices/AAPL")).json()["Last"] == seeded["Last"]
    assert (await client.get("_sandbox/webhooks")).json() == {"Url": None, "Deliveries": []}
    clock = (await client.get("_sandbox/clock")).json()
    assert (clock["Mode"], clock["OffsetSeconds"]) == ("always", 0)
    faults = (await client.get("_sandbox/faults")).json()
    assert faults == {
        "LatencyMs": 0,
        "ErrorRate": 0.0,
        "DropRate": 0.0,
        "FailNextOrders": 0,
        "Hold": False,
        "Held": 0,
        "Rewrite": {},
        "RateLimits": started_with.rate_limits,
    }
    stats = (await client.get("_sandbox/stats")).json()
    assert stats["OrdersPlaced"] == 0 and stats["ApiRequests"] == {}
    # tokens issued before are gone; the seed users are back and carol is not
    assert (await client.get("v1.0/users/@me/info", headers=bob)).status_code == 401
    again = await client.post("_sandbox/users", json={"Login": "carol", "Password": "pw"})
    assert again.status_code == 201 and again.json()["AccountId"] == 5003
    token = await client.post(
        "token", headers={"Et-App-Key": "sandbox-app-key", "Username": "bob", "Password": "sandbox"}
    )
    assert token.status_code == 200


async def test_reset_settings_start_from_the_initial_ones(
    client: httpx.AsyncClient, sb: RunningSandbox
) -> None:
    initial = sb.sandbox.initial_config
    answer = await client.post(
        "_sandbox/reset",
        json={"Settings": {"FillLiquidity": 5, "RateLimits": False, "WebhookSecret": "s3cret"}},
    )
    settings = answer.json()["Settings"]
    assert (settings["FillLiquidity"], settings["RateLimits"]) == (5.0, False)
    assert sb.config.webhook_secret == "s3cret" and sb.config.fill_liquidity == 5
    assert (await client.get("_sandbox/faults")).json()["RateLimits"] is False

    settings = (await client.post("_sandbox/reset", json={"Settings": {"Commission": 1}})).json()["Settings"]
    assert settings["FillLiquidity"] == initial.fill_liquidity  # not the previous reset's
    assert settings["RateLimits"] is initial.rate_limits and settings["Commission"] == 1.0
    assert sb.sandbox.initial_config is initial


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"Nonsense": 1}, "Unknown setting 'Nonsense'."),
        ({"BaseUrl": "http://127.0.0.1:1/"}, "Unknown setting 'BaseUrl'."),
        ({"RateLimits": "no"}, "Settings.RateLimits must be true or false."),
        ({"Seed": 1.5}, "Settings.Seed must be an integer."),
        ({"ErrorRate": 2}, "error_rate must be between 0 and 1, not 2.0"),
        ([], "Settings must be a JSON object."),
    ],
)
async def test_bad_reset_settings_change_nothing(
    client: httpx.AsyncClient, settings: object, message: str
) -> None:
    await client.post("_sandbox/users", json={"Login": "carol", "Password": "pw"})
    refused = await client.post("_sandbox/reset", json={"Settings": settings})
    assert refused.status_code == 422 and refused.json() == {"Message": message}
    taken = await client.post("_sandbox/users", json={"Login": "carol", "Password": "pw"})
    assert taken.status_code == 409  # nothing was reset


async def test_hold_keeps_requests_waiting_until_lifted(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    answer = (await client.post("_sandbox/faults", json={"Hold": True})).json()
    assert (answer["Hold"], answer["Held"]) == (True, 0)
    waiting = [asyncio.create_task(client.get("v1.0/users/@me/info", headers=bob)) for _ in range(2)]
    await held(client, 2)
    # the admin API is never held, and nothing was answered yet
    assert not any(task.done() for task in waiting)
    lifted = (await client.post("_sandbox/faults", json={"Hold": False})).json()
    assert lifted["Hold"] is False
    assert [(await task).status_code for task in waiting] == [200, 200]
    assert (await client.get("_sandbox/faults")).json()["Held"] == 0
    bad = await client.post("_sandbox/faults", json={"Hold": "yes"})
    assert bad.status_code == 422


async def test_clear_and_reset_let_held_requests_go(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await client.post("_sandbox/faults", json={"Hold": True})
    first = asyncio.create_task(client.get("v1.0/users/@me/info", headers=bob))
    await held(client, 1)
    await client.post("_sandbox/faults", json={"Clear": True})
    assert (await first).status_code == 200

    await client.post("_sandbox/faults", json={"Hold": True})
    second = asyncio.create_task(client.get(".well-known/openid-configuration"))
    await held(client, 1)
    await client.post("_sandbox/reset")
    assert (await second).status_code == 200
    assert (await client.get("_sandbox/faults")).json()["Hold"] is False
