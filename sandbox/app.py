"""The sandbox's ASGI application: identity provider, trading API, streamer, admin, one origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from sandbox.admin import admin_routes
from sandbox.api.endpoints import api_routes
from sandbox.config import SandboxConfig
from sandbox.etna_login import EtnaLoginRoutes
from sandbox.faults import FaultInjectionMiddleware
from sandbox.identity import IdentityRoutes
from sandbox.runtime import Sandbox


def create_app(config: SandboxConfig, *, base_url: str | None = None) -> Starlette:
    """Build a sandbox app. Issuer/base URL: ``base_url``, else ``config.base_url``, else the
    URL each request arrived at. The running ``Sandbox`` is ``app.state.sandbox``."""
    sandbox = Sandbox(config, base_url=base_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        try:
            yield
        finally:
            await sandbox.stop()

    async def streamer(websocket: WebSocket) -> None:
        await sandbox.hub.serve(websocket)  # the hub of the moment: a reset replaces it

    routes = [
        *IdentityRoutes(sandbox).routes(),
        *EtnaLoginRoutes(sandbox).routes(),
        *admin_routes(sandbox),
        WebSocketRoute("/streamer", streamer),
        *api_routes(sandbox),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(FaultInjectionMiddleware, sandbox=sandbox)],
    )
    app.state.sandbox = sandbox
    return app
