"""The body cap: every HTTP request body is limited while it is read (``MAX_BODY_BYTES``).

Starlette's ``request.body()`` reads a body whole before any route can look at it, so without a
cap an unsigned 100 MB POST costs hundreds of MB before the 401. :class:`BodyLimit` is a pure
ASGI middleware (it sees every route, present and future): a declared ``Content-Length`` above
the cap is answered 413 at once without reading a byte; any other body (chunked included) is
counted as its ``http.request`` messages arrive, and the 413 goes out as soon as the count passes
the cap. The route is then unwound with :class:`BodyTooLarge`, which nothing but this middleware
catches, and anything the route still tries to send is dropped. ``Connection: close`` on the 413
lets the server drop the rest of the upload instead of reading it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE_BODY = json.dumps({"error": "too_large"}).encode()


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a body passes the cap (the 413 has already been sent)."""


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, or None when absent (the server already rejects a malformed one)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    """Answer 413 to any request whose body is longer than ``max_bytes``, reading at most that."""

    def __init__(self, app: ASGIApp, max_bytes: int, on_refused: Callable[[], Any] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                raise BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not started:
                        await self._refuse(send)
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            pass  # raised only after the 413 went out

    async def _refuse(self, send: Send) -> None:
        if self.on_refused is not None:
            self.on_refused()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(TOO_LARGE_BODY)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": TOO_LARGE_BODY})
