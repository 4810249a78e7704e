"""Serving the sandbox: embedded in a test's event loop, or as a blocking process.

``running_sandbox`` binds the socket itself (so ``port=0`` gives a free ephemeral port and the
issuer URL is known before the first request), runs uvicorn as a task in the current loop, and
stops it cleanly on exit::

    async with running_sandbox(SandboxConfig(tick_seconds=0)) as sb:
        httpx.get(sb.url + ".well-known/openid-configuration")

``run`` is the blocking entry point used by ``python -m sandbox`` and ``autoshares-bot sandbox``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TextIO

from starlette.applications import Starlette
from uvicorn.config import LOGGING_CONFIG

from sandbox.app import create_app
from sandbox.config import SandboxConfig
from sandbox.runtime import Sandbox
from sandbox.seed import DEMO_PASSWORD
from sandbox.serving import listening_socket, serve_forever, serve_in_background


@dataclass(frozen=True)
class RunningSandbox:
    """A served sandbox: ``url`` ends with '/', and is both the OIDC issuer and the API base."""

    url: str
    host: str
    port: int
    app: Starlette

    @property
    def sandbox(self) -> Sandbox:
        """The live parts (state, market, webhooks...), for tests that look inside."""
        return self.app.state.sandbox  # type: ignore[no-any-return]

    @property
    def config(self) -> SandboxConfig:
        """The settings in force: those it started with, unless a reset changed them."""
        return self.sandbox.config

    @property
    def api_url(self) -> str:
        """The trading API root, ``{url}v1.0/``."""
        return f"{self.url}v1.0/"


def base_url_for(host: str, port: int) -> str:
    """The URL clients should use: wildcard binds are announced as loopback."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    try:
        if ipaddress.ip_address(host).version == 6:
            host = f"[{host}]"
    except ValueError:
        pass
    return f"http://{host}:{port}/"


@contextlib.asynccontextmanager
async def running_sandbox(
    config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[RunningSandbox]:
    """Serve a sandbox in the current event loop for the duration of the block."""
    config = config or SandboxConfig()
    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    url = config.base_url or base_url_for(host, bound_port)
    app = create_app(config, base_url=url)
    async with serve_in_background(app, sock):
        yield RunningSandbox(url=url, host=host, port=bound_port, app=app)


def banner(url: str, config: SandboxConfig) -> str:
    """The start-up message: where to point the bot, and the demo credentials."""
    return "\n".join(
        [
            f"AutoShares sandbox listening on {url}",
            f"  OIDC issuer     {url}",
            f"  discovery       {url}.well-known/openid-configuration",
            f"  trading API     {url}v1.0/",
            f"  client id       {config.client_id}",
            f"  client secret   {config.client_secret}",
            f"  app key         {config.app_key}",
            f"  demo logins     alice / {DEMO_PASSWORD} (UserId 1001, account 5001), "
            f"bob / {DEMO_PASSWORD} (UserId 1002, account 5002)"
            if config.seed_users
            else "  demo logins     none (seed_users=False)",
            f"  webhooks        {config.webhook_url or 'off (set SANDBOX_WEBHOOK_URL)'}",
            f"  admin           {url}_sandbox/ (loopback only)",
        ]
    )


def run(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8700,
    *,
    out: TextIO | None = None,
    log_level: str = "info",
) -> None:
    """Serve the sandbox until interrupted (Ctrl+C), printing the issuer and demo values."""
    config = config or SandboxConfig()
    sock = listening_socket(host, port)
    url = config.base_url or base_url_for(host, sock.getsockname()[1])
    app = create_app(config, base_url=url)
    print(banner(url, config), file=out or sys.stdout, flush=True)
    serve_forever(app, sock, log_level=log_level, log_config=LOGGING_CONFIG)
