"""Slack's Socket Mode, played locally: the WebSocket half of the local Slack stand-in.

``apps.connections.open`` (answered by ``LocalSlack``) hands out a single-use
``ws://…/socket-mode/link?ticket=…`` URL on the stand-in. A connection to it is greeted with
``{"type": "hello"}``, as Slack does; a test then delivers envelopes on it (``send``,
``slash_command``) and gets back the bot's acknowledgement (``{"envelope_id", "payload"?}``).

What a test can make go wrong:
- ``drop()`` closes the live connection from Slack's side, ``ask_to_reconnect()`` sends the
  ``{"type": "disconnect"}`` message Slack sends before it refreshes a connection;
- ``unreachable = True`` turns every WebSocket handshake away (HTTP 403), the way a proxy or an
  outage between the bot and Slack's socket servers would;
- a refused app token is a scripted failure of the Web API method, e.g.
  ``local_slack.fail_next("apps.connections.open", ScriptedFailure("invalid_auth"))``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import Callable
from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

PATH = "/socket-mode/link"


class LocalSocketMode:
    def __init__(self, *, app_id: str = "A0AUTOSHARES") -> None:
        self.app_id = app_id
        self.base_url = ""  # the stand-in's http:// URL, set once it listens
        self.unreachable = False
        self.greeted = 0  # connections that got their hello
        self.turned_away = 0  # handshakes refused (unreachable, or a ticket not issued or used)
        self.acks: list[dict[str, Any]] = []
        self._tickets: set[str] = set()
        self._live: WebSocket | None = None
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()

    def reset(self) -> None:
        self.unreachable = False
        self.greeted = 0
        self.turned_away = 0
        self.acks.clear()
        self._tickets.clear()
        self._waiting.clear()
        self._ids = itertools.count(1)

    def routes(self) -> list[BaseRoute]:
        return [WebSocketRoute(PATH, self._link)]

    # -- the Web API side -------------------------------------------------------------------------
    def connections_open(self) -> dict[str, Any]:
        """The answer to ``apps.connections.open``: a URL good for one connection."""
        ticket = secrets.token_urlsafe(12)
        self._tickets.add(ticket)
        origin = "ws" + self.base_url.removeprefix("http").rstrip("/")
        return {"ok": True, "url": f"{origin}{PATH}?ticket={ticket}"}

    # -- what tests do ----------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._live is not None

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` is true; it is checked now and whenever a connection opens,
        closes or is turned away, and whenever an ack arrives."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``count`` connections in all were greeted and one is open."""
        await self.wait_until(lambda: self.greeted >= count and self._live is not None, timeout)

    async def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Deliver one envelope (``slash_commands``, ``interactive``, ``events_api``) on the open
        connection (waiting for one) and return the bot's acknowledgement; ``retry_attempt`` > 0
        is Slack delivering an event again."""
        await self.wait_until(lambda: self._live is not None, timeout)
        socket = self._live
        assert socket is not None
        envelope_id = f"env-{next(self._ids):04d}"
        answered: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[envelope_id] = answered
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""}
        await socket.send_text(json.dumps(envelope))
        try:
            return await asyncio.wait_for(answered, timeout)
        finally:
            self._waiting.pop(envelope_id, None)

    async def slash_command(self, fields: dict[str, str], timeout: float = 10.0) -> dict[str, Any]:
        """A slash command as Socket Mode delivers it: the form fields as a JSON payload."""
        return await self.send("slash_commands", fields, accepts_response_payload=True, timeout=timeout)

    async def drop(self, code: int = 1011) -> None:
        """Close the open connection from Slack's side."""
        socket = self._live
        if socket is None:
            raise RuntimeError("no Socket Mode connection is open")
        await socket.close(code=code)

    async def ask_to_reconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message: this connection is about to go, open another."""
        socket = self._live
        if socket is None:
            raise RuntimeError("no Socket Mode connection is open")
        await socket.send_text(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {}}))

    # -- the WebSocket ----------------------------------------------------------------------------
    async def _link(self, websocket: WebSocket) -> None:
        ticket = websocket.query_params.get("ticket", "")
        if self.unreachable or ticket not in self._tickets:
            async with self._changed:
                self.turned_away += 1
                self._changed.notify_all()
            await websocket.close(code=1008)  # before accept: the handshake is refused with 403
            return
        self._tickets.discard(ticket)  # Slack's URLs work once
        await websocket.accept()
        await websocket.send_text(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "local-slack", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        async with self._changed:
            self._live = websocket
            self.greeted += 1
            self._changed.notify_all()
        try:
            while True:
                await self._on_message(await websocket.receive_text())
        except WebSocketDisconnect:
            pass
        finally:
            async with self._changed:
                if self._live is websocket:
                    self._live = None
                self._changed.notify_all()

    async def _on_message(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        async with self._changed:
            self.acks.append(message)
            answered = self._waiting.get(str(message["envelope_id"]))
            if answered is not None and not answered.done():
                answered.set_result(message)
            self._changed.notify_all()
