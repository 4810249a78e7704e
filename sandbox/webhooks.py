"""Signed webhook deliveries with retries, as AutoShares sends them (AutoSharesAPI/API
``pages/webhooks.md``).

Each event is POSTed as JSON ``{"id", "type", "timestamp", "accountId", "data"}`` with header
``X-AutoShares-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>``
(omitted when no secret is configured) and ``Content-Type: application/json``; ``data`` is
built by ``sandbox.events`` in the page's camelCase. Any 2xx answer within
``webhook_timeout`` seconds (the page: 5) is a success; anything else (status, timeout,
connection error) is retried after 1 min, 5 min, 30 min, 2 h and 12 h (the page's table), each
multiplied by ``webhook_retry_scale``: six attempts in all, then the delivery is ``failed``.
(The page also says "after 5 failed attempts, the webhook is marked as failed", which would be
one attempt fewer than its table of five retries; the table is followed.) The same event keeps
its id across attempts.

Deliveries go out one at a time, in the order the events happened (order.created before
order.filled), from a single worker; retries are timers that put the delivery back in line.
The target URL and secret start from the config and can be changed at run time
(POST /_sandbox/webhooks) because tests often learn the receiver's port after the sandbox starts.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
import ssl
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox.api.resources import iso
from sandbox.state import utc_now


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every start of the dispatcher: a reset restarts it, and loading the
    trust store each time cost tens of milliseconds."""
    return ssl.create_default_context()


log = logging.getLogger(__name__)

RETRY_DELAYS_SECONDS = (60.0, 300.0, 1800.0, 7200.0, 43200.0)
SIGNATURE_HEADER = "X-AutoShares-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header value for a body: ``sha256=<hex digest>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Attempt:
    at: str
    status_code: int | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"At": self.at, "StatusCode": self.status_code, "Error": self.error}


@dataclass
class Delivery:
    """One event and what happened to it."""

    id: str
    type: str
    account_id: int | None
    body: bytes
    #: pending (waiting for an attempt or a retry), delivered, failed (all attempts used),
    #: undeliverable (no webhook URL configured when it happened)
    status: str = "pending"
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_in: float | None = None
    #: the wait scheduled before each retry so far, in seconds (already scaled)
    retry_delays: list[float] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Type": self.type,
            "AccountId": self.account_id,
            "Status": self.status,
            "Attempts": len(self.attempts),
            "StatusCodes": [a.status_code for a in self.attempts],
            "AttemptLog": [a.as_json() for a in self.attempts],
            "NextAttemptInSeconds": self.next_attempt_in,
            "RetryDelaysSeconds": list(self.retry_delays),
            "Payload": json.loads(self.body),
        }


class WebhookDispatcher:
    """Queues events and delivers them in the background."""

    def __init__(
        self,
        url: str | None,
        secret: str | None,
        *,
        retry_scale: float = 1.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.secret = secret
        self.retry_scale = retry_scale
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self._timers: set[asyncio.Task[None]] = set()
        self._worker: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.timeout, trust_env=False, verify=_tls_context())
        self._worker = asyncio.create_task(self._run(), name="sandbox-webhooks")

    async def stop(self) -> None:
        """Cancel pending retries and the worker; undelivered events stay 'pending'."""
        tasks = [*self._timers, *([self._worker] if self._worker else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._timers.clear()
        self._worker = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def configure(self, url: str | None, secret: str | None) -> None:
        self.url = url
        self.secret = secret

    # -- events --------------------------------------------------------------------------------
    def emit(self, event_type: str, account_id: int | None, data: dict[str, Any]) -> Delivery:
        """Record an event and queue its first attempt (returns at once)."""
        event_id = f"evt_{uuid.uuid4().hex}"
        envelope = {
            "id": event_id,
            "type": event_type,
            "timestamp": iso(utc_now()),
            "accountId": account_id,
            "data": data,
        }
        body = json.dumps(envelope, separators=(",", ":")).encode()
        delivery = Delivery(event_id, event_type, account_id, body)
        self.deliveries.append(delivery)
        if self.url is None:
            delivery.status = "undeliverable"
        else:
            self._queue.put_nowait(delivery)
        return delivery

    # -- delivery ------------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            delivery = await self._queue.get()
            await self._attempt(delivery)

    async def _attempt(self, delivery: Delivery) -> None:
        delivery.next_attempt_in = None
        url, secret = self.url, self.secret
        if url is None or self._client is None:
            delivery.status = "undeliverable"
            return
        headers = {"Content-Type": "application/json", "User-Agent": "AutoShares-Webhooks/1.0"}
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, delivery.body)
        attempt = Attempt(at=iso(utc_now()))
        delivery.attempts.append(attempt)
        try:
            response = await self._client.post(url, content=delivery.body, headers=headers)
            attempt.status_code = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as error:
            attempt.error = type(error).__name__
            ok = False
        if ok:
            delivery.status = "delivered"
            return
        retry_number = len(delivery.attempts) - 1
        if retry_number >= len(RETRY_DELAYS_SECONDS):
            delivery.status = "failed"
            log.info(
                "webhook %s (%s) failed after %d attempts", delivery.id, delivery.type, len(delivery.attempts)
            )
            return
        delay = RETRY_DELAYS_SECONDS[retry_number] * self.retry_scale
        delivery.next_attempt_in = delay
        delivery.retry_delays.append(delay)
        timer = asyncio.create_task(self._requeue_later(delivery, delay))
        self._timers.add(timer)
        timer.add_done_callback(self._timers.discard)

    async def _requeue_later(self, delivery: Delivery, delay: float) -> None:
        await asyncio.sleep(delay)
        self._queue.put_nowait(delivery)
