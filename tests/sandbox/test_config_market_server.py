"""Settings, the price simulation, and serving (start, URL, clean stop)."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect

from sandbox import SandboxConfig, running_sandbox
from sandbox.config import SandboxConfigError
from sandbox.market import Market
from sandbox.securities import default_securities
from sandbox.server import banner, base_url_for
from tests.conftest import CLIENT_TLS
from tests.sandbox.conftest import make_config


def test_from_env_reads_sandbox_variables() -> None:
    config = SandboxConfig.from_env(
        {
            "SANDBOX_WEBHOOK_URL": "http://127.0.0.1:9000/autoshares/webhooks",
            "SANDBOX_WEBHOOK_SECRET": "s3cret",
            "SANDBOX_WEBHOOK_RETRY_SCALE": "0.01",
            "SANDBOX_RATE_LIMITS": "false",
            "SANDBOX_TICK_SECONDS": "0",
            "SANDBOX_ACCESS_TOKEN_TTL": "3600",
            "SANDBOX_MARKET_HOURS": "nyse",
            "UNRELATED": "x",
        }
    )
    assert config.webhook_url == "http://127.0.0.1:9000/autoshares/webhooks"
    assert config.webhook_secret == "s3cret" and config.webhook_retry_scale == 0.01
    assert config.rate_limits is False and config.tick_seconds == 0
    assert config.access_token_ttl == 3600 and config.market_hours == "nyse"
    assert "s3cret" not in repr(config) and "sandbox-secret" not in repr(config)
    assert SandboxConfig.from_env({}) == SandboxConfig()


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"SANDBOX_TICK_SECONDS": "soon"}, "SANDBOX_TICK_SECONDS"),
        ({"SANDBOX_RATE_LIMITS": "maybe"}, "SANDBOX_RATE_LIMITS"),
        ({"SANDBOX_MARKET_HOURS": "lunar"}, "market_hours"),
    ],
)
def test_from_env_fails_naming_the_setting(env: dict[str, str], name: str) -> None:
    with pytest.raises(SandboxConfigError, match=name):
        SandboxConfig.from_env(env)


def test_market_is_seeded_and_plausible() -> None:
    securities = default_securities()
    symbols = {s.symbol for s in securities}
    assert len(securities) >= 50
    assert {"AAPL", "MSFT", "TSLA", "NVDA", "AMZN", "GOOGL", "META", "SPY"} <= symbols
    first, second = Market(securities, seed=7), Market(securities, seed=7)
    for _ in range(20):
        first.tick()
        second.tick()
    assert [q.last for q in first.quotes.values()] == [q.last for q in second.quotes.values()]
    other = Market(securities, seed=8)
    assert [q.last for q in other.quotes.values()] != [q.last for q in first.quotes.values()]
    for quote in first.quotes.values():
        security = first.securities[quote.security_id]
        if security.type == "MutualFund":  # a net asset value: no spread, and no tick moves it
            assert 0 < quote.bid == quote.last == quote.ask == security.reference_price
        else:
            assert 0 < quote.bid < quote.last < quote.ask
        assert quote.low <= quote.last <= quote.high
        assert 0.8 * security.reference_price < quote.last < 1.2 * security.reference_price


def test_set_price_is_exact() -> None:
    market = Market(default_securities(), seed=1)
    quote = market.set_price(1, 201.5, bid=201.4, ask=201.6)
    assert (quote.last, quote.bid, quote.ask) == (201.5, 201.4, 201.6)
    assert quote.change == round(201.5 - quote.previous_close, 4)


def test_base_url_and_banner() -> None:
    assert base_url_for("0.0.0.0", 8700) == "http://127.0.0.1:8700/"
    assert base_url_for("::1", 8700) == "http://[::1]:8700/"
    text = banner("http://127.0.0.1:8700/", SandboxConfig())
    for value in (
        "http://127.0.0.1:8700/",
        "sandbox-client",
        "sandbox-secret",
        "sandbox-app-key",
        "alice",
        "bob",
    ):
        assert value in text


async def test_running_sandbox_binds_ephemeral_port_and_stops_cleanly() -> None:
    async with running_sandbox(make_config()) as sb:
        assert sb.url == f"http://127.0.0.1:{sb.port}/" and sb.port > 0
        assert sb.api_url == sb.url + "v1.0/"
        async with httpx.AsyncClient(base_url=sb.url, verify=CLIENT_TLS) as client:
            doc = (await client.get(".well-known/openid-configuration")).json()
            assert doc["issuer"] == sb.url
            session = sb.sandbox.hub.create_session(1002)
            # a socket still open at shutdown must not hold the server up
            ws = await connect(f"ws://127.0.0.1:{sb.port}/streamer?SessionId={session.session_id}")
            await ws.send(json.dumps({"Subscribe": {"EntityType": "Quote", "Keys": ["AAPL"]}}))
            assert json.loads(await ws.recv())["EntityType"] == "Ack"
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient(verify=CLIENT_TLS) as late:
            await late.get(sb.url)
    await ws.close()


async def test_ticking_market_moves_on_its_own() -> None:
    async with running_sandbox(make_config(tick_seconds=0.01)) as sb:
        async with httpx.AsyncClient(base_url=sb.url, verify=CLIENT_TLS) as client:
            first = (await client.get("_sandbox/prices/SPY")).json()["Timestamp"]
            for _ in range(200):
                if (await client.get("_sandbox/prices/SPY")).json()["Timestamp"] != first:
                    break
                await asyncio.sleep(0.01)
            assert (await client.get("_sandbox/prices/SPY")).json()["Timestamp"] != first


async def test_two_sandboxes_share_nothing() -> None:
    async with running_sandbox(make_config()) as one, running_sandbox(make_config()) as two:
        assert one.port != two.port
        async with httpx.AsyncClient(verify=CLIENT_TLS) as client:
            await client.post(one.url + "_sandbox/users", json={"Login": "solo", "Password": "p"})
            again = await client.post(two.url + "_sandbox/users", json={"Login": "solo", "Password": "p"})
            assert again.status_code == 201


async def test_create_app_without_base_url_takes_issuer_from_request() -> None:
    from sandbox import create_app

    app = create_app(make_config())
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox.test:8080") as c:
        doc = (await c.get("/.well-known/openid-configuration")).json()
    assert doc["issuer"] == "http://sandbox.test:8080/"
    assert doc["token_endpoint"] == "http://sandbox.test:8080/oauth/token"


async def test_auth_limit_counts_one_user_across_login_endpoints(
    client: httpx.AsyncClient,
) -> None:
    key = {"Et-App-Key": "sandbox-app-key"}
    for _ in range(10):
        await client.post("token", headers=key | {"Username": "bob", "Password": "sandbox"})
    refused = await client.post("token", headers=key | {"Username": "BOB", "Password": "sandbox"})
    assert refused.status_code == 429
    other = await client.post("token", headers=key | {"Username": "alice", "Password": "sandbox"})
    assert other.status_code == 200


def test_nyse_clock_follows_the_regular_session() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from sandbox.clock import MarketClock

    new_york = ZoneInfo("America/New_York")
    clock = MarketClock("nyse")
    assert clock.is_open(datetime(2025, 3, 10, 9, 30, tzinfo=new_york))  # Monday open
    assert not clock.is_open(datetime(2025, 3, 10, 9, 29, tzinfo=new_york))
    assert not clock.is_open(datetime(2025, 3, 10, 16, 0, tzinfo=new_york))
    assert not clock.is_open(datetime(2025, 3, 8, 12, 0, tzinfo=new_york))  # Saturday
    clock.set_mode("closed")
    assert not clock.is_open(datetime(2025, 3, 10, 12, 0, tzinfo=new_york))
    assert MarketClock("always").is_open(datetime(2025, 3, 8, 3, 0, tzinfo=new_york))
