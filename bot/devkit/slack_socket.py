"""Slack's Socket Mode, played locally: the WebSocket half of the local Slack stand-in.

``apps.connections.open`` (answered by ``LocalSlack``) hands out a single-use
``ws://…/socket-mode/link?ticket=…`` URL on the stand-in. A connection to it is greeted with
``{"type": "hello"}``, as Slack does, and numbered (1, 2, … since the last ``reset``). Like
Slack, it holds several connections of one app at once; a test delivers envelopes (``send``,
``slash_command``, ``deliver``) on the newest open one, on one it names, or on every open one
(``on="all"``, as Slack may while a connection is being replaced), and gets back the bot's
acknowledgement (``{"envelope_id", "payload"?}``). What was delivered where is in
``deliveries``, which connection each ack came back on in ``acked``, and when each connection
was greeted and closed in ``history``.

What a test can make go wrong:
- ``drop()`` closes a connection from Slack's side, ``ask_to_reconnect()`` sends the
  ``{"type": "disconnect"}`` message Slack sends before it refreshes a connection (reason
  ``link_disabled``: Socket Mode was turned off for the app);
- ``hold_greetings()`` accepts new connections without greeting them until
  ``release_greetings()``, so a test can act while the bot waits for a new connection's hello;
- ``connection_time`` is the life the hello announces (``approximate_connection_time``, s);
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
from dataclasses import dataclass
from typing import Any, Literal

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

PATH = "/socket-mode/link"
CONNECTION_TIME = 18060  # seconds, what Slack's hellos say


@dataclass(frozen=True)
class Delivery:
    envelope_id: str
    connection: int
    after_disconnect: bool  # on a connection already asked to reconnect


@dataclass(frozen=True)
class Ack:
    connection: int
    message: dict[str, Any]

    @property
    def envelope_id(self) -> str:
        return str(self.message["envelope_id"])


class LocalSocketMode:
    def __init__(self, *, app_id: str = "A0AUTOSHARES") -> None:
        self.app_id = app_id
        self.base_url = ""  # the stand-in's http:// URL, set once it listens
        self._changed = asyncio.Condition()
        self._greeting = asyncio.Event()
        self.reset()

    def reset(self) -> None:
        self.unreachable = False
        self.connection_time = CONNECTION_TIME
        self.accepted = 0  # connections accepted, greeted or not
        self.greeted = 0  # connections that got their hello
        self.turned_away = 0  # handshakes refused (unreachable, or a ticket not issued or used)
        self.acks: list[dict[str, Any]] = []
        self.acked: list[Ack] = []
        self.deliveries: list[Delivery] = []
        self.closed: dict[int, int] = {}  # connection -> the close code, once it closed
        self.history: list[tuple[str, int]] = []  # ("greeted" | "closed", connection), in order
        self._tickets: set[str] = set()
        self._open: dict[int, WebSocket] = {}  # greeted and not closed, oldest first
        self._asked: set[int] = set()  # connections sent a disconnect message
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self._numbers = itertools.count(1)
        self._greeting.set()

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
        return bool(self._open)

    @property
    def open_connections(self) -> list[int]:
        """The greeted connections still open, oldest first."""
        return list(self._open)

    async def wait_until(self, predicate: Callable[[], object], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` is true; it is checked now and whenever a connection is
        accepted, greeted, closes or is turned away, and whenever an ack arrives."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until ``count`` connections in all were greeted and one is open."""
        await self.wait_until(lambda: self.greeted >= count and bool(self._open), timeout)

    def hold_greetings(self) -> None:
        """Accept new connections but greet none until ``release_greetings()``."""
        self._greeting.clear()

    def release_greetings(self) -> None:
        self._greeting.set()

    async def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        on: Literal["newest", "all"] | int = "newest",
        envelope_id: str | None = None,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        timeout: float = 10.0,
    ) -> str:
        """Send one envelope (``slash_commands``, ``interactive``, ``events_api``) on the newest
        open connection (waiting for one), on every open one, or on the one numbered ``on``,
        without waiting for its ack; its envelope id (``envelope_id`` sends one again)."""
        envelope_id = envelope_id or f"env-{next(self._ids):04d}"
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""}
        text = json.dumps(envelope)
        self._waiting.setdefault(envelope_id, asyncio.get_running_loop().create_future())
        async with asyncio.timeout(timeout), self._changed:
            # Under the lock a new connection is greeted and joins _open in one step, so what is
            # sent on an older one before that was sent before the newer one's hello.
            await self._changed.wait_for(lambda: on in self._open if isinstance(on, int) else bool(self._open))
            chosen = self._chosen(on)
            for number in chosen:
                try:
                    await self._open[number].send_text(text)
                except Exception:  # it closed under us: not delivered there
                    continue
                self.deliveries.append(Delivery(envelope_id, number, number in self._asked))
        return envelope_id

    def _chosen(self, on: Literal["newest", "all"] | int) -> list[int]:
        if on == "all":
            return list(self._open)
        if on == "newest":
            return [max(self._open)]
        return [on]

    async def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        on: Literal["newest", "all"] | int = "newest",
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """``deliver`` one envelope and return the bot's (first) acknowledgement; ``retry_attempt``
        > 0 is Slack delivering an event again."""
        envelope_id = await self.deliver(
            kind,
            payload,
            on=on,
            accepts_response_payload=accepts_response_payload,
            retry_attempt=retry_attempt,
            timeout=timeout,
        )
        return await self.acknowledged(envelope_id, timeout)

    async def acknowledged(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The bot's first acknowledgement of an envelope ``deliver`` sent (waiting for it)."""
        answered = self._waiting[envelope_id]
        try:
            return await asyncio.wait_for(asyncio.shield(answered), timeout)
        finally:
            if answered.done():
                self._waiting.pop(envelope_id, None)

    async def slash_command(
        self, fields: dict[str, str], timeout: float = 10.0, on: Literal["newest", "all"] | int = "newest"
    ) -> dict[str, Any]:
        """A slash command as Socket Mode delivers it: the form fields as a JSON payload."""
        return await self.send("slash_commands", fields, accepts_response_payload=True, timeout=timeout, on=on)

    async def drop(self, code: int = 1011, connection: int | None = None) -> None:
        """Close a connection (the newest unless named) from Slack's side."""
        await self._socket(connection).close(code=code)

    async def ask_to_reconnect(self, reason: str = "refresh_requested", connection: int | None = None) -> int:
        """Send Slack's ``disconnect`` message on a connection (the newest unless named): it is
        about to go, open another. Which connection it was sent on."""
        async with self._changed:
            number = connection if connection is not None else max(self._open, default=0)
            socket = self._socket(number)
            self._asked.add(number)
            await socket.send_text(json.dumps({"type": "disconnect", "reason": reason, "debug_info": {}}))
        return number

    def _socket(self, connection: int | None) -> WebSocket:
        number = connection if connection is not None else max(self._open, default=0)
        socket = self._open.get(number)
        if socket is None:
            raise RuntimeError(f"no Socket Mode connection {number or ''} is open")
        return socket

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
        async with self._changed:
            self.accepted += 1
            self._changed.notify_all()
        await self._greeting.wait()
        number = await self._greet(websocket)
        code = 1005
        try:
            while True:
                await self._on_message(number, await websocket.receive_text())
        except WebSocketDisconnect as exc:
            code = exc.code
        finally:
            async with self._changed:
                if self._open.get(number) is websocket:
                    del self._open[number]
                self.closed[number] = code
                self.history.append(("closed", number))
                self._changed.notify_all()

    async def _greet(self, websocket: WebSocket) -> int:
        async with self._changed:
            number = next(self._numbers)
            hello = {
                "type": "hello",
                "num_connections": len(self._open) + 1,
                "debug_info": {"host": "local-slack", "approximate_connection_time": self.connection_time},
                "connection_info": {"app_id": self.app_id},
            }
            await websocket.send_text(json.dumps(hello))
            self._open[number] = websocket
            self.greeted += 1
            self.history.append(("greeted", number))
            self._changed.notify_all()
        return number

    async def _on_message(self, number: int, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        async with self._changed:
            self.acks.append(message)
            self.acked.append(Ack(number, message))
            answered = self._waiting.get(str(message["envelope_id"]))
            if answered is not None and not answered.done():
                answered.set_result(message)
            self._changed.notify_all()
