"""Socket Mode: Slack's requests over a WebSocket the bot opens, kept open in the background.

With ``SLACK_APP_TOKEN`` set, the web app's lifespan starts one :class:`SocketMode`; starting
returns at once, so the HTTP routes serve whatever Slack does. One connection, in order:

1. ``apps.connections.open`` with the app token answers a single-use WebSocket URL;
2. the bot connects and waits for Slack's ``{"type": "hello"}``; only then is it connected
   (``/readyz`` reports ``socket_mode`` down until then, and whenever it is not);
3. each envelope (``slash_commands``, ``interactive``, ``events_api``) goes through Bolt in a
   task of its own, like an HTTP request (``mode="socket_mode"``: no signature to check, the
   socket is authenticated), and is acknowledged with what Bolt answered
   (``{"envelope_id", "payload"?}``);
4. when Slack closes the socket, asks for a new one (``{"type": "disconnect"}``) or stops
   answering pings, the bot starts again at 1. It closes the old connection before opening the
   new one, so for the moment in between this process receives nothing: Slack retries Events
   API deliveries (``retry_attempt``), but a command typed in that moment finds no connection.

An Events API delivery Slack sends again (its ack was lost with a connection) is recognised by
``first_time`` (the same replay log the HTTP gate writes, keyed on the payload) and acknowledged
without being handled twice; if that log cannot be written the envelope is not acknowledged, so
Slack tries it again later.

When it goes wrong:

- Slack refuses the token (``invalid_auth``, ``token_revoked``, …): no retry will change that,
  so Socket Mode stops; ``rejected()`` returns one sentence naming SLACK_APP_TOKEN
  (``autoshares-bot serve`` prints it and exits with status 2) and ``/readyz`` shows it.
- Anything else (Slack unreachable, an error answer, a refused handshake, no hello): one
  WARNING line per attempt, without a traceback, and another attempt after a wait that doubles
  from ``retry_seconds`` up to a minute (longer if Slack says ``ratelimited`` with
  Retry-After). A connection that ends within ``HEALTHY_SECONDS`` of its hello counts as a
  failed attempt too, so a server that greets and drops at once is not hammered; after a longer
  one the bot reconnects at once.

``close()`` stops it in every state (connecting, connected, waiting to retry): it cancels what
is under way, gives envelopes being answered up to ``ACK_GRACE_SECONDS`` to send their ack,
and closes the socket: at most 4 s in all.

Why not slack_sdk's ``SocketModeClient`` (what Bolt's ``AsyncSocketModeHandler`` runs): its
``connect()`` retries inside itself for as long as the client is open, logging a traceback on
each failure, a refused token included, so its caller can neither tell a refused token from an
outage nor get control back while it retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bot.ops.logs import redact

log = logging.getLogger(__name__)

#: Answers to ``apps.connections.open`` meaning the token itself is refused: waiting won't help.
REJECTED_APP_TOKEN = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
    }
)
OPEN_TIMEOUT_SECONDS = 10  # apps.connections.open
CONNECT_TIMEOUT_SECONDS = 10.0  # the WebSocket handshake
HELLO_TIMEOUT_SECONDS = 10.0
PING_SECONDS = 10.0  # a ping every 10 s; no pong within 10 s ends the connection
CLOSE_TIMEOUT_SECONDS = 1.0  # the closing handshake
ACK_GRACE_SECONDS = 2.0
HEALTHY_SECONDS = 10.0
MAX_RETRY_SECONDS = 60.0
MAX_MESSAGE_BYTES = 4 * 2**20


def rejected_app_token(error: str) -> str:
    """What to tell an operator whose SLACK_APP_TOKEN Slack refused (``check`` says it too)."""
    return (
        f"Slack rejected SLACK_APP_TOKEN ({error}): create an app-level token with "
        "connections:write under Basic Information > App-Level Tokens"
    )


class Dispatcher(Protocol):
    """What Socket Mode hands envelopes to: Bolt's ``AsyncApp``."""

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse: ...


