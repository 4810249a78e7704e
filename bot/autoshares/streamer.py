"""Live quotes from AutoShares' quote streamer: one WebSocket session per process, reused.

The trading API has no REST quote; ``GET /streamers`` names the quote streamer (``Url``,
``SessionId``, ``Type``) and quotes arrive over a WebSocket after
``{"Subscribe": {"EntityType": "Quote", "Keys": ["<securityId>", ...]}}``. Every frame is one
JSON object; quote frames carry ``EntityType: "Quote"`` and the ``QuoteModel`` fields.

``QuoteStreamer.get(api, ids)`` opens the session on first use (with that user's token: market
data is the same for everyone), subscribes to ids it has not seen, waits for each one's first
update (bounded by ``timeout``) and answers from the latest-quote cache, which the stream keeps
current. A supervisor task reads the socket; when it drops it reconnects with exponential
backoff (a fresh ``GET /streamers`` each time, with the most recent caller's token) and
re-subscribes everything. At most ``max_subscriptions`` securities are watched; the least
recently asked for are unsubscribed first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from bot.autoshares.client import UserApi
from bot.autoshares.errors import AutoSharesError, AutoSharesMalformed, QuotesUnavailable
from bot.autoshares.resources import Quote, parse

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 8.0
MAX_SUBSCRIPTIONS = 100
BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
#: A connection that dies sooner than this counts as a failed attempt (backoff grows).
HEALTHY_SECONDS = 5.0


def feed_delay(address_type: str | None) -> bool | None:
    """Whether a streamer address ``Type`` says its data is delayed (None: it does not say)."""
    kind = (address_type or "").lower()
    if "delay" in kind:
        return True
    if "real" in kind or "live" in kind:
        return False
    return None


def session_url(address: dict[str, Any]) -> str:
    """The WebSocket URL of a ``UrlDesc``, with its SessionId as a query parameter if the URL
    does not carry one already."""
    url = str(address.get("Url") or "")
    session_id = address.get("SessionId")
    if not url:
        raise QuotesUnavailable("the streamer address has no Url")
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if session_id and "SessionId" not in query:
        query["SessionId"] = str(session_id)
    return urlunsplit(parts._replace(query=urlencode(query)))


def security_id_of(frame: dict[str, Any]) -> int | None:
    for key in ("SecurityId", "Key"):
        value = frame.get(key)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
    return None


class QuoteStreamer:
    """The process's quote session (see module docstring). Close with ``aclose``."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_subscriptions: int = MAX_SUBSCRIPTIONS,
        backoff: Sequence[float] = BACKOFF,
    ) -> None:
        self.timeout = timeout
        self.max_subscriptions = max_subscriptions
        self.backoff = tuple(backoff)
        self._latest: dict[int, Quote] = {}
        #: security id -> when it was last asked for; the order is least recent first
        self._subscribed: OrderedDict[int, float] = OrderedDict()
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._ws: ClientConnection | None = None
        self._api: UserApi | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None
        self._closed = False
        self.delayed: bool | None = None
        self.sessions_opened = 0
        self.disconnects = 0

    # -- public --------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._ws is not None

    def latest(self, security_id: int) -> Quote | None:
        """The last quote received for a security (None if never)."""
        return self._latest.get(security_id)

    async def get(
        self, api: UserApi, security_ids: Iterable[int], timeout: float | None = None
    ) -> dict[int, Quote]:
        """Latest quotes for ``security_ids``: subscribes to new ones and waits (at most
        ``timeout`` seconds in all) for their first update. Ids that got no quote in time are
        missing from the answer. Raises the AutoShares error (or QuotesUnavailable) when the
        session cannot be opened and nothing is cached."""
        if self._closed:
            raise QuotesUnavailable("the quote streamer is closed")
        wanted = list(dict.fromkeys(int(i) for i in security_ids))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.timeout if timeout is None else timeout)
        self._api = api
        now = time.monotonic()
        new = [i for i in wanted if i not in self._subscribed]
        for security_id in wanted:
            self._subscribed[security_id] = now
            self._subscribed.move_to_end(security_id)
        waiting = {i: self._waiter(i) for i in wanted if i not in self._latest}
        try:
            try:
                opened = await self._ensure_connected(api, max(deadline - loop.time(), 0.01))
            except (AutoSharesError, OSError, TimeoutError, WebSocketException, ValueError) as exc:
                if not any(i in self._latest for i in wanted):
                    if isinstance(exc, AutoSharesError):
                        raise
                    raise QuotesUnavailable(f"quote streamer unreachable: {type(exc).__name__}") from None
                log.warning("quote streamer unreachable, answering from cache: %s", type(exc).__name__)
            else:
                if new and not opened:  # a session opened just now subscribed to everything
                    await self._send("Subscribe", new)
                await self._trim(keep=set(wanted))
            if waiting:
                await asyncio.wait(waiting.values(), timeout=max(deadline - loop.time(), 0))
        finally:
            for security_id, future in waiting.items():
                self._forget_waiter(security_id, future)
        return {i: self._latest[i] for i in wanted if i in self._latest}

    async def aclose(self) -> None:
        self._closed = True
        self._wake.set()
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._supervisor
        ws, self._ws = self._ws, None
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()

    # -- connection ----------------------------------------------------------------------------
    async def _ensure_connected(self, api: UserApi, timeout: float) -> bool:
        """Open the session unless it is open; True when this call opened it."""
        if self._ws is not None:
            return False
        opened = False
        async with asyncio.timeout(timeout):
            async with self._lock:
                if self._ws is None:
                    await self._open(api)
                    opened = True
        if self._supervisor is None or self._supervisor.done():
            self._supervisor = asyncio.create_task(self._supervise(), name="quote-streamer")
        return opened

    async def _open(self, api: UserApi) -> None:
        """GET /streamers, connect, re-subscribe. Caller holds the lock."""
        info = await api.streamers()
        addresses = (info or {}).get("QuoteAddresses") or []
        if not addresses:
            raise QuotesUnavailable("GET /streamers named no quote streamer")
        address = addresses[0]
        ws = await connect(session_url(address), open_timeout=10, ping_interval=20, max_size=2**20)
        self.delayed = feed_delay(address.get("Type"))
        self._ws = ws
        self.sessions_opened += 1
        self._wake.set()
        log.info("quote streamer session opened (%d so far)", self.sessions_opened)
        if self._subscribed:
            await self._send("Subscribe", list(self._subscribed))

    async def _supervise(self) -> None:
        """Read frames; on a drop, reconnect with backoff until closed."""
        failures = 0
        while not self._closed:
            ws = self._ws
            if ws is None:
                api = self._api
                try:
                    if api is None:
                        raise QuotesUnavailable("no user to open the session with")
                    async with self._lock:
                        if self._ws is None:
                            await self._open(api)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    failures += 1
                    delay = self.backoff[min(failures - 1, len(self.backoff) - 1)]
                    log.warning(
                        "quote streamer reconnect failed (%s); retrying in %.1fs", type(exc).__name__, delay
                    )
                    await self._sleep(delay * random.uniform(0.8, 1.2))
                    continue
                ws = self._ws
                if ws is None:
                    continue
            opened = time.monotonic()
            try:
                async for raw in ws:
                    self._on_frame(raw)
            except ConnectionClosed:
                pass
            except Exception:  # a bad frame must not kill the reader; reconnect instead
                log.exception("quote streamer reader failed")
            if self._ws is ws:
                self._ws = None
                self.disconnects += 1
            if self._closed:
                return
            failures = 0 if time.monotonic() - opened >= HEALTHY_SECONDS else failures + 1
            if failures:
                await self._sleep(self.backoff[min(failures - 1, len(self.backoff) - 1)])
            log.info("quote streamer disconnected; reconnecting")

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake early when someone else opened the session (or we are closing)."""
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _send(self, action: str, security_ids: Sequence[int]) -> None:
        ws = self._ws
        if ws is None or not security_ids:
            return
        frame = {action: {"EntityType": "Quote", "Keys": [str(i) for i in security_ids]}}
        try:
            await ws.send(json.dumps(frame))
        except ConnectionClosed:
            pass  # the supervisor reconnects and re-subscribes everything

    async def _trim(self, keep: set[int]) -> None:
        """Unsubscribe the least recently asked-for securities beyond the limit."""
        extra = len(self._subscribed) - self.max_subscriptions
        if extra <= 0:
            return
        dropped = [i for i in self._subscribed if i not in keep][:extra]
        for security_id in dropped:
            del self._subscribed[security_id]
            self._latest.pop(security_id, None)
        await self._send("Unsubscribe", dropped)

    # -- frames --------------------------------------------------------------------------------
    def _on_frame(self, raw: str | bytes) -> None:
        try:
            frame = json.loads(raw)
        except ValueError:
            log.warning("quote streamer sent a frame that is not JSON")
            return
        frames = frame if isinstance(frame, list) else [frame]
        for item in frames:
            if not isinstance(item, dict):
                continue
            kind = item.get("EntityType")
            if kind == "Quote":
                self._on_quote(item)
            elif kind == "Error":
                log.warning("quote streamer error: %s", str(item.get("Message"))[:200])

    def _on_quote(self, frame: dict[str, Any]) -> None:
        security_id = security_id_of(frame)
        if security_id is None or security_id not in self._subscribed:
            return
        try:
            quote = parse(Quote, frame, "the quote streamer")
        except AutoSharesMalformed as exc:
            log.warning("%s; the frame is skipped", exc)
            return
        self._latest[security_id] = quote
        for future in self._waiters.pop(security_id, []):
            if not future.done():
                future.set_result(None)

    def _waiter(self, security_id: int) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(security_id, []).append(future)
        return future

    def _forget_waiter(self, security_id: int, future: asyncio.Future[None]) -> None:
        waiters = self._waiters.get(security_id)
        if waiters and future in waiters:
            waiters.remove(future)
            if not waiters:
                del self._waiters[security_id]
        if not future.done():
            future.cancel()
