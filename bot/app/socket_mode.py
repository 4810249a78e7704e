"""Socket Mode: Slack's requests over a WebSocket the bot opens, kept open in the background.

With ``SLACK_APP_TOKEN`` set, the web app's lifespan starts one :class:`SocketMode`; starting
returns at once, so the HTTP routes serve whatever Slack does. One connection, in order:

1. ``apps.connections.open`` with the app token answers a single-use WebSocket URL;
2. the bot connects and waits for Slack's ``{"type": "hello"}``; only then is it connected
   (``/readyz`` reports ``socket_mode`` down until then, and whenever no connection is);
3. each envelope (``slash_commands``, ``interactive``, ``events_api``) goes through Bolt in a
   task of its own, like an HTTP request (``mode="socket_mode"``: no signature to check, the
   socket is authenticated), and is acknowledged, on the connection it came in on, with what
   Bolt answered (``{"envelope_id", "payload"?}``).

Make before break. When Slack says a connection is going (``{"type": "disconnect"}``, reason
``refresh_requested``, ``warning`` or any other but ``link_disabled``), and shortly before the
end of the life Slack announced in its hello (``debug_info.approximate_connection_time``, less
``REFRESH_LEAD_SECONDS``), the bot opens a second connection (steps 1 and 2) while the first
one keeps receiving and acknowledging. Once Slack has greeted the new one, the old one is
closed gracefully: a ping whose pong proves that whatever Slack sent on it before has been read,
up to ``ACK_GRACE_SECONDS`` for the envelopes being answered on it to send their ack, then the
closing handshake. ``/readyz`` stays ready throughout, since one of the two is always up. If the
new connection cannot be opened, the old one serves while it lives and the attempts go on with
the backoff below. ``link_disabled`` (Socket Mode was turned off for the app) stops Socket Mode:
no connection can be opened until it is turned on again, so ``/readyz`` names it instead.

While two connections are open Slack may deliver an envelope on both: the ``envelope_id`` of the
last ``RECENT_ENVELOPES`` is remembered (in memory, per process), so a second copy is not handled
again; it is acknowledged on its own connection with the same ack as the first. An Events API
delivery Slack sends again under a new envelope (its ack was lost with a connection) is
recognised by ``first_time`` (the same replay log the HTTP gate writes, keyed on the payload)
and acknowledged without being handled twice; if that log cannot be written the envelope is not
acknowledged, so Slack tries it again later.

When it goes wrong:

- Slack refuses the token (``invalid_auth``, ``token_revoked``, …): no retry will change that,
  so Socket Mode stops; ``rejected()`` returns one sentence naming SLACK_APP_TOKEN
  (``autoshares-bot serve`` prints it and exits with status 2) and ``/readyz`` shows it.
- Anything else (Slack unreachable, an error answer, a refused handshake, no hello): one
  WARNING line per attempt, without a traceback, and another attempt after a wait that doubles
  from ``retry_seconds`` up to a minute (longer if Slack says ``ratelimited`` with
  Retry-After). A connection that ends, or is to be replaced, within ``HEALTHY_SECONDS`` of its
  hello counts as a failed attempt too, so a server that greets and drops at once is not
  hammered; after a longer one the bot connects again at once.
- A connection that ends without warning (Slack closes it or stops answering pings) while no
  other is open leaves a gap until the next one is greeted: Slack retries Events API
  deliveries (``retry_attempt``), but a command typed in that moment finds no connection.

``close()`` stops it in every state (connecting, connected, replacing, waiting to retry): it
stops receiving, gives envelopes being answered up to ``ACK_GRACE_SECONDS`` to send their ack,
and closes every socket: at most 4 s in all.

Why not slack_sdk's ``SocketModeClient`` (what Bolt's ``AsyncSocketModeHandler`` runs): its
``connect()`` retries inside itself for as long as the client is open, logging a traceback on
each failure, a refused token included, so its caller can neither tell a refused token from an
outage nor get control back while it retries; and it acknowledges on whichever connection is
current, not the one the envelope came in on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bot.app.logs import redact

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
ACK_DEADLINE_SECONDS = 3.0  # how long Slack waits for an envelope's ack
HEALTHY_SECONDS = 10.0
MAX_RETRY_SECONDS = 60.0
MAX_MESSAGE_BYTES = 4 * 2**20
REFRESH_LEAD_SECONDS = 60.0  # a connection is replaced this long before its announced end
RECENT_ENVELOPES = 1000  # envelope ids remembered, so a copy on a second connection is not handled


def rejected_app_token(error: str) -> str:
    """What to tell an operator whose SLACK_APP_TOKEN Slack refused (``check`` says it too)."""
    return (
        f"Slack rejected SLACK_APP_TOKEN ({error}): create an app-level token with "
        "connections:write under Basic Information > App-Level Tokens"
    )


#: What ``/readyz`` says once Slack turned Socket Mode off for the app (``link_disabled``).
SOCKET_MODE_TURNED_OFF = (
    "Slack turned Socket Mode off for this app (link_disabled): turn it on under Socket Mode in "
    "the app's settings and restart, or unset SLACK_APP_TOKEN to take Slack's requests over HTTP"
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


def refresh_after(hello: dict[str, Any]) -> float | None:
    """Seconds after its hello at which to replace a connection: shortly before the end of the
    life Slack announced for it (``debug_info.approximate_connection_time``); None without one."""
    debug = hello.get("debug_info")
    life = debug.get("approximate_connection_time") if isinstance(debug, dict) else None
    if isinstance(life, bool) or not isinstance(life, int | float) or life <= 0:
        return None
    return max(life - REFRESH_LEAD_SECONDS, life / 2)


def parse(raw: str | bytes) -> dict[str, Any] | None:
    """A message from Slack as a JSON object; None (and a warning) for anything else."""
    try:
        message = json.loads(raw)
    except ValueError:
        log.warning("Socket Mode: Slack sent a message that is not JSON")
        return None
    return message if isinstance(message, dict) else None


class _Link:
    """One connection Slack greeted, from its hello until its socket is closed; what comes in
    on it is acknowledged on it."""

    def __init__(self, ws: ClientConnection, greeted_at: float) -> None:
        self.ws = ws
        self.greeted_at = greeted_at
        self.answering: set[asyncio.Task[None]] = set()
        self.receiving: asyncio.Task[str] | None = None  # its result: why the connection ended
        self.planned: asyncio.TimerHandle | None = None  # the planned replacement
        self.replace = asyncio.Event()  # Slack said it is going, or its planned life is nearly over
        self.why = ""

    def replace_soon(self, why: str) -> None:
        if not self.replace.is_set():
            self.why = why
            self.replace.set()

    @property
    def open(self) -> bool:
        return self.receiving is not None and not self.receiving.done()

    async def until_ended_or_replaced(self) -> None:
        assert self.receiving is not None
        wanted = asyncio.ensure_future(self.replace.wait())
        try:
            await asyncio.wait({wanted, self.receiving}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            wanted.cancel()

    def ended(self) -> str:
        """Why the connection ended (once it has)."""
        assert self.receiving is not None and self.receiving.done()
        if self.receiving.cancelled():
            return "stopped"
        exc = self.receiving.exception()
        return describe(exc) if exc is not None else self.receiving.result()


class SocketMode:
    """The Socket Mode connections of one process (see the module docstring)."""

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
        self._stopped_by: str | None = None  # why it stopped for good: token refused, turned off
        self._connected = asyncio.Event()  # while at least one connection is open
        self._refusal: str | None = None  # the sentence, once Slack refused the token
        self._refused = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._links: set[_Link] = set()  # greeted, socket not closed yet
        self._retiring: set[asyncio.Task[None]] = set()
        self._recent: OrderedDict[str, asyncio.Future[dict[str, Any] | None]] = OrderedDict()

    # -- what the process sees ---------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def running(self) -> bool:
        """Connected, connecting or waiting to try again (not closed, nor stopped for good)."""
        return self._task is not None and not self._task.done()

    @property
    def problem(self) -> str | None:
        """Why it is not connected (None when it is), in a few words for ``/readyz``."""
        return None if self.connected else self._stopped_by or self._problem

    async def wait_connected(self) -> None:
        """Until a connection Slack greeted is open."""
        await self._connected.wait()

    async def wait_stopped(self) -> None:
        """Until it has stopped: closed, the token refused, or Socket Mode turned off."""
        if self._task is not None:
            await asyncio.wait({self._task})

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
        """Stop connecting, or close the connections, whatever it was doing."""
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            done, _ = await asyncio.wait({task}, timeout=ACK_GRACE_SECONDS + CLOSE_TIMEOUT_SECONDS + 1)
            if not done:
                log.warning("Socket Mode did not close in time; leaving it")
        self._connected.clear()
        self._problem = "closed"  # a refusal, or Socket Mode turned off, stays the reason

    # -- the supervisor --------------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            await self._supervise()
        except _Rejected as exc:
            self._refusal = self._stopped_by = rejected_app_token(exc.error)
            self._refused.set()
        finally:
            await self._close_all()

    async def _supervise(self) -> None:
        """Keep a connection open: after one ends, open another; when one is to be replaced,
        open its successor first and close it only once Slack has greeted the successor."""
        failures = 0
        current: _Link | None = None
        while True:
            if current is not None:
                await current.until_ended_or_replaced()
                failures, delay = self._after(current, failures)
                if not current.open:
                    await current.ws.close()
                    current = None
                if delay:
                    await asyncio.sleep(delay)  # an open `current` serves meanwhile
            successor, failures = await self._open_with_retries(failures)
            if current is not None:
                task = asyncio.create_task(self._retire(current), name="socket-mode-retire")
                self._retiring.add(task)
                task.add_done_callback(self._retiring.discard)
            current = successor

    def _after(self, link: _Link, failures: int) -> tuple[int, float]:
        """The failures so far and the wait before the next attempt, once ``link`` ended or is to
        be replaced: a connection that lasted less than HEALTHY_SECONDS counts as a failure."""
        healthy = asyncio.get_running_loop().time() - link.greeted_at >= HEALTHY_SECONDS
        failures = 0 if healthy else failures + 1
        delay = 0.0 if healthy else self._backoff(failures)
        when = f" in {delay:.2f} s" if delay else ""
        if link.replace.is_set() and link.open:
            log.info("Socket Mode: %s; opening a new connection%s before closing this one", link.why, when)
        else:
            log.info("Socket Mode connection ended (%s); reconnecting%s", link.ended(), when)
        return failures, delay

    async def _open_with_retries(self, failures: int) -> tuple[_Link, int]:
        """A new connection Slack greeted, and the failures counted on the way: each failed
        attempt is one WARNING line and a wait (a refused token raises ``_Rejected``)."""
        while True:
            try:
                return await self._open(), failures
            except _Rejected:
                raise
            except Exception as exc:  # any failure to connect: say it in one line, try again later
                failures += 1
                retry_after = exc.retry_after if isinstance(exc, _Failed) else 0.0
                delay = max(self._backoff(failures), retry_after)
                reason = describe(exc)
                self._problem = f"cannot connect to Slack ({reason}); retrying"
                log.warning("Socket Mode cannot connect to Slack (%s); retrying in %.2f s", reason, delay)
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

    # -- one connection --------------------------------------------------------------------------
    async def _open(self) -> _Link:
        """Steps 1 and 2: a new URL, the handshake, Slack's hello; then it receives."""
        url = await self._connection_url()
        ws = await connect(
            url,
            open_timeout=CONNECT_TIMEOUT_SECONDS,
            ping_interval=PING_SECONDS,
            ping_timeout=PING_SECONDS,
            close_timeout=CLOSE_TIMEOUT_SECONDS,
            max_size=MAX_MESSAGE_BYTES,
        )
        try:
            hello = await self._hello(ws)
        except BaseException:
            await ws.close()
            raise
        loop = asyncio.get_running_loop()
        link = _Link(ws, loop.time())
        link.receiving = asyncio.create_task(self._receive(link), name="socket-mode-receive")
        link.receiving.add_done_callback(lambda _: self._gone(link))
        after = refresh_after(hello)
        if after is not None:
            link.planned = loop.call_later(
                after, link.replace_soon, "the announced life of the connection is nearly over"
            )
        self._links.add(link)
        self.connections += 1
        self._problem = None
        self._connected.set()
        log.info("Socket Mode connected to Slack")
        return link

    def _gone(self, link: _Link) -> None:
        """A connection stopped receiving: it no longer counts towards being connected."""
        if link.planned is not None:
            link.planned.cancel()
        self._links.discard(link)
        if not any(other.open for other in self._links):
            self._connected.clear()
            self._problem = "reconnecting to Slack"

    @staticmethod
    async def _hello(ws: ClientConnection) -> dict[str, Any]:
        try:
            async with asyncio.timeout(HELLO_TIMEOUT_SECONDS):
                raw = await ws.recv()
        except TimeoutError:
            raise _Failed(f"no hello from Slack within {HELLO_TIMEOUT_SECONDS:.0f} s") from None
        except ConnectionClosed as exc:
            raise _Failed(f"Slack {closed(exc)} before its hello") from None
        try:
            hello = json.loads(raw)
            kind = hello.get("type")
        except (ValueError, AttributeError):
            kind = None
        if kind != "hello":
            raise _Failed(f"Slack sent {kind or 'something else'} instead of hello")
        assert isinstance(hello, dict)
        return hello

    async def _receive(self, link: _Link) -> str:
        """Take what Slack sends on one connection until it ends; why it ended."""
        try:
            async for raw in link.ws:
                message = parse(raw)
                if message is None:
                    continue
                if message.get("type") == "disconnect":
                    self._disconnect(link, str(message.get("reason") or "no reason given"))
                    continue
                request = SocketModeRequest.from_dict(message)
                if request is not None:
                    self._take(link, request)
        except ConnectionClosed as exc:
            return f"Slack {closed(exc)}"
        return f"Slack closed the connection (code {link.ws.close_code})"

    def _disconnect(self, link: _Link, reason: str) -> None:
        """Slack's ``disconnect``: replace the connection, unless Socket Mode was turned off."""
        if reason != "link_disabled":
            link.replace_soon(f"Slack asked for a new connection ({reason})")
            return
        if self._stopped_by is None:
            self._stopped_by = SOCKET_MODE_TURNED_OFF
            log.warning("Socket Mode stopped: %s", SOCKET_MODE_TURNED_OFF)
            if self._task is not None:
                self._task.cancel()  # closes every connection, as close() does

    async def _retire(self, link: _Link) -> None:
        """Close a connection its successor replaced, once what Slack sent on it was answered."""
        if link.open:
            # Slack's pong comes after everything it sent on this connection before reading the
            # ping; once the pong is in, one turn of the loop lets the receiving task take all of
            # that, so each of those envelopes has its answer under way.
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await (await link.ws.ping())
            await asyncio.sleep(0)
        if link.answering:
            await asyncio.wait(set(link.answering), timeout=ACK_GRACE_SECONDS)
        await link.ws.close()
        log.info("Socket Mode: closed the connection its successor replaced")

    async def _close_all(self) -> None:
        """Stop receiving on every connection, give the answers under way ACK_GRACE_SECONDS to
        send their ack, and close every socket."""
        for task in list(self._retiring):
            task.cancel()
        links = list(self._links)
        for link in links:
            if link.receiving is not None:
                link.receiving.cancel()
        answering = {task for link in links for task in link.answering}
        if answering:
            await asyncio.wait(answering, timeout=ACK_GRACE_SECONDS)
        await asyncio.gather(*(link.ws.close() for link in links), return_exceptions=True)

    # -- one envelope ----------------------------------------------------------------------------
    def _take(self, link: _Link, request: SocketModeRequest) -> None:
        """Start answering an envelope on the connection it came in on; a copy of one taken
        recently (Slack delivered it on two connections) is not handled again."""
        first = self._recent.get(request.envelope_id)
        work: Coroutine[Any, Any, None]
        if first is None:
            answered: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
            self._recent[request.envelope_id] = answered
            while len(self._recent) > RECENT_ENVELOPES:
                self._recent.popitem(last=False)
            work = self._answer(link, request, answered)
        else:
            work = self._answer_copy(link, request, first)
        task = asyncio.create_task(work, name="socket-mode-envelope")
        link.answering.add(task)
        task.add_done_callback(link.answering.discard)

    async def _answer(
        self, link: _Link, request: SocketModeRequest, answered: asyncio.Future[dict[str, Any] | None]
    ) -> None:
        ack: dict[str, Any] | None = None
        try:
            ack = await self._handle(request)
        finally:
            if not answered.done():
                answered.set_result(ack)
            if ack is None and self._recent.get(request.envelope_id) is answered:
                del self._recent[request.envelope_id]  # not acknowledged: Slack's next try is handled
        if ack is not None:
            await self._send_ack(link, request, ack)

    async def _answer_copy(
        self, link: _Link, request: SocketModeRequest, first: asyncio.Future[dict[str, Any] | None]
    ) -> None:
        """A copy of an envelope being (or just) answered: the same ack, on this connection."""
        try:
            ack = await asyncio.wait_for(asyncio.shield(first), ACK_DEADLINE_SECONDS)
        except TimeoutError:
            return
        if ack is not None:
            log.info("Socket Mode: an envelope delivered twice was acknowledged and handled once")
            await self._send_ack(link, request, ack)

    async def _send_ack(self, link: _Link, request: SocketModeRequest, ack: dict[str, Any]) -> None:
        try:
            await link.ws.send(json.dumps(ack))
        except ConnectionClosed:
            log.info("Socket Mode: the connection closed before a %s envelope was acknowledged", request.type)

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

    async def _handle(self, request: SocketModeRequest) -> dict[str, Any] | None:
        """Bolt's answer to an envelope as its ack; None when it is not to be acknowledged."""
        seen = await self._seen_before(request)
        if seen is None:
            return None
        if seen:
            log.info("Socket Mode: an event delivered again was acknowledged and not handled twice")
            return {"envelope_id": request.envelope_id}
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
            return None
        ack = acknowledgement(request.envelope_id, response)
        if ack is None:
            log.info(
                "Socket Mode: %s envelope not acknowledged (Bolt answered %s)", request.type, response.status
            )
        return ack
