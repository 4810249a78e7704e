"""The one ASGI app: Slack events, Slack install (multi-workspace), AutoShares login/callback,
webhooks, private chart images and health, served by uvicorn. With SLACK_APP_TOKEN its lifespan
also runs the Socket Mode connection (``bot.app.socket_mode``), which ``/readyz`` reports on."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.app.check import api_problem, issuer_problem
from bot.app.database_probe import database_problem
from bot.app.edge import body_limit
from bot.app.pollers import Pollers
from bot.app.slack_app import build_bolt_app
from bot.app.slack_gate import SlackGate
from bot.app.socket_mode import SocketMode
from bot.app.webhooks import webhook_route
from bot.app.wiring import Services
from bot.core.linking import LinkOutcome, LinkProblem, LoginStart
from handlers import errors
from handlers.clicks import ClickRecovery

log = logging.getLogger(__name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · AutoShares for Slack</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d;
overflow-wrap:anywhere}}
h1{{font-size:1.5rem}}</style></head>
<body><h1>{title}</h1><p>{message}</p></body></html>
"""


AGAIN = "Run /autoshares link in Slack to get a new one."
TRY_AGAIN = "Run /autoshares link in Slack to try again."

#: What the browser shows for each way a sign-in can end without a link: (title, message, status).
PROBLEM_PAGES: dict[LinkProblem, tuple[str, str, int]] = {
    LinkProblem.STATE_MISSING: ("Linking failed", f"This sign-in link is incomplete. {AGAIN}", 400),
    LinkProblem.STATE_UNKNOWN: ("Linking failed", f"This sign-in link is not one we issued. {AGAIN}", 400),
    LinkProblem.STATE_USED: (
        "Linking failed",
        "This sign-in link was already used. Run /autoshares link in Slack if you need a new one.",
        400,
    ),
    LinkProblem.STATE_EXPIRED: (
        "Linking failed",
        f"This sign-in link expired after 10 minutes. {AGAIN}",
        400,
    ),
    LinkProblem.STATE_UNREADABLE: ("Linking failed", f"This sign-in link no longer works. {AGAIN}", 400),
    LinkProblem.DECLINED: (
        "Not linked",
        "You declined to connect AutoShares, so nothing was linked. "
        "Run /autoshares link in Slack whenever you want to try again.",
        400,
    ),
    LinkProblem.LOGIN_REQUIRED: ("Not linked", f"AutoShares needs you to sign in. {TRY_AGAIN}", 400),
    LinkProblem.PROVIDER_ERROR: (
        "Not linked",
        f"AutoShares sign-in did not complete, so nothing was linked. {TRY_AGAIN}",
        400,
    ),
    LinkProblem.NO_CODE: (
        "Linking failed",
        f"The sign-in answer carried no authorization code. {TRY_AGAIN}",
        400,
    ),
    LinkProblem.REFUSED: (
        "Linking failed",
        f"AutoShares did not accept this sign-in, so nothing was linked. {TRY_AGAIN}",
        400,
    ),
    LinkProblem.WRONG_PERSON: (
        "Not linked",
        "This sign-in link was made for another Slack user, and you signed in to Slack as someone else, "
        "so nothing was linked and the link no longer works. To link your own account, run "
        "/autoshares link in Slack yourself.",
        403,
    ),
    LinkProblem.OTHER_BROWSER: (
        "Not linked",
        "This sign-in was started in another browser, so nothing was linked. "
        "Run /autoshares link in Slack and open the link in this browser.",
        403,
    ),
    LinkProblem.NOT_VERIFIED: (
        "Not linked",
        f"This sign-in skipped the Slack step, so nothing was linked. {TRY_AGAIN}",
        403,
    ),
    LinkProblem.SLACK_DECLINED: (
        "Not linked",
        "You did not sign in with Slack, so nothing was linked. "
        "Run /autoshares link in Slack whenever you want to try again.",
        400,
    ),
    LinkProblem.SLACK_FAILED: (
        "Sign-in unavailable",
        f"Slack could not confirm who you are right now, so nothing was linked. {TRY_AGAIN}",
        502,
    ),
}

#: The cookie that ties a sign-in to the browser that opened the link.
BROWSER_COOKIE = "autoshares_signin"


def page(title: str, message: str, status: int = 200) -> HTMLResponse:
    """A plain page that ends a browser step, never cached."""
    body = PAGE.format(title=html.escape(title), message=html.escape(message))
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def outcome_page(outcome: LinkOutcome, *, during_login: bool = False) -> HTMLResponse:
    """The page that ends a sign-in, in plain words."""
    if outcome.link is not None:
        return page(
            "Linked",
            f"Your Slack account is now linked to AutoShares as {outcome.link.autoshares_login}. "
            "You can close this tab and return to Slack.",
        )
    problem = outcome.problem or LinkProblem.PROVIDER_ERROR
    if problem is LinkProblem.UNAVAILABLE:
        sentence = errors.sentence(outcome.error) if outcome.error else errors.OUR_SIDE
        if during_login:
            return page("Sign-in unavailable", sentence, 502)
        return page("Linking failed", f"{sentence} Nothing was linked.", 502)
    title, message, status = PROBLEM_PAGES[problem]
    return page(title, message, status)


