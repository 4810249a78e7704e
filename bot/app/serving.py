"""Serve an ASGI app with uvicorn inside the running event loop, on a socket we bind ourselves.

Used by ``autoshares-bot serve`` and ``demo``, the sandbox, and the test suite to run the bot,
the local Slack Web API and the sandbox side by side over real HTTP. Binding the socket first
means ``port=0`` gives a free port whose number is known before the first request.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn

STARTUP_TIMEOUT = 10.0


@dataclass
class RunningServer:
    server: uvicorn.Server
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"


class EmbeddedServer(uvicorn.Server):
    """uvicorn without signal handlers: the host process (the CLI, pytest) owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A bound TCP socket for host:port (uvicorn starts listening on it); 0 picks a free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this; without it every small response waits ~40 ms for
    # Nagle + delayed ACK (uvicorn sets it only on sockets it binds itself).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def uvicorn_config(
    app: Any, log_level: str = "warning", log_config: dict[str, Any] | None = None
) -> uvicorn.Config:
    """Embedded servers leave logging to the host (log_config=None) and never log access lines
    (a callback URL's query carries an authorization code)."""
    return uvicorn.Config(
        app,
        lifespan="on",
        log_level=log_level,
        log_config=log_config,
        access_log=False,
        timeout_graceful_shutdown=5,
    )


@contextlib.asynccontextmanager
async def serving(app: Any, sock: socket.socket, log_level: str = "warning") -> AsyncIterator[uvicorn.Server]:
    """Serve ``app`` on ``sock`` in the current loop; returns once it accepts connections and
    stops it gracefully (lifespan shutdown included) when the block exits."""
    server = EmbeddedServer(uvicorn_config(app, log_level))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="embedded-uvicorn")
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT
        while not server.started:
            if task.done():
                task.result()  # raises the start-up failure
                raise RuntimeError("the server stopped during start-up")
            if loop.time() > deadline:
                raise TimeoutError("the server did not start")
            await asyncio.sleep(0.005)
        yield server
    finally:
        server.should_exit = True
        try:
            await task
        finally:
            sock.close()


@contextlib.asynccontextmanager
async def serve_in_loop(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None
) -> AsyncIterator[RunningServer]:
    """``serving`` on a socket bound here (or the one given); yields where it listens."""
    sock = sock or bind_socket(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    async with serving(app, sock) as server:
        yield RunningServer(server, host if bound_host in {"0.0.0.0", "::"} else bound_host, bound_port)
