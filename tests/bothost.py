"""One HTTP server per test session for the bot apps the tests build, one app per test.

Starting and stopping uvicorn for every test cost about half a second of fixed waits: its main
loop looks for a stop request every 0.1 s, and its shutdown pauses 0.1 s and then waits in 0.1 s
steps for connections to close. ``BotHost`` is served once (by ``bot.app.serving``, like the real
bot) and passes each request to the app a test has mounted. It runs the mounted app's ASGI
lifespan itself, in the order uvicorn does: startup before the first request; at the end, new
requests are turned away (503), requests in flight finish, then the lifespan shuts down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: How long unmounting waits for requests in flight before it calls the test broken.
IN_FLIGHT_GRACE_SECONDS = 10.0


class LifespanError(RuntimeError):
    """The app refused to start or stop (``lifespan.*.failed``)."""


@contextlib.asynccontextmanager
async def running_lifespan(app: ASGIApp) -> AsyncIterator[dict[str, Any]]:
    """Drive ``app``'s ASGI lifespan: started on entry, shut down on exit. Yields the lifespan
    state, which every request scope gets a copy of."""
    state: dict[str, Any] = {}
    to_app: asyncio.Queue[Message] = asyncio.Queue()
    from_app: asyncio.Queue[Message] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
    task = asyncio.create_task(app(scope, to_app.get, from_app.put), name="bot-lifespan")

    async def step(kind: str) -> None:
        await to_app.put({"type": f"lifespan.{kind}"})
        answer = asyncio.ensure_future(from_app.get())
        await asyncio.wait({answer, task}, return_when=asyncio.FIRST_COMPLETED)
        if not answer.done():
            answer.cancel()
            task.result()  # the app's own exception, if it raised one
            raise LifespanError(f"the app's lifespan ended without answering {kind}")
        message = answer.result()
        if message["type"] != f"lifespan.{kind}.complete":
            with contextlib.suppress(asyncio.CancelledError):
                await task  # Starlette re-raises the original error after reporting it
            raise LifespanError(message.get("message") or message["type"])

    await step("startup")
    try:
        yield state
    finally:
        await step("shutdown")
        await task


class BotHost:
    """The ASGI app the session's bot server runs; see the module docstring."""

    def __init__(self) -> None:
        self.url = ""
        self._app: ASGIApp | None = None
        self._state: dict[str, Any] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._own_lifespan(receive, send)
            return
        app = self._app
        if app is None:
            await _unavailable(scope, send)
            return
        self._in_flight += 1
        self._idle.clear()
        try:
            scope["state"] = dict(self._state)
            await app(scope, receive, send)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    @contextlib.asynccontextmanager
    async def mounted(self, app: ASGIApp) -> AsyncIterator[None]:
        """Serve ``app`` (its lifespan started) for the duration of the block."""
        if self._app is not None:
            raise RuntimeError("another app is mounted")
        async with running_lifespan(app) as state:
            self._state, self._app = state, app
            try:
                yield
            finally:
                self._app = None
                async with asyncio.timeout(IN_FLIGHT_GRACE_SECONDS):
                    await self._idle.wait()

    @staticmethod
    async def _own_lifespan(receive: Receive, send: Send) -> None:
        """The host has nothing to start or stop itself."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _unavailable(scope: Scope, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1013})
        return
    body = b"no bot is mounted"
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
