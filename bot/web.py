"""The one ASGI app: Slack events, Slack install (multi-workspace), AutoShares login/callback,
webhooks and health, served by uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import AsyncIterator

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.core.errors import BotError
from bot.core.linking import CallbackOutcome, LinkService
from bot.pollers import Pollers
from bot.slack_app import build_bolt_app
from bot.webhooks import webhook_route
from bot.wiring import Services

log = logging.getLogger(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title} · AutoShares for Slack</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}}
h1{{font-size:1.4rem}}</style></head>
<body><h1>{title}</h1><p>{message}</p></body></html>
"""


def page(outcome: CallbackOutcome) -> HTMLResponse:
    body = PAGE.format(title=html.escape(outcome.title), message=html.escape(outcome.message))
    return HTMLResponse(body, status_code=outcome.status, headers={"Cache-Control": "no-store"})


async def readiness_problems(services: Services) -> dict[str, str]:
    """What is down, by name (empty when ready); the probes run concurrently, each time afresh."""
    from bot.ops.check import api_problem, database_problem, issuer_problem

    settings = services.settings
    names = ("database", "identity_provider", "autoshares_api")
    found = await asyncio.gather(
        database_problem(services.db.engine),
        issuer_problem(settings, services.http),
        api_problem(settings, services.http),
    )
    return {name: problem for name, problem in zip(names, found, strict=True) if problem}


def create_web_app(services: Services, *, close_services: bool = True) -> Starlette:
    """Routes for one process. ``close_services`` lets tests keep their services after shutdown."""
    bolt = build_bolt_app(services)
    slack = AsyncSlackRequestHandler(bolt)
    linking = LinkService(services)

    async def slack_events(request: Request) -> Response:
        return await slack.handle(request)

    async def autoshares_login(request: Request) -> Response:
        try:
            target = await linking.login_redirect(request.query_params.get("state"))
        except BotError as exc:
            log.error("login redirect failed: %s", exc)
            return page(CallbackOutcome(False, "Sign-in unavailable", exc.user_message, 502))
        if isinstance(target, CallbackOutcome):
            return page(target)
        return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})

    async def autoshares_callback(request: Request) -> Response:
        return page(await linking.complete(request.query_params))

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> Response:
        """Ready when the database and AutoShares (identity provider and API) answer."""
        down = await readiness_problems(services)
        if down:
            return JSONResponse({"status": "unavailable", "down": down}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def metrics(_request: Request) -> Response:
        return Response(services.metrics.render(), media_type=services.metrics.content_type)

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/autoshares/login", autoshares_login, methods=["GET"]),
        Route("/autoshares/callback", autoshares_callback, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        webhook_route(services),
    ]
    if services.settings.multi_workspace:
        routes += [
            Route("/slack/install", slack_events, methods=["GET"]),
            Route("/slack/oauth_redirect", slack_events, methods=["GET"]),
        ]
    for extra in services.extras.get("routes", []):
        routes.append(extra)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        pollers = Pollers(services)
        pollers.start()
        yield
        await pollers.stop()
        await services.drain()
        if close_services:
            await services.aclose()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = services
    app.state.bolt = bolt
    return app