async def readiness_problems(services: Services, socket_mode: SocketMode | None = None) -> dict[str, str]:
    """What is down, by name (empty when ready); the probes run concurrently, each time afresh.
    With Socket Mode, the process is not ready until Slack has greeted its connection."""
    settings = services.settings
    names = ("database", "identity_provider", "autoshares_api")
    found = await asyncio.gather(
        database_problem(services.db.engine),
        issuer_problem(settings, services.http),
        api_problem(settings, services.http),
    )
    down = {name: problem for name, problem in zip(names, found, strict=True) if problem}
    if socket_mode is not None and socket_mode.problem:
        down["socket_mode"] = socket_mode.problem
    return down


def stored_key_problems(services: Services) -> dict[str, str]:
    """Stored rows the configured keys cannot decrypt, from the last count (never counted here:
    a stale count is refreshed in the background, see ``bot.app.stored_keys``)."""
    keys = services.stored_keys
    if keys.stale:
        services.tasks.spawn(keys.refresh())
    problem = keys.problem()
    return {"token_encryption_key": problem} if problem else {}


def redirect(url: str) -> RedirectResponse:
    """A 302 the browser does not cache (sign-in steps)."""
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


class SignIn:
    """The browser's side of linking (steps 2 to 4): the sign-in is tied to the browser that
    opened the link by a cookie, then goes through Sign in with Slack and AutoShares."""

    def __init__(self, services: Services) -> None:
        self.linking = services.core.linking
        self.cookie_seconds = services.settings.link_state_ttl_seconds
        self.secure_cookie = services.settings.public_url.startswith("https://")

    async def autoshares_login(self, request: Request) -> Response:
        """Step 2 of linking: tie the sign-in to this browser, then Sign in with Slack."""
        target = await self.linking.login_redirect(request.query_params.get("state"))
        if isinstance(target, LinkOutcome):
            return outcome_page(target, during_login=True)
        assert isinstance(target, LoginStart)
        response = redirect(target.url)
        response.set_cookie(
            BROWSER_COOKIE,
            target.browser,
            max_age=self.cookie_seconds,
            httponly=True,
            secure=self.secure_cookie,
            samesite="lax",
        )
        return response

    async def slack_identity(self, request: Request) -> Response:
        """Step 3: back from Sign in with Slack; on to AutoShares only for the requester."""
        target = await self.linking.slack_returned(request.query_params, request.cookies.get(BROWSER_COOKIE))
        if isinstance(target, LinkOutcome):
            return outcome_page(target)
        return redirect(target)

    async def autoshares_callback(self, request: Request) -> Response:
        """Step 4: back from AutoShares; the link is stored."""
        response = outcome_page(
            await self.linking.complete(request.query_params, request.cookies.get(BROWSER_COOKIE))
        )
        response.delete_cookie(BROWSER_COOKIE, httponly=True, secure=self.secure_cookie, samesite="lax")
        return response

    def routes(self) -> list[Route]:
        """``/autoshares/login``, ``/slack/identity`` and ``/autoshares/callback``."""
        return [
            Route("/autoshares/login", self.autoshares_login, methods=["GET"]),
            Route("/slack/identity", self.slack_identity, methods=["GET"]),
            Route("/autoshares/callback", self.autoshares_callback, methods=["GET"]),
        ]


