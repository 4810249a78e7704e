"""Build the Bolt AsyncApp: one function, every handler module registered on it."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.lazy_listener.async_internals import to_runnable_function
from slack_bolt.lazy_listener.asyncio_runner import AsyncioLazyListenerRunner
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app.manifest import bot_scopes, load_manifest
from bot.app.wiring import Services
from bot.core.tasks import BackgroundTasks
from bot.telemetry.context import RequestContext, describe, new_request_id, request_scope
from bot.telemetry.metrics import Metrics
from handlers.installations import cached_authorize
from handlers.kit import CommandRouter, Handled, Limits, Surface
from handlers.notify import web_client
from handlers.surfaces import register_all

log = logging.getLogger(__name__)


class TrackedLazyListenerRunner(AsyncioLazyListenerRunner):
    """Bolt's asyncio lazy runner, but the tasks are kept so shutdown can wait for them."""

    def __init__(self, logger: logging.Logger, tasks: BackgroundTasks) -> None:
        super().__init__(logger)
        self._tasks = tasks

    def start(self, function: Callable[..., Awaitable[None]], request: AsyncBoltRequest) -> None:
        self._tasks.spawn(to_runnable_function(internal_func=function, logger=self.logger, request=request))


class InstrumentedAsyncApp(AsyncApp):
    """AsyncApp whose every dispatch runs in a request scope (log context) and is measured.

    Each request gets a request id, team, user and command for its log lines (``bot.telemetry.context``);
    lazy listeners are tasks created during the dispatch, so they inherit the scope. Ack latency
    and the ack outcome of buttons/modals are recorded here rather than in a Bolt global
    middleware because Bolt runs global middleware *before* the listeners, not around them
    (``next()`` only sets a flag), so a middleware never sees the ack. ``async_dispatch`` is the
    one entry point of both the HTTP route and Socket Mode.

    The context is built from the body before Bolt's own signature check runs, so only verified
    requests may reach this: over HTTP ``bot.app.slack_gate`` checks the signature (and the body's
    shape) first; Socket Mode requests arrive over Slack's authenticated WebSocket.
    """

    def __init__(self, *, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics
        self.handled = Handled()  # what the surface registered (filled by build_bolt_app)
        self.surface: Surface | None = None  # the surface its listeners run on (ditto)

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        kind, name, command = describe(req.body)
        context = RequestContext(
            request_id=new_request_id(),
            team=req.context.team_id or req.context.enterprise_id,
            user=req.context.user_id,
            command=command,
            kind=kind,
            name=name,
        )
        started = time.perf_counter()
        with request_scope(context):
            response = await super().async_dispatch(req)
        self.metrics.ack_seconds.labels(kind=kind).observe(time.perf_counter() - started)
        if kind in {"action", "view", "shortcut", "options"}:
            self.metrics.action(kind, name, ack_outcome(response.status))
        return response


def ack_outcome(status: int) -> str:
    if status < 300:
        return "acked"
    if status == 404:
        return "unhandled"
    return "rejected" if status < 500 else "error"


#: Environment variables AsyncApp() reads on its own: the client id and secret turn on its OAuth
#: flow, and a bot token beside the client it is given only makes it warn. The bot has already
#: read them into its settings, and it decides the mode.
BOLT_ENV_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@contextlib.contextmanager
def _hidden_from_bolt(names: tuple[str, ...]) -> Iterator[None]:
    """Keep ``names`` out of ``os.environ`` while Bolt's constructor reads it (start-up only)."""
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def build_bolt_app(services: Services) -> InstrumentedAsyncApp:
    """The Slack side of the bot. Acks return as soon as ``ack()`` runs (process_before_response)."""
    settings = services.settings
    # Bolt deep-copies each request for its lazy listeners, client included: this one keeps no
    # shared session (the process's own posts and response_url answers use SlackClients').
    client = web_client(settings.slack_bot_token, settings.slack_api_url)
    kwargs: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret,
        "client": client,
        "process_before_response": True,
        "logger": logging.getLogger("bot.bolt"),
        # Named, so Bolt does not walk the call stack (inspect.stack()) to name it: that costs
        # tens of milliseconds per app, which every test that builds one paid.
        "name": "autoshares-bot",
    }
    installations = services.slack.installation_store
    if settings.multi_workspace and installations is not None:
        # Bolt's authorize cache on, held by the store so an uninstall or a revocation drops it.
        kwargs["authorize"] = cached_authorize(
            installations,
            client_id=settings.slack_client_id or "",
            client_secret=settings.slack_client_secret or "",
            client=client,
            logger=kwargs["logger"],
        )
        kwargs["oauth_settings"] = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=bot_scopes(load_manifest()),
            installation_store=installations,
            state_store=services.oauth_state_store,
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
            redirect_uri=f"{settings.public_url}slack/oauth_redirect",
        )
    # One workspace: the client above carries the bot token. Either way the bot decides the
    # mode: Bolt would switch itself to OAuth installs on seeing SLACK_CLIENT_ID and
    # SLACK_CLIENT_SECRET in the environment (which Sign in with Slack needs), dropping the token.
    with _hidden_from_bolt(BOLT_ENV_VARIABLES):
        app = InstrumentedAsyncApp(metrics=services.metrics, **kwargs)
    # Lazy listeners run as tracked tasks so shutdown (and tests) can wait for them; the
    # listener runner is public Bolt API, its lazy runner a documented attribute of it.
    app.listener_runner.lazy_listener_runner = TrackedLazyListenerRunner(app.logger, services.tasks)
    limits = Limits(
        deadline_seconds=settings.command_deadline_seconds,
        working_after_seconds=settings.working_message_seconds,
    )
    surface = Surface(
        core=services.core,
        slack=services.slack,
        metrics=services.metrics,
        router=CommandRouter(services.metrics, limits, services.slack.session),
        limits=limits,
        environment=settings.autoshares_environment,
        quote_domain=settings.autoshares_quote_domain,
        intents=services.intents,
    )
    register_all(app, surface)
    app.handled = surface.handled
    app.surface = surface

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        logger.error(
            "unhandled %s for %s",
            type(error).__name__,
            body.get("type") or body.get("command"),
            exc_info=error,
        )

    return app
