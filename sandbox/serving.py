"""How the sandbox is put on the network: uvicorn on a socket the sandbox binds itself.

The sandbox is a separate product from the bot and imports none of its code, so it keeps this
small helper of its own. Two ways to serve:

* ``serve_in_background(app, sock)`` runs uvicorn as a task of the current event loop (tests,
  the demo, the bot's embedded sandbox) and stops it, lifespan shutdown included, on exit;
* ``serve_forever(app, sock)`` blocks until Ctrl+C (``python -m sandbox``).

Binding first is what makes ``port=0`` useful: the OS picks a free port, and its number (hence
the issuer URL) is known before uvicorn answers anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Generator
from typing import Any

import uvicorn

#: How long ``serve_in_background`` waits for uvicorn to accept connections.
START_TIMEOUT_SECONDS = 10.0
#: How long in-flight requests get to finish once a stop is asked for.
STOP_GRACE_SECONDS = 5


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: any free port), ready for uvicorn."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    # Connections accepted on this socket inherit no-delay: small JSON answers leave at once
    # instead of waiting on Nagle's algorithm and the peer's delayed ACK.
    options = ((socket.SOL_SOCKET, socket.SO_REUSEADDR), (socket.IPPROTO_TCP, socket.TCP_NODELAY))
    try:
        for level, option in options:
            sock.setsockopt(level, option, 1)
        sock.bind((host, port))
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def server_settings(app: Any, *, log_level: str, log_config: dict[str, Any] | None = None) -> uvicorn.Config:
    """uvicorn settings for the sandbox. No access log: a redirect's query string carries an
    authorization code. ``log_config=None`` leaves logging set up as the host process has it."""
    return uvicorn.Config(
        app,
        lifespan="on",
        access_log=False,
        log_level=log_level,
        log_config=log_config,
        timeout_graceful_shutdown=STOP_GRACE_SECONDS,
    )


class _GuestServer(uvicorn.Server):
    """uvicorn as a guest in someone else's process: it leaves signal handling to its host."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.asynccontextmanager
async def serve_in_background(
    app: Any, sock: socket.socket, *, log_level: str = "warning"
) -> AsyncIterator[uvicorn.Server]:
    """Serve ``app`` on ``sock`` from a task of the running loop.

    Entered once uvicorn accepts connections (a start-up failure is raised here); leaving the
    block stops the server gracefully and closes the socket.
    """
    server = _GuestServer(server_settings(app, log_level=log_level))
    serving = asyncio.create_task(server.serve(sockets=[sock]), name="sandbox-uvicorn")
    try:
        await _until_started(server, serving)
        yield server
    finally:
        server.should_exit = True
        with contextlib.closing(sock):
            await serving


async def _until_started(server: uvicorn.Server, serving: asyncio.Task[None]) -> None:
    async with asyncio.timeout(START_TIMEOUT_SECONDS):
        while not server.started:
            if serving.done():
                serving.result()  # re-raises what stopped uvicorn during start-up
                raise RuntimeError("uvicorn exited before it started serving")
            await asyncio.sleep(0.005)


def serve_forever(
    app: Any, sock: socket.socket, *, log_level: str = "info", log_config: dict[str, Any] | None = None
) -> None:
    """Serve ``app`` on ``sock`` until interrupted; uvicorn owns the signals here."""
    with contextlib.closing(sock):
        server = uvicorn.Server(server_settings(app, log_level=log_level, log_config=log_config))
        server.run(sockets=[sock])
