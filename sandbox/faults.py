"""Fault injection: slow answers, 5xx answers, dropped connections, failing order placement.

Knobs start from the config and are changed through POST /_sandbox/faults. Latency applies to
every non-admin HTTP path; the 5xx share and dropped connections apply to the trading API
(/v1.0/..., /api/v1.0/...) only and happen before the request is processed. "Fail the next N
place-order calls" is different: the order IS accepted (and stays in the book) and the caller
still gets a 500, which is what an exactly-once client must survive.

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
        }

    def clear(self) -> None:
        self.latency_ms, self.error_rate, self.drop_rate, self.fail_next_orders = 0, 0.0, 0.0, 0
        self.hold(False)

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
        await self.app(scope, receive, send)


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
