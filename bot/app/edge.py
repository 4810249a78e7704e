"""The body cap: every HTTP request body is limited while it is read (``MAX_BODY_BYTES``).

Starlette's ``request.body()`` reads a body whole before any route can look at it, so without a
cap an unsigned 100 MB POST costs hundreds of MB before the 401. Starlette's own
``RequestBodyLimitMiddleware`` (what ``Starlette(max_body_size=…)`` installs) does the capping:
a declared ``Content-Length`` over the cap is refused before a byte is read, and any other body
(chunked included) is counted as it arrives and refused as soon as the count passes the cap.

Its 413 is plain text and uncounted, so :func:`body_limit` puts :class:`TooLargeAnswer` just
outside it: each 413 is counted and answered with our JSON body and ``Connection: close`` (the
server then drops the rest of the upload instead of reading it). Nothing else in the app
answers 413, so every 413 this layer sees is the cap's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE_BODY = json.dumps({"error": "too_large"}).encode()
TOO_LARGE_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(TOO_LARGE_BODY)).encode()),
    (b"connection", b"close"),
]


class TooLargeAnswer:
    """Count each 413 and answer it with :data:`TOO_LARGE_BODY` in place of the body it carried."""

    def __init__(self, app: ASGIApp, on_refused: Callable[[], Any]) -> None:
        self.app = app
        self.on_refused = on_refused

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = False

        async def answer(message: Message) -> None:
            nonlocal refused
            if refused:
                return  # the plain-text body of the 413 this layer already answered
            if message["type"] == "http.response.start" and message["status"] == 413:
                refused = True
                self.on_refused()
                await send({"type": "http.response.start", "status": 413, "headers": TOO_LARGE_HEADERS})
                await send({"type": "http.response.body", "body": TOO_LARGE_BODY})
                return
            await send(message)

        await self.app(scope, receive, answer)


def body_limit(max_bytes: int, on_refused: Callable[[], Any]) -> list[Middleware]:
    """The app's outermost middleware: Starlette's body cap, with our counted JSON 413 around it."""
    return [
        Middleware(TooLargeAnswer, on_refused=on_refused),
        Middleware(RequestBodyLimitMiddleware, max_body_size=max_bytes),
    ]