class _Rejected(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class _Failed(Exception):
    """One attempt failed in a way worth another; ``retry_after``: Slack's own wait, if it said."""

    def __init__(self, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def describe(exc: BaseException) -> str:
    """A short, secret-free, one-line description of a failure."""
    if isinstance(exc, _Failed):
        return exc.reason
    text = str(exc).strip()
    detail = redact(text.splitlines()[0][:200]) if text else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def closed(exc: ConnectionClosed) -> str:
    if exc.rcvd is None:
        return "dropped the connection without closing it"
    return f"closed the connection (code {exc.rcvd.code})"


def acknowledgement(envelope_id: str, response: BoltResponse) -> dict[str, Any] | None:
    """The ack for an envelope Bolt answered with ``response``; None when Bolt did not accept it
    (no listener, an error): like Bolt's own adapter, no ack, so Slack delivers it again."""
    if response.status != 200:
        return None
    ack: dict[str, Any] = {"envelope_id": envelope_id}
    if response.body:
        content_type = (response.headers.get("content-type") or [""])[0]
        if content_type.startswith("application/json"):
            ack["payload"] = json.loads(response.body)
        else:
            ack["payload"] = {"text": response.body}
    return ack


class SocketMode:
    """The Socket Mode connection of one process (see the module docstring)."""

    def __init__(
        self,
        app: Dispatcher,
        *,
        app_token: str,
        api_url: str,
        retry_seconds: float = 1.0,
        max_retry_seconds: float = MAX_RETRY_SECONDS,
        first_time: Callable[[bytes], Awaitable[bool]] | None = None,
    ) -> None:
        self._app = app
        self._first_time = first_time
        self._token = app_token
        # No retry handlers: the attempts, their waits and their log lines are all ours.
        self._web = AsyncWebClient(base_url=api_url, timeout=OPEN_TIMEOUT_SECONDS, retry_handlers=[])
        self.retry_seconds = max(retry_seconds, 0.01)  # never a busy loop against Slack
        self.max_retry_seconds = max(max_retry_seconds, self.retry_seconds)
        self.connections = 0  # how many connections Slack greeted
        self._problem: str | None = "not started"
        self._connected = asyncio.Event()
        self._refusal: str | None = None  # the sentence, once Slack refused the token
        self._refused = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._answering: set[asyncio.Task[None]] = set()

    # -- what the process sees ---------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def running(self) -> bool:
        """Connected, connecting or waiting to try again (not closed, the token not refused)."""
        return self._task is not None and not self._task.done()

    @property
    def problem(self) -> str | None:
        """Why it is not connected (None when it is), in a few words for ``/readyz``."""
        return None if self.connected else self._problem

    async def wait_connected(self) -> None:
        """Until Slack has greeted the current connection."""
        await self._connected.wait()

    async def rejected(self) -> str:
        """Wait until Slack refuses the app token (perhaps forever); the sentence to print."""
        await self._refused.wait()
        assert self._refusal is not None
        return self._refusal

    def start(self) -> None:
        """Connect in the background (call once, inside the running loop)."""
        if self._task is None:
            self._problem = "connecting to Slack"
            self._task = asyncio.create_task(self._run(), name="socket-mode")

    async def close(self) -> None:
        """Stop connecting, or close the connection, whatever it was doing."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=ACK_GRACE_SECONDS + CLOSE_TIMEOUT_SECONDS + 1)
            if not done:
                log.warning("Socket Mode did not close in time; leaving it")
        self._connected.clear()
        self._problem = self._refusal or "closed"  # a refusal stays the reason

    # -- the supervisor --------------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            try:
                url = await self._connection_url()
                async with connect(
                    url,
                    open_timeout=CONNECT_TIMEOUT_SECONDS,
                    ping_interval=PING_SECONDS,
                    ping_timeout=PING_SECONDS,
                    close_timeout=CLOSE_TIMEOUT_SECONDS,
                    max_size=MAX_MESSAGE_BYTES,
                ) as ws:
                    await self._hello(ws)
                    greeted_at = loop.time()
                    self.connections += 1
                    self._problem = None
                    self._connected.set()
                    log.info("Socket Mode connected to Slack")
                    try:
                        ended = await self._receive(ws)
                    finally:
                        self._connected.clear()
                        self._problem = "reconnecting to Slack"
                        await self._finish_acks()
            except _Rejected as exc:
                self._refusal = self._problem = rejected_app_token(exc.error)
                self._refused.set()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure to connect: say it in one line, try again later
                failures += 1
                retry_after = exc.retry_after if isinstance(exc, _Failed) else 0.0
                delay = max(self._backoff(failures), retry_after)
                reason = describe(exc)
                self._problem = f"cannot connect to Slack ({reason}); retrying"
                log.warning("Socket Mode cannot connect to Slack (%s); retrying in %.2f s", reason, delay)
                await asyncio.sleep(delay)
                continue
            if loop.time() - greeted_at >= HEALTHY_SECONDS:
                failures = 0
                log.info("Socket Mode connection ended (%s); reconnecting", ended)
                continue
            failures += 1
            delay = self._backoff(failures)
            log.info("Socket Mode connection ended (%s); reconnecting in %.2f s", ended, delay)
            await asyncio.sleep(delay)

    def _backoff(self, failures: int) -> float:
        """``retry_seconds`` doubled for each failure after the first, at most the maximum,
        spread a little so replicas do not all come back at the same moment."""
        wait = self.retry_seconds * 2 ** min(failures - 1, 30) * random.uniform(1.0, 1.25)
        return min(wait, self.max_retry_seconds)

    async def _connection_url(self) -> str:
        try:
            answer = await self._web.apps_connections_open(app_token=self._token)
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            if error in REJECTED_APP_TOKEN:
                raise _Rejected(error) from None
            retry_after = 0.0
            if error == "ratelimited":
                with contextlib.suppress(TypeError, ValueError):
                    retry_after = float(exc.response.headers.get("Retry-After", "0"))
            raise _Failed(f"apps.connections.open answered {error}", retry_after) from None
        url = answer.get("url")
        if not isinstance(url, str) or not url.startswith(("wss://", "ws://")):
            raise _Failed("apps.connections.open answered no WebSocket URL")
        return url

    @staticmethod
    async def _hello(ws: ClientConnection) -> None:
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_SECONDS):
                raw = await ws.recv()
        except TimeoutError:
            raise _Failed(f"no hello from Slack within {HELLO_TIMEOUT_SECONDS:.0f} s") from None
        except ConnectionClosed as exc:
            raise _Failed(f"Slack {closed(exc)} before its hello") from None
        try:
            kind = json.loads(raw).get("type")
        except (ValueError, AttributeError):
            kind = None
        if kind != "hello":
            raise _Failed(f"Slack sent {kind or 'something else'} instead of hello")

    async def _receive(self, ws: ClientConnection) -> str:
        """Answer envelopes until the connection ends; why it ended."""
        try:
            async for raw in ws:
                try:
                    message = json.loads(raw)
                except ValueError:
                    log.warning("Socket Mode: Slack sent a message that is not JSON")
                    continue
                if not isinstance(message, dict):
                    continue
                if message.get("type") == "disconnect":
                    return f"Slack asked for a new connection: {message.get('reason') or 'no reason given'}"
                request = SocketModeRequest.from_dict(message)
                if request is not None:
                    task = asyncio.create_task(self._answer(ws, request), name="socket-mode-envelope")
                    self._answering.add(task)
                    task.add_done_callback(self._answering.discard)
        except ConnectionClosed as exc:
            return f"Slack {closed(exc)}"
        return f"Slack closed the connection (code {ws.close_code})"

    async def _seen_before(self, request: SocketModeRequest) -> bool | None:
        """True for an Events API payload already handled; None when that cannot be known."""
        if self._first_time is None or request.type != "events_api":
            return False
        try:
            return not await self._first_time(json.dumps(request.payload, sort_keys=True).encode())
        except Exception:
            log.warning(
                "Socket Mode: an event could not be checked against the replay log; left for Slack to retry"
            )
            return None

    async def _answer(self, ws: ClientConnection, request: SocketModeRequest) -> None:
        seen = await self._seen_before(request)
        if seen is None:
            return
        if seen:
            log.info("Socket Mode: an event delivered again was acknowledged and not handled twice")
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"envelope_id": request.envelope_id}))
            return
        headers: dict[str, str | Sequence[str]] = {}
        if request.retry_attempt is not None:
            headers["x-slack-retry-num"] = str(request.retry_attempt)
        if request.retry_reason is not None:
            headers["x-slack-retry-reason"] = request.retry_reason
        try:
            response = await self._app.async_dispatch(
                AsyncBoltRequest(mode="socket_mode", body=request.payload, headers=headers or None)
            )
        except Exception:  # Bolt handles listener errors itself; this is a bug of ours
            log.exception("Socket Mode: dispatching a %s envelope failed", request.type)
            return
        ack = acknowledgement(request.envelope_id, response)
        if ack is None:
            log.info(
                "Socket Mode: %s envelope not acknowledged (Bolt answered %s)", request.type, response.status
            )
            return
        try:
            await ws.send(json.dumps(ack))
        except ConnectionClosed:
            log.info("Socket Mode: the connection closed before a %s envelope was acknowledged", request.type)

    async def _finish_acks(self) -> None:
        """Give envelopes being answered a moment to send their ack on the way out."""
        if self._answering:
            await asyncio.wait(set(self._answering), timeout=ACK_GRACE_SECONDS)
