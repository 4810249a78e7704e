"""Fault injection: slow answers, 5xx answers, dropped connections, failing order placement.

Knobs start from the config and are changed through POST /_sandbox/faults. Latency applies to
every non-admin HTTP path; the 5xx share and dropped connections apply to the trading API
(/v1.0/..., /api/v1.0/...) only and happen before the request is processed. "Fail the next N
place-order calls" is different: the order IS accepted (and stays in the book) and the caller
still gets a 500, which is what an exactly-once client must survive.

Rewriting stands in for an AutoShares that answers differently than usual: for a method and
path prefix (``"GET /v1.0/equities/"``), the named fields of the JSON answer (the object, or
each object of a list) are replaced, or removed when the new value is null; ``"_status"`` sets
the HTTP status, and an error status answers with just the other fields as its body;
``"_headers"`` adds response headers (a 429 with its ``Retry-After``). A test
can make AutoShares say anything it is allowed to say: a hostile string, an error, or no
optional figures at all.

Holding is latency without a clock: while ``hold`` is on, every non-admin request waits (and is
counted in ``held``) until the hold is lifted, so a test can see that a client acted before the
sandbox answered it, or that it gave up waiting, without picking a duration.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.state import SandboxState

SERVER_ERROR_BODY = {"Message": "An error has occurred."}


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    fail_next_orders: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(0), repr=False)
    #: "METHOD /path/prefix" -> fields to set (None removes) in the JSON answers there.
    rewrites: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Requests waiting for the hold to be lifted right now.
    held: int = field(default=0, init=False)
    _lifted: asyncio.Event = field(default_factory=asyncio.Event, init=False, repr=False)

    def __post_init__(self) -> None:
        self._lifted.set()

    @property
    def holding(self) -> bool:
        return not self._lifted.is_set()

    def hold(self, on: bool) -> None:
        """Start holding requests, or let every held one go on."""
        if on:
            self._lifted.clear()
        else:
            self._lifted.set()

    async def wait_while_held(self) -> None:
        self.held += 1
        try:
            await self._lifted.wait()
        finally:
            self.held -= 1

    def as_json(self) -> dict[str, Any]:
        return {
            "LatencyMs": self.latency_ms,
            "ErrorRate": self.error_rate,
            "DropRate": self.drop_rate,
            "FailNextOrders": self.fail_next_orders,
            "Hold": self.holding,
            "Held": self.held,
            "Rewrite": self.rewrites,
        }

    def clear(self) -> None:
        self.latency_ms, self.error_rate, self.drop_rate, self.fail_next_orders = 0, 0.0, 0.0, 0
        self.rewrites = {}
        self.hold(False)

    def rewrite_for(self, method: str, path: str) -> dict[str, Any] | None:
        """The fields to rewrite in the answer to ``method path`` (longest prefix wins)."""
        matches = [key for key in self.rewrites if f"{method} {path}".startswith(key)]
        return self.rewrites[max(matches, key=len)] if matches else None

    def take_order_failure(self) -> bool:
        """Consume one 'fail after accepting' token, if any is left."""
        if self.fail_next_orders > 0:
            self.fail_next_orders -= 1
            return True
        return False


def is_api_path(path: str) -> bool:
    return path.startswith("/v") or path.startswith("/api/v")


class FaultTarget(Protocol):
    """What the middleware needs of a sandbox: the knobs in force and where to count."""

    @property
    def faults(self) -> Faults: ...

    @property
    def state(self) -> SandboxState: ...


class FaultInjectionMiddleware:
    """ASGI middleware applying holds, latency, 5xx answers and dropped connections."""

    def __init__(self, app: ASGIApp, sandbox: FaultTarget) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        faults = self.sandbox.faults
        if faults.holding:
            await faults.wait_while_held()
        if faults.latency_ms:
            self.sandbox.state.stats.delayed_requests += 1
            await asyncio.sleep(faults.latency_ms / 1000)
        if is_api_path(scope["path"]):
            if faults.drop_rate and faults.rng.random() < faults.drop_rate:
                self.sandbox.state.stats.dropped_connections += 1
                await _drop(send)
                return
            if faults.error_rate and faults.rng.random() < faults.error_rate:
                self.sandbox.state.stats.injected_errors += 1
                await _server_error(send)
                return
        fields = faults.rewrite_for(scope["method"], scope["path"])
        if fields is not None:
            await self.app(scope, receive, _rewriting(send, fields))
            return
        await self.app(scope, receive, send)


#: Keys of a rewrite that are not fields of the answer.
_CONTROLS = ("_status", "_headers")


def _rewritten(body: bytes, fields: dict[str, Any]) -> bytes:
    if int(fields.get("_status") or 0) >= 400:
        return json.dumps({k: v for k, v in fields.items() if k not in _CONTROLS}).encode()
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return body
    for item in data if isinstance(data, list) else [data]:
        if isinstance(item, dict):
            for name, value in fields.items():
                if name in _CONTROLS:
                    continue
                if value is None:
                    item.pop(name, None)
                else:
                    item[name] = value
    return json.dumps(data).encode()


def _rewriting(send: Send, fields: dict[str, Any]) -> Send:
    """A ``send`` that holds the answer back, rewrites its JSON, and sends it whole."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def rewriting_send(message: Any) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
            return
        if message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        body = _rewritten(b"".join(chunks), fields)
        added = {str(k).lower().encode(): str(v).encode() for k, v in (fields.get("_headers") or {}).items()}
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() != b"content-length" and k.lower() not in added
        ]
        headers += list(added.items())
        status = int(fields.get("_status") or start.get("status", 200))
        await send(
            {**start, "status": status, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
        )
        await send({"type": "http.response.body", "body": body})

    return rewriting_send


async def _server_error(send: Send) -> None:
    body = json.dumps(SERVER_ERROR_BODY).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(send: Send) -> None:
    """Start a response that promises a body and never send it: the server then closes the
    connection, and the client sees the peer hang up mid-response."""
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": True})
