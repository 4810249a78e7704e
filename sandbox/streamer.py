"""The quote streamer: a WebSocket on the sandbox's own origin.

Getting there: ``GET /v1.0/streamers`` (bearer + app key) answers a StreamerDataModel whose
``QuoteAddresses[0]`` and ``DataAddresses[0]`` are ``{"Url": "ws://127.0.0.1:N/streamer?SessionId=S",
"Type": "Quote"|"Data", "SessionId": "S"}``. Connect to that Url as is (the SessionId query
parameter ties the socket to the user; an unknown session is refused with close code 1008).

Framing: every frame, both ways, is one JSON object in a text frame.

Client -> server
  {"Subscribe":   {"EntityType": "Quote",    "Keys": ["<securityId>" or "<symbol>", ...]}}
  {"Subscribe":   {"EntityType": "Order",    "Keys": ["<accountId>", ...]}}
  {"Subscribe":   {"EntityType": "Position", "Keys": ["<accountId>", ...]}}
  {"Unsubscribe": {"EntityType": ..., "Keys": [...]}}   (same shape; Keys omitted = all)

Server -> client (``EntityType`` says which)
  {"EntityType": "Ack", "Action": "Subscribe"|"Unsubscribe", "SubscriptionType": "Quote",
   "Keys": ["1", ...]}                               -- after each (un)subscribe, keys resolved
  {"EntityType": "Quote", <QuoteModel fields: Key, SecurityId, Symbol, Bid, Ask, Last, Price,
   Open, High, Low, Close, Change, ChangePc, Volume, Timestamp, ...>}
                                                     -- once right after the Ack, then on every move
  {"EntityType": "Order", <OrderResource fields>}    -- on every order event of the account
  {"EntityType": "Position", <PositionResource fields>}
                                                     -- current positions after the Ack, then on fills
  {"EntityType": "Error", "Message": "..."}          -- bad JSON, unknown security, foreign account

Keys are answered as strings of security ids (quotes) or account ids. Frames to a slow client
are queued (up to 1000, then the oldest are dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from sandbox.api import resources
from sandbox.market import Market
from sandbox.state import SandboxState, StreamerSession

ENTITY_TYPES = ("Quote", "Order", "Position")
_QUEUE_LIMIT = 1000
_CLOSE = object()


@dataclass(eq=False)
class Subscriber:
    """One WebSocket connection and what it listens to."""

    user_id: int
    queue: asyncio.Queue[Any] = field(default_factory=lambda: asyncio.Queue(_QUEUE_LIMIT))
    keys: dict[str, set[int]] = field(default_factory=lambda: {entity: set() for entity in ENTITY_TYPES})

    def push(self, frame: dict[str, Any] | object) -> None:
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
        self.queue.put_nowait(frame)


class StreamerHub:
    """Sessions, subscribers, and the fan-out of quote/order/position changes."""

    def __init__(self, state: SandboxState, market: Market) -> None:
        self.state = state
        self.market = market
        self.subscribers: set[Subscriber] = set()

    def create_session(self, user_id: int) -> StreamerSession:
        session = StreamerSession(session_id=secrets.token_hex(16), user_id=user_id)
        self.state.streamer_sessions[session.session_id] = session
        return session

    # -- fan-out (called by the engine, synchronously) ------------------------------------------
    def quote_changed(self, security_id: int) -> None:
        listeners = [s for s in self.subscribers if security_id in s.keys["Quote"]]
        if listeners:
            frame = self._quote_frame(security_id)
            for subscriber in listeners:
                subscriber.push(frame)

    def order_changed(self, account_id: int, order: dict[str, Any]) -> None:
        for subscriber in self.subscribers:
            if account_id in subscriber.keys["Order"]:
                subscriber.push({"EntityType": "Order", **order})

    def position_changed(self, account_id: int, position: dict[str, Any]) -> None:
        for subscriber in self.subscribers:
            if account_id in subscriber.keys["Position"]:
                subscriber.push({"EntityType": "Position", **position})

    def _quote_frame(self, security_id: int) -> dict[str, Any]:
        return {"EntityType": "Quote", **resources.quote_model(self.market.quote(security_id))}

    async def close(self) -> None:
        for subscriber in list(self.subscribers):
            subscriber.push(_CLOSE)

    # -- one connection ------------------------------------------------------------------------
    async def serve(self, websocket: WebSocket) -> None:
        session_id = websocket.query_params.get("SessionId", "")
        session = self.state.streamer_sessions.get(session_id)
        if session is None:
            await websocket.close(code=1008)
            return
        await websocket.accept()
        subscriber = Subscriber(session.user_id)
        self.subscribers.add(subscriber)
        writer = asyncio.create_task(self._write(websocket, subscriber))
        try:
            while True:
                text = await websocket.receive_text()
                self._handle(subscriber, text)
        except WebSocketDisconnect:
            pass
        finally:
            self.subscribers.discard(subscriber)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer

    async def _write(self, websocket: WebSocket, subscriber: Subscriber) -> None:
        while True:
            frame = await subscriber.queue.get()
            if frame is _CLOSE:
                with contextlib.suppress(Exception):
                    await websocket.close(code=1001)
                return
            try:
                await websocket.send_text(json.dumps(frame))
            except (WebSocketDisconnect, RuntimeError):
                return

    def _handle(self, subscriber: Subscriber, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            subscriber.push({"EntityType": "Error", "Message": "Frames must be JSON objects."})
            return
        action = next(
            (
                a
                for a in ("Subscribe", "Unsubscribe")
                if isinstance(message, dict) and isinstance(message.get(a), dict)
            ),
            None,
        )
        if action is None:
            subscriber.push(
                {"EntityType": "Error", "Message": 'Expected {"Subscribe": {...}} or {"Unsubscribe": {...}}.'}
            )
            return
        body = message[action]
        entity = body.get("EntityType")
        if entity not in ENTITY_TYPES:
            subscriber.push(
                {"EntityType": "Error", "Message": f"EntityType must be one of {', '.join(ENTITY_TYPES)}."}
            )
            return
        raw_keys = body.get("Keys")
        if action == "Unsubscribe" and raw_keys is None:
            subscriber.keys[entity].clear()
            subscriber.push({"EntityType": "Ack", "Action": action, "SubscriptionType": entity, "Keys": []})
            return
        if not isinstance(raw_keys, list):
            subscriber.push({"EntityType": "Error", "Message": "Keys must be a list."})
            return
        keys = [k for k in (self._resolve(subscriber, entity, str(raw)) for raw in raw_keys) if k]
        if action == "Unsubscribe":
            subscriber.keys[entity].difference_update(keys)
        else:
            subscriber.keys[entity].update(keys)
        subscriber.push(
            {
                "EntityType": "Ack",
                "Action": action,
                "SubscriptionType": entity,
                "Keys": [str(k) for k in keys],
            }
        )
        if action == "Subscribe":
            self._snapshot(subscriber, entity, keys)

    def _resolve(self, subscriber: Subscriber, entity: str, raw: str) -> int | None:
        state = self.state
        if entity == "Quote":
            security = state.security(raw)
            if security is None:
                subscriber.push({"EntityType": "Error", "Message": f"Unknown security '{raw}'."})
                return None
            return security.id
        account = state.accounts.get(int(raw)) if raw.isdigit() else None
        if account is None or subscriber.user_id not in account.users:
            subscriber.push({"EntityType": "Error", "Message": f"Account '{raw}' is not yours."})
            return None
        return account.id

    def _snapshot(self, subscriber: Subscriber, entity: str, keys: list[int]) -> None:
        state = self.state
        for key in keys:
            if entity == "Quote":
                subscriber.push(self._quote_frame(key))
            elif entity == "Position":
                account = state.accounts[key]
                for position in account.positions.values():
                    last = self.market.quote(position.security_id).last
                    subscriber.push(
                        {"EntityType": "Position", **resources.position(position, account, state, last)}
                    )