class Operations:
    """What operators and Slack's image fetcher read: health, readiness, metrics, chart images."""

    def __init__(self, services: Services, socket_mode: SocketMode | None) -> None:
        self.services = services
        self.socket_mode = socket_mode

    async def chart_image(self, request: Request) -> Response:
        """A private chart's image, for whoever holds its signed URL until it expires (Slack,
        fetching it for the asker's private answer). Anything else is the same 404, and a URL
        whose signature is wrong is refused without asking the database."""
        served = await self.services.core.charts.served(
            request.path_params["chart_id"], request.query_params.get("exp"), request.query_params.get("sig")
        )
        if served is None:
            return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})
        return Response(
            served.png,
            media_type="image/png",
            headers={
                "Cache-Control": f"private, max-age={served.max_age}",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def healthz(self, _request: Request) -> Response:
        """Alive: the process answers HTTP."""
        return JSONResponse({"status": "ok"})

    async def readyz(self, _request: Request) -> Response:
        """Ready when the database and AutoShares (identity provider and API) answer, and Slack
        has greeted the Socket Mode connection if there is one. Stored
        rows that TOKEN_ENCRYPTION_KEY cannot decrypt are reported under ``degraded`` and do
        not make the process unready (their users can only recover by linking again here)."""
        down = await readiness_problems(self.services, self.socket_mode)
        body: dict[str, object] = {"status": "unavailable" if down else "ready"}
        if down:
            body["down"] = down
        degraded = stored_key_problems(self.services)
        if degraded:
            body["degraded"] = degraded
        return JSONResponse(body, status_code=503 if down else 200)

    async def metrics(self, _request: Request) -> Response:
        """The Prometheus exposition of the process's metrics."""
        return Response(self.services.metrics.render(), media_type=self.services.metrics.content_type)


def socket_mode_of(bolt: AsyncApp, services: Services) -> SocketMode | None:
    """The Socket Mode connection when SLACK_APP_TOKEN is set, else None (HTTP only)."""
    settings = services.settings
    if not settings.slack_app_token:
        return None
    return SocketMode(
        bolt,
        app_token=settings.slack_app_token,
        api_url=settings.slack_api_url,
        retry_seconds=settings.socket_mode_retry_seconds,
        first_time=services.replays.first_time,
    )


#: Whether this process has frozen its start-up heap.
_heap_frozen = False


def freeze_start_up_heap() -> None:
    """Leave what start-up built (modules, the app, its listeners, the engines: about 160,000
    objects) out of every later garbage collection. A full collection walks all of them and
    took 130-190 ms here: while it runs no Slack request is acked, so it was the slowest 1 %
    of acks. They live as long as the process anyway; garbage made later is collected as ever.
    Once per process: an app started again in the same process (tests) freezes nothing more.
    (A flag, not ``gc.get_freeze_count()``: that count walks every frozen object, ~20 ms.)"""
    global _heap_frozen
    if not _heap_frozen:
        gc.freeze()
        _heap_frozen = True


def lifespan_of(
    services: Services,
    socket_mode: SocketMode | None,
    *,
    close_services: bool,
    clicks: ClickRecovery | None = None,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start the pollers (and Socket Mode) with the app; on shutdown stop taking work, finish
    what was taken, and close the services unless the caller keeps them."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        """Run the background work for as long as the app serves."""
        pollers = Pollers.of(services, clicks)
        pollers.start()
        freeze_start_up_heap()
        services.tasks.spawn(services.stored_keys.refresh())  # the first count, for /readyz
        if socket_mode is not None:
            socket_mode.start()  # connects in the background; /readyz says when it has
        yield
        if socket_mode is not None:
            await socket_mode.close()  # no new envelopes; the ones being answered are acked
        await pollers.stop()
        await services.drain()
        if close_services:
            await services.aclose()

    return lifespan


def create_web_app(services: Services, *, close_services: bool = True) -> Starlette:
    """Routes for one process. ``close_services`` lets tests keep their services after shutdown."""
    bolt = build_bolt_app(services)
    gate = SlackGate(
        bolt,
        services.settings.slack_signing_secret,
        services.replays,
        services.metrics,
        tasks=services.tasks,
        session=services.slack.session,
    )
    slack_oauth = AsyncSlackRequestHandler(bolt)
    socket_mode = socket_mode_of(bolt, services)
    ops = Operations(services, socket_mode)

    async def slack_events(request: Request) -> Response:
        """``POST /slack/events``: Slack's requests, through the gate to Bolt."""
        return await gate.handle(request)

    async def slack_install(request: Request) -> Response:
        """``/slack/install`` and ``/slack/oauth_redirect``: Bolt's install flow."""
        return await slack_oauth.handle(request)

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        *SignIn(services).routes(),
        Route("/charts/{chart_id}.png", ops.chart_image, methods=["GET"]),
        Route("/healthz", ops.healthz, methods=["GET"]),
        Route("/readyz", ops.readyz, methods=["GET"]),
        Route("/metrics", ops.metrics, methods=["GET"]),
        webhook_route(services.core, services.metrics, services.settings.autoshares_webhook_secret),
    ]
    if services.settings.multi_workspace:
        routes += [
            Route("/slack/install", slack_install, methods=["GET"]),
            Route("/slack/oauth_redirect", slack_install, methods=["GET"]),
        ]
    clicks = ClickRecovery(bolt.surface, services.intents) if bolt.surface is not None else None
    lifespan = lifespan_of(services, socket_mode, close_services=close_services, clicks=clicks)

    # Every body is capped while it is read, before any route (or signature check) runs.
    capped = body_limit(services.settings.max_body_bytes, services.metrics.request_bodies_too_large.inc)
    app = Starlette(routes=routes, lifespan=lifespan, middleware=capped)
    app.state.services = services
    app.state.bolt = bolt
    app.state.socket_mode = socket_mode
    return app
