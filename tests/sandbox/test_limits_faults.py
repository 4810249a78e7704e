"""Rate limits as documented, and the fault-injection knobs."""

from __future__ import annotations

import time

import httpx
import pytest

from sandbox import SandboxConfig
from tests.sandbox.conftest import make_config

POSITIONS: dict[str, str | int] = {"pageNumber": 0, "pageSize": 10, "sortField": "Symbol", "desc": "false"}


async def test_positions_limited_after_120_calls_per_minute(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    for number in range(1, 121):
        response = await client.get("v1.0/accounts/5002/positions", headers=bob, params=POSITIONS)
        assert response.status_code == 200, number
        assert response.headers["X-RateLimit-Limit"] == "120"
        assert response.headers["X-RateLimit-Remaining"] == str(120 - number)
    limited = await client.get("v1.0/accounts/5002/positions", headers=bob, params=POSITIONS)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert int(limited.headers["X-RateLimit-Reset"]) >= int(time.time())
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    # other buckets are counted separately
    assert (await client.get("v1.0/equities/AAPL", headers=bob)).status_code == 200


async def test_orders_limited_per_account_at_50(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    body = {"Symbol": "AAPL", "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": 200}
    for _ in range(50):
        preview = await client.post("v1.0/accounts/5002/preview/orders", json=body, headers=bob)
        assert preview.status_code == 200
    limited = await client.post("v1.0/accounts/5002/orders", json=body, headers=bob)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    assert (await client.get("_sandbox/orders")).json() == []


async def test_auth_limited_at_10_per_minute(client: httpx.AsyncClient) -> None:
    headers = {"Et-App-Key": "sandbox-app-key", "Username": "bob", "Password": "wrong"}
    for _ in range(10):
        assert (await client.post("token", headers=headers)).status_code == 401
    limited = await client.post("token", headers=headers | {"Password": "sandbox"})
    assert limited.status_code == 429 and "Retry-After" in limited.headers
    stats = (await client.get("_sandbox/stats")).json()
    assert stats["RateLimited"] == 1


async def test_price_alerts_limited_at_60(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    params: dict[str, str | int] = {"pageSize": 5, "pageNumber": 0, "sortBy": "Id", "isDesc": "false"}
    codes = [
        (await client.get("v1.0/users/@me/pricealerts", headers=bob, params=params)).status_code
        for _ in range(61)
    ]
    assert codes[:60] == [200] * 60 and codes[60] == 429


class TestLimitsOff:
    @pytest.fixture
    def sandbox_config(self) -> SandboxConfig:
        return make_config(rate_limits=False)

    async def test_no_limit_and_no_headers(self, client: httpx.AsyncClient, bob: dict[str, str]) -> None:
        for _ in range(130):
            response = await client.get("v1.0/accounts/5002/positions", headers=bob, params=POSITIONS)
            assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers


async def test_admin_can_switch_limits_off(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    answer = (await client.post("_sandbox/faults", json={"RateLimits": False})).json()
    assert answer["RateLimits"] is False
    response = await client.get("v1.0/equities/AAPL", headers=bob)
    assert "X-RateLimit-Limit" not in response.headers


async def test_error_share_answers_500_on_api_only(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await client.post("_sandbox/faults", json={"ErrorRate": 1.0})
    response = await client.get("v1.0/users/@me/info", headers=bob)
    assert response.status_code == 500
    assert (await client.get(".well-known/openid-configuration")).status_code == 200
    stats = (await client.post("_sandbox/faults", json={"Clear": True})).json()
    assert stats["ErrorRate"] == 0
    assert (await client.get("v1.0/users/@me/info", headers=bob)).status_code == 200
    assert (await client.get("_sandbox/stats")).json()["InjectedErrors"] == 1


async def test_rewrite_can_answer_429_with_retry_after(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    rule = {"_status": 429, "_headers": {"Retry-After": "45"}, "Message": "API calls quota exceeded."}
    await client.post("_sandbox/faults", json={"Rewrite": {"GET /v1.0/users/1002/pricealerts": rule}})
    params = {"pageSize": 10, "pageNumber": 0, "sortBy": "Id", "isDesc": "false"}
    limited = await client.get("v1.0/users/1002/pricealerts", headers=bob, params=params)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "45"
    assert limited.json() == {"Message": "API calls quota exceeded."}
    assert (await client.get("v1.0/users/@me/info", headers=bob)).status_code == 200  # other paths as usual


async def test_dropped_connection(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await client.post("_sandbox/faults", json={"DropRate": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        await client.get("v1.0/users/@me/info", headers=bob)
    await client.post("_sandbox/faults", json={"DropRate": 0})
    assert (await client.get("v1.0/users/@me/info", headers=bob)).status_code == 200
    assert (await client.get("_sandbox/stats")).json()["DroppedConnections"] == 1


async def test_latency_is_added(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    answer = (await client.post("_sandbox/faults", json={"LatencyMs": 20})).json()
    assert answer["LatencyMs"] == 20
    assert (await client.get("v1.0/users/@me/info", headers=bob)).status_code == 200
    await client.get("_sandbox/stats")  # admin calls are never delayed
    assert (await client.get("_sandbox/stats")).json()["DelayedRequests"] == 1


async def test_admin_refuses_non_loopback_clients(sb: object) -> None:
    from sandbox.server import RunningSandbox

    assert isinstance(sb, RunningSandbox)
    transport = httpx.ASGITransport(app=sb.app, client=("203.0.113.9", 4242))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as remote:
        response = await remote.get("/_sandbox/stats")
    assert response.status_code == 403


async def test_admin_creates_users_with_accounts_and_agreements(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post(
        "_sandbox/users",
        json={
            "Login": "dave",
            "Password": "pw",
            "Email": "dave@example.com",
            "FirstName": "Dave",
            "LastName": "Doe",
            "Cash": 2500,
            "Agreements": 2,
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["UserId"] == 1003 and body["AccountId"] == 5003 and body["Cash"] == 2500
    assert len(body["AgreementIds"]) == 2
    again = await client.post("_sandbox/users", json={"Login": "dave", "Password": "x"})
    assert again.status_code == 409
    token = (
        await client.post(
            "token", headers={"Et-App-Key": "sandbox-app-key", "Username": "dave", "Password": "pw"}
        )
    ).json()["Token"]
    agreements = await client.get(
        "v1.0/users/@me/agreements",
        headers={"Et-App-Key": "sandbox-app-key", "Authorization": f"Bearer {token}"},
    )
    assert len(agreements.json()) == 2


async def test_clock_advance_moves_prices_and_fills(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    before = (await client.get("_sandbox/prices/AAPL")).json()
    clock = (await client.post("_sandbox/clock", json={"AdvanceSeconds": 30})).json()
    assert clock["OffsetSeconds"] == 30 and clock["Mode"] == "always"
    after = (await client.get("_sandbox/prices/AAPL")).json()
    assert after["Last"] != before["Last"]
    nyse = (await client.post("_sandbox/clock", json={"Mode": "nyse"})).json()
    assert nyse["Mode"] == "nyse" and isinstance(nyse["IsOpen"], bool)
    bad = await client.post("_sandbox/clock", json={"Mode": "sometimes"})
    assert bad.status_code == 422
