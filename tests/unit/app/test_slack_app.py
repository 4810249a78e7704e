"""The Bolt app (``bot.app.slack_app``): acks before processing, one workspace's token or the
multi-workspace install with Bolt's authorize cache held by the installation store, Slack's
credentials in the environment never switching the mode, lazy listeners run as tracked tasks, and
every dispatch measured by its ack outcome, an error handled by the one error handler."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from cryptography.fernet import Fernet
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.manifest import bot_scopes, load_manifest
from bot.app.settings import Settings
from bot.app.slack_app import (
    BOLT_ENV_VARIABLES,
    InstrumentedAsyncApp,
    TrackedLazyListenerRunner,
    ack_outcome,
    build_bolt_app,
)
from bot.app.wiring import Services
from bot.core.tasks import BackgroundTasks
from bot.telemetry.context import RequestContext, current
from bot.telemetry.metrics import Metrics
from handlers.installations import CachedInstallations
from handlers.notify import SlackSession
from tests.unit.handlers.conftest import NotReached

KEY = Fernet.generate_key().decode()
ONE_WORKSPACE = {"SLACK_SIGNING_SECRET": "s3cret-signing", "SLACK_BOT_TOKEN": "xoxb-1-2-abc", "TOKEN_ENCRYPTION_KEY": KEY}
MANY_WORKSPACES = {
    "SLACK_SIGNING_SECRET": "s3cret-signing",
    "SLACK_CLIENT_ID": "111.222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "TOKEN_ENCRYPTION_KEY": KEY,
    "PUBLIC_URL": "https://bot.example/",
}
BOT_TOKEN = "xoxb-installed-in-T1"


class OneInstall(AsyncInstallationStore):
    """An installation store holding the bot of workspace T1 (and counting its reads)."""

    def __init__(self) -> None:
        self.reads = 0

    async def async_save(self, installation: Installation) -> None:
        raise NotImplementedError

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return None

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        self.reads += 1
        if team_id != "T1":
            return None
        return Bot(team_id="T1", bot_token=BOT_TOKEN, bot_id="B1", bot_user_id="UBOT", installed_at=datetime.now(UTC))


def services_for(settings: Settings, store: CachedInstallations | None = None, state_store: Any = None) -> Services:
    """What ``build_bolt_app`` reads of the services; the use cases are never reached."""
    return cast(
        Services,
        SimpleNamespace(
            settings=settings,
            slack=SimpleNamespace(installation_store=store, session=SlackSession()),
            oauth_state_store=state_store,
            metrics=Metrics(),
            tasks=BackgroundTasks(),
            core=NotReached(),
            intents=None,
        ),
    )


@pytest.fixture
async def state_store() -> AsyncIterator[AsyncSQLAlchemyOAuthStateStore]:
    engine = create_async_engine("sqlite+aiosqlite://")  # never connected to: building reads nothing
    yield AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    await engine.dispose()


@pytest.fixture
def many(state_store: AsyncSQLAlchemyOAuthStateStore) -> tuple[InstrumentedAsyncApp, CachedInstallations, Services]:
    store = CachedInstallations(OneInstall())
    services = services_for(Settings.from_env(MANY_WORKSPACES), store, state_store)
    return build_bolt_app(services), store, services


def block_action(action_id: str, team: str = "T1") -> AsyncBoltRequest:
    body = {
        "type": "block_actions",
        "team": {"id": team},
        "user": {"id": "U1", "team_id": team},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "value": "v", "action_ts": "1"}],
    }
    return AsyncBoltRequest(mode="socket_mode", body=body)


def test_one_workspace_acks_before_processing_with_the_bot_token_and_no_install_flow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "111.222")  # Sign in with Slack needs them in one workspace too
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret")
    services = services_for(Settings.from_env(ONE_WORKSPACE))
    app = build_bolt_app(services)
    assert app.process_before_response is True
    assert app.name == "autoshares-bot"
    assert app.client.token == "xoxb-1-2-abc"
    assert app.oauth_flow is None and app.installation_store is None
    assert app.metrics is services.metrics
    assert app.surface is not None and app.handled is app.surface.handled
    assert app.handled.actions  # every surface module registered its buttons
    # Bolt's constructor did not see them (it would have switched to installs), and the process keeps them
    assert {name: os.environ.get(name) for name in BOLT_ENV_VARIABLES} == {
        "SLACK_BOT_TOKEN": None,
        "SLACK_CLIENT_ID": "111.222",
        "SLACK_CLIENT_SECRET": "client-secret",
    }


def test_many_workspaces_install_through_bolt_with_the_manifests_scopes(
    many: tuple[InstrumentedAsyncApp, CachedInstallations, Services],
) -> None:
    app, store, services = many
    assert app.process_before_response is True
    assert app.client.token is None  # each request's token comes from its workspace's install
    flow = app.oauth_flow
    assert flow is not None
    oauth = flow.settings
    assert (oauth.client_id, oauth.client_secret) == ("111.222", "client-secret")
    assert list(oauth.scopes or []) == list(bot_scopes(load_manifest()))
    assert oauth.installation_store is store and oauth.state_store is services.oauth_state_store
    assert (oauth.install_path, oauth.redirect_uri_path) == ("/slack/install", "/slack/oauth_redirect")
    assert oauth.redirect_uri == "https://bot.example/slack/oauth_redirect"


def test_the_authorize_cache_is_the_installation_stores_own(
    many: tuple[InstrumentedAsyncApp, CachedInstallations, Services],
) -> None:
    app, store, _ = many
    authorize = app._async_authorize
    assert isinstance(authorize, AsyncInstallationStoreAuthorize)
    assert authorize.cache_enabled is True and authorize.bot_only is True
    assert authorize.authorize_result_cache is store.authorize_results


async def test_a_cached_authorization_serves_a_request_without_asking_slack_and_is_measured(
    many: tuple[InstrumentedAsyncApp, CachedInstallations, Services],
) -> None:
    app, store, services = many
    # what auth.test answered earlier: with it cached, no request to Slack is needed
    store.authorize_results[BOT_TOKEN] = AuthorizeResult(
        enterprise_id=None, team_id="T1", bot_token=BOT_TOKEN, bot_id="B1", bot_user_id="UBOT"
    )
    response = await app.async_dispatch(block_action("nobody_answers_this"))
    assert response.status == 404
    assert cast(OneInstall, store.underlying).reads == 1  # the store was read, Slack was not asked
    metrics = services.metrics
    assert metrics.value("autoshares_actions_total", kind="action", action="nobody_answers_this", outcome="unhandled") == 1
    assert metrics.value("autoshares_slack_ack_seconds_count", kind="action") == 1


async def test_a_listener_error_goes_to_the_one_error_handler_and_counts_as_an_error(
    many: tuple[InstrumentedAsyncApp, CachedInstallations, Services], caplog: pytest.LogCaptureFixture
) -> None:
    app, store, services = many
    store.authorize_results[BOT_TOKEN] = AuthorizeResult(
        enterprise_id=None, team_id="T1", bot_token=BOT_TOKEN, bot_id="B1", bot_user_id="UBOT"
    )

    @app.action("unit_boom")
    async def boom(ack: AsyncAck) -> None:
        raise RuntimeError("listener bug")

    response = await app.async_dispatch(block_action("unit_boom"))
    assert response.status == 500
    [logged] = [r for r in caplog.records if r.name == "bot.bolt" and r.levelno == logging.ERROR]
    assert logged.getMessage() == "unhandled RuntimeError for block_actions"
    assert logged.exc_info is not None and isinstance(logged.exc_info[1], RuntimeError)
    value = services.metrics.value
    assert value("autoshares_actions_total", kind="action", action="unit_boom", outcome="error") == 1


async def test_lazy_listeners_run_as_tasks_shutdown_can_wait_for(
    many: tuple[InstrumentedAsyncApp, CachedInstallations, Services],
) -> None:
    app, _, services = many
    runner = app.listener_runner.lazy_listener_runner
    assert isinstance(runner, TrackedLazyListenerRunner)
    ran: list[str] = []

    async def later(body: dict[str, Any]) -> None:
        ran.append(body["type"])

    runner.start(later, block_action("unit_lazy"))
    assert ran == []  # started, not run inline
    await services.tasks.drain(2)
    assert ran == ["block_actions"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(200, "acked"), (204, "acked"), (404, "unhandled"), (401, "rejected"), (400, "rejected"), (500, "error")],
)
def test_an_ack_status_is_named_by_its_outcome(status: int, outcome: str) -> None:
    assert ack_outcome(status) == outcome


async def test_a_listener_and_its_lazy_work_run_in_the_requests_scope(
    many: tuple[InstrumentedAsyncApp, CachedInstallations, Services],
) -> None:
    app, store, services = many
    store.authorize_results[BOT_TOKEN] = AuthorizeResult(
        enterprise_id=None, team_id="T1", bot_token=BOT_TOKEN, bot_id="B1", bot_user_id="UBOT"
    )
    seen: list[RequestContext | None] = []

    async def acknowledge(ack: AsyncAck) -> None:
        seen.append(current())
        await ack()

    async def later() -> None:
        seen.append(current())

    app.action("unit_scoped")(ack=acknowledge, lazy=[later])
    response = await app.async_dispatch(block_action("unit_scoped"))
    await services.tasks.drain(2)
    assert response.status == 200
    assert current() is None  # the scope ended with the dispatch
    [in_ack, in_lazy] = seen
    assert in_ack is not None and in_ack is in_lazy
    assert (in_ack.team, in_ack.user, in_ack.kind, in_ack.name, in_ack.command) == (
        "T1",
        "U1",
        "action",
        "unit_scoped",
        "action unit_scoped",
    )
    assert services.metrics.value("autoshares_actions_total", kind="action", action="unit_scoped", outcome="acked") == 1
