"""QuoteStreamer against a real WebSocket server on loopback: subscribe and wait for the first
update, answer from the cache, give up on a silent security, reconnect and re-subscribe after a
drop, unsubscribe beyond the limit, and report a session that cannot be opened."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from bot.autoshares.errors import AutoSharesServerError
from bot.autoshares.streamer import QuoteStreamer, QuotesUnavailable


@dataclass
class FakeStreamerServer:
    """Speaks the streamer framing: Ack, then one Quote frame per subscribed key."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    silent: set[str] = field(default_factory=set)
    connections: list[ServerConnection] = field(default_factory=list)
    prices: dict[str, float] = field(default_factory=dict)

    async def handle(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        async for raw in connection:
            message = json.loads(raw)
            self.received.append(message)
            body = message.get("Subscribe")
            if not body:
                continue
            await connection.send(
                json.dumps({"EntityType": "Ack", "Action": "Subscribe", "Keys": body["Keys"]})
            )
            for key in body["Keys"]:
                if key not in self.silent:
                    await connection.send(json.dumps(self.quote(key)))

    def quote(self, key: str) -> dict[str, Any]:
        return {
            "EntityType": "Quote",
            "Key": int(key),
            "SecurityId": int(key),
            "Last": self.prices.get(key, 100.0),
        }

    def subscribed_keys(self) -> list[list[str]]:
        return [m["Subscribe"]["Keys"] for m in self.received if "Subscribe" in m]


class StreamerApi:
    """Answers GET /streamers (the collaborator of the streamer under test)."""

    def __init__(self, url: str, fail: Exception | None = None) -> None:
        self.url = url
        self.fail = fail
        self.calls = 0

    async def streamers(self) -> dict[str, Any]:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        return {"QuoteAddresses": [{"Url": self.url, "Type": "Delayed", "SessionId": "s1"}]}


@pytest.fixture
async def server() -> AsyncIterator[FakeStreamerServer]:
    fake = FakeStreamerServer()
    async with serve(fake.handle, "127.0.0.1", 0) as running:
        port = running.sockets[0].getsockname()[1]
        fake.url = f"ws://127.0.0.1:{port}/streamer"
        yield fake


@pytest.fixture
async def streamer() -> AsyncIterator[QuoteStreamer]:
    quotes = QuoteStreamer(timeout=5, backoff=(0.05, 0.1))
    yield quotes
    await quotes.aclose()


def last_of(streamer: QuoteStreamer, security_id: int) -> Decimal | None:
    quote = streamer.latest(security_id)
    return quote.last if quote is not None else None


async def until(condition: Any, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - polls state owned by the streamer
            await asyncio.sleep(0.01)


async def test_first_update_then_cache(server: FakeStreamerServer, streamer: QuoteStreamer) -> None:
    api = StreamerApi(server.url)
    quotes = await streamer.get(api, [1, 2])  # type: ignore[arg-type]
    assert set(quotes) == {1, 2} and quotes[1].last == 100
    assert quotes[1].security_id == 1
    assert server.subscribed_keys()[-1] == ["1", "2"]
    assert streamer.delayed is True
    again = await streamer.get(api, [2, 1])  # type: ignore[arg-type]
    assert set(again) == {1, 2}
    assert api.calls == 1 and streamer.sessions_opened == 1
    assert len(server.subscribed_keys()) == 1  # nothing new to subscribe


async def test_pushed_updates_refresh_the_cache(server: FakeStreamerServer, streamer: QuoteStreamer) -> None:
    api = StreamerApi(server.url)
    await streamer.get(api, [1])  # type: ignore[arg-type]
    await server.connections[0].send(json.dumps({**server.quote("1"), "Last": 123.0}))
    await until(lambda: last_of(streamer, 1) == 123)
    assert (await streamer.get(api, [1]))[1].last == 123  # type: ignore[arg-type]


async def test_silent_security_is_left_out(server: FakeStreamerServer, streamer: QuoteStreamer) -> None:
    server.silent.add("3")
    quotes = await streamer.get(StreamerApi(server.url), [1, 3], timeout=0.3)  # type: ignore[arg-type]
    assert set(quotes) == {1}


async def test_reconnects_and_resubscribes(server: FakeStreamerServer, streamer: QuoteStreamer) -> None:
    api = StreamerApi(server.url)
    await streamer.get(api, [1, 2])  # type: ignore[arg-type]
    await server.connections[0].close()
    await until(lambda: streamer.sessions_opened == 2 and len(server.connections) == 2)
    await until(lambda: ["1", "2"] in server.subscribed_keys()[1:])
    assert api.calls == 2 and streamer.disconnects == 1
    server.prices["2"] = 7.5
    await server.connections[1].send(json.dumps(server.quote("2")))
    await until(lambda: last_of(streamer, 2) == Decimal("7.5"))


async def test_least_recent_subscriptions_are_dropped(server: FakeStreamerServer) -> None:
    streamer = QuoteStreamer(timeout=5, max_subscriptions=2)
    try:
        api = StreamerApi(server.url)
        await streamer.get(api, [1, 2])  # type: ignore[arg-type]
        await streamer.get(api, [2])  # type: ignore[arg-type]
        await streamer.get(api, [3])  # type: ignore[arg-type]
        await until(lambda: any("Unsubscribe" in m for m in server.received))
        unsubscribed = [m["Unsubscribe"]["Keys"] for m in server.received if "Unsubscribe" in m]
        assert unsubscribed == [["1"]]
        assert streamer.latest(1) is None and streamer.latest(3) is not None
    finally:
        await streamer.aclose()


async def test_session_that_cannot_open(server: FakeStreamerServer, streamer: QuoteStreamer) -> None:
    failing = StreamerApi(server.url, fail=AutoSharesServerError("500", status=500))
    with pytest.raises(AutoSharesServerError):
        await streamer.get(failing, [1])  # type: ignore[arg-type]
    nowhere = StreamerApi("ws://127.0.0.1:9/streamer")  # nothing listens on the discard port
    with pytest.raises(QuotesUnavailable):
        await streamer.get(nowhere, [1], timeout=2)  # type: ignore[arg-type]


async def test_closed_streamer_refuses(server: FakeStreamerServer) -> None:
    streamer = QuoteStreamer()
    await streamer.get(StreamerApi(server.url), [1])  # type: ignore[arg-type]
    await streamer.aclose()
    assert not streamer.connected
    with pytest.raises(QuotesUnavailable):
        await streamer.get(StreamerApi(server.url), [1])  # type: ignore[arg-type]
