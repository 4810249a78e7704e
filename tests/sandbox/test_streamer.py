"""The quote streamer WebSocket: subscribe, snapshot, pushes on price moves."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidStatus


async def next_frame(ws: ClientConnection, entity: str, timeout: float = 5.0) -> dict[str, Any]:
    """The next frame of the given EntityType (skipping others)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["EntityType"] == entity:
                return frame


async def streamer_url(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.get("v1.0/streamers", headers=headers)
    assert response.status_code == 200
    address = response.json()["QuoteAddresses"][0]
    assert address["Url"].startswith("ws://127.0.0.1:") and address["SessionId"]
    return address["Url"]


async def test_quote_pushed_on_subscribe_and_after_price_set(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    url = await streamer_url(client, bob)
    async with connect(url) as ws:
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Quote", "Keys": ["1", "MSFT"]}}))
        ack = await next_frame(ws, "Ack")
        assert ack["Keys"] == ["1", "2"] and ack["SubscriptionType"] == "Quote"
        snapshot = await next_frame(ws, "Quote")
        assert snapshot["Key"] == 1 and snapshot["Symbol"] == "AAPL"
        assert snapshot["Bid"] < snapshot["Last"] < snapshot["Ask"]
        await next_frame(ws, "Quote")  # MSFT snapshot

        await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 199.25})
        pushed = await next_frame(ws, "Quote")
        assert pushed["SecurityId"] == 1 and pushed["Last"] == 199.25 == pushed["Price"]
        assert {"Open", "High", "Low", "Close", "Change", "ChangePc", "Volume", "Timestamp"} <= set(pushed)

        await ws.send(json.dumps({"Unsubscribe": {"EntityType": "Quote", "Keys": ["1"]}}))
        await next_frame(ws, "Ack")
        await client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 201.0})
        await client.post("_sandbox/prices", json={"Symbol": "MSFT", "Last": 401.0})
        assert (await next_frame(ws, "Quote"))["Symbol"] == "MSFT"


async def test_order_and_position_frames_for_own_account(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    url = await streamer_url(client, bob)
    async with connect(url) as ws:
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Order", "Keys": ["5002"]}}))
        await next_frame(ws, "Ack")
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Position", "Keys": ["5001"]}}))
        error = await next_frame(ws, "Error")
        assert "5001" in error["Message"]
        await client.post(
            "v1.0/accounts/5002/orders",
            headers=bob,
            json={"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 2},
        )
        assert (await next_frame(ws, "Order"))["Status"] == "New"
        assert (await next_frame(ws, "Order"))["Status"] == "Filled"


async def test_unknown_session_is_refused(sb: Any) -> None:
    with pytest.raises(InvalidStatus):
        async with connect(f"{sb.url.replace('http', 'ws')}streamer?SessionId=nope"):
            pass


async def test_bad_frames_get_error_frames(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    async with connect(await streamer_url(client, bob)) as ws:
        await ws.send("not json")
        assert "JSON" in (await next_frame(ws, "Error"))["Message"]
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Quote", "Keys": ["NOPE"]}}))
        assert "NOPE" in (await next_frame(ws, "Error"))["Message"]
