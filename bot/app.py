"""Build the Bolt AsyncApp: one function, every handler module registered on it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.lazy_listener.async_internals import to_runnable_function
from slack_bolt.lazy_listener.asyncio_runner import AsyncioLazyListenerRunner
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.manifest import bot_scopes, load_manifest
from bot.services import Services
from handlers import HANDLER_MODULES
from handlers.router import CommandRouter
from handlers.router import register as register_commands

log = logging.getLogger(__name__)


class TrackedLazyListenerRunner(AsyncioLazyListenerRunner):
    """Bolt's asyncio lazy runner, but the tasks are kept so shutdown can wait for them."""

    def __init__(self, logger: logging.Logger, services: Services) -> None:
        super().__init__(logger)
        self._services = services

    def start(self, function: Callable[..., Awaitable[None]], request: AsyncBoltRequest) -> None:
        self._services.spawn(
            to_runnable_function(internal_func=function, logger=self.logger, request=request)
        )


def build_bolt_app(services: Services) -> AsyncApp:
    """The Slack side of the bot. Acks return as soon as ``ack()`` runs (process_before_response)."""
    settings = services.settings
    client = AsyncWebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    kwargs: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret,
        "client": client,
        "process_before_response": True,
        "logger": logging.getLogger("bot.bolt"),
    }
    if settings.multi_workspace:
        kwargs["oauth_settings"] = AsyncOAuthSettings(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            scopes=bot_scopes(load_manifest()),
            installation_store=services.slack.installation_store,
            state_store=services.oauth_state_store,
            install_path="/slack/install",
            redirect_uri_path="/slack/oauth_redirect",
            redirect_uri=f"{settings.public_url}slack/oauth_redirect",
        )
    else:
        kwargs["token"] = settings.slack_bot_token
    app = AsyncApp(**kwargs)
    # Bolt exposes no setting for the lazy runner; swap in the tracked one (see docstring).
    app._async_listener_runner.lazy_listener_runner = TrackedLazyListenerRunner(app.logger, services)

    router = CommandRouter()
    register_commands(app, router, services)
    for module in HANDLER_MODULES:
        module.register(app, router, services)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger) -> None:
        logger.error("unhandled %s for %s", type(error).__name__, body.get("type") or body.get("command"))

    services.extras["router"] = router
    return app
