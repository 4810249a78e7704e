"""Shared fixtures: a clean environment, a database (SQLite, or PostgreSQL with
TEST_DATABASE_URL), the local Slack Web API, the AutoShares sandbox, and the bot itself, all
served over real HTTP on loopback ports chosen by the OS."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.devkit import blockkit
from bot.devkit.driver import SlackDriver, browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack
from bot.serving import serve_in_loop
from bot.settings import Settings, async_database_url
from bot.web import create_web_app
from bot.wiring import Services
from sandbox.config import SandboxConfig
from storage.db import Database

SETTING_PREFIXES = (
    "SLACK_",
    "AUTOSHARES_",
    "AUTH0_",
    "SANDBOX_",
    "DATABASE_URL",
    "TOKEN_ENCRYPTION_KEY",
    "PUBLIC_URL",
    "PORT",
    "MAX_BODY_BYTES",
    "LOG_",
    "ORDER_",
    "ALERT_",
    "LARGE_ORDER",
)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token-for-local-slack"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's or CI's settings."""
    for name in list(os.environ):
        if name.startswith(SETTING_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    yield


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(async_database_url(url))
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """An empty database: PostgreSQL when TEST_DATABASE_URL is set, else a fresh SQLite file."""
    if TEST_DATABASE_URL:
        await _reset_postgres(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The bot's database, migrated, for repository tests."""
    database = Database(async_database_url(database_url))
    await database.upgrade()
    yield database
    await database.dispose()


@pytest.fixture
def encryption_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """The sandbox as tests want it: frozen prices, no rate limits unless a test turns them on."""
    return SandboxConfig(tick_seconds=0, rate_limits=False, webhook_retry_scale=0.001)


@pytest.fixture
async def sandbox(sandbox_config: SandboxConfig) -> AsyncIterator[Any]:
    from sandbox.server import running_sandbox

    async with running_sandbox(sandbox_config, host="127.0.0.1", port=0) as sb:
        yield sb


@pytest.fixture
async def local_slack() -> AsyncIterator[LocalSlack]:
    slack = LocalSlack()
    async with serve_in_loop(slack.app()) as server:
        slack.base_url = server.url
        yield slack


@pytest.fixture
def bot_env(
    database_url: str,
    encryption_key: str,
    local_slack: LocalSlack,
    sandbox: Any,
    sandbox_config: SandboxConfig,
) -> dict[str, str]:
    """The environment a test bot is configured from (tests may edit it before ``bot`` starts)."""
    return {
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": local_slack.base_url + "api/",
        "SLACK_CLIENT_ID": local_slack.identity.client_id,
        "SLACK_CLIENT_SECRET": local_slack.identity.client_secret,
        "AUTH0_DOMAIN": sandbox.url,
        "AUTOSHARES_API_URL": sandbox.url,
        "AUTH0_CLIENT_ID": sandbox_config.client_id,
        "AUTH0_CLIENT_SECRET": sandbox_config.client_secret,
        "AUTOSHARES_APP_KEY": sandbox_config.app_key,
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": encryption_key,
        "AUTOSHARES_TIMEOUT_SECONDS": "10",
    }


@dataclass
class RunningBot:
    url: str
    settings: Settings
    services: Services
    slack: LocalSlack
    driver: SlackDriver
    http: httpx.AsyncClient
    sandbox: Any

    async def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the sandbox's admin API (``/_sandbox/...``)."""
        response = await self.http.request(method, self.sandbox.url + path.lstrip("/"), **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    async def link(
        self, user: str = "U0ALICE", login: str = "alice", password: str = "sandbox"
    ) -> httpx.Response:
        """Run `/autoshares link` and complete the sign-in like a browser; returns the final page."""
        before = len(self.slack.by_method("response_url"))
        self.slack.sign_in_as(user)  # the browser that follows the link is the requester's
        response = await self.driver.command("/autoshares", "link", user=user)
        assert response.status_code == 200
        calls = await self.slack.wait_for("response_url", count=before + 1)
        button = next(b for b in buttons(calls[-1].args["blocks"]) if b.get("url"))
        return await browser_sign_in(self.http, button["url"], username=login, password=password)

    async def last_response(self, count: int) -> dict[str, Any]:
        calls = await self.slack.wait_for("response_url", count=count)
        return calls[count - 1].args


@pytest.fixture
async def bot(bot_env: dict[str, str], local_slack: LocalSlack, sandbox: Any) -> AsyncIterator[RunningBot]:
    """The whole bot over HTTP, against the local Slack and the sandbox."""
    from bot.serving import bind_socket

    sock = bind_socket()
    port = sock.getsockname()[1]
    env = {**bot_env, "PUBLIC_URL": f"http://127.0.0.1:{port}", "PORT": str(port)}
    settings = Settings.from_env(env)
    services = await Services.create(settings)
    app = create_web_app(services, close_services=False)
    async with httpx.AsyncClient(timeout=30) as http, serve_in_loop(app, sock=sock) as server:
        driver = SlackDriver(
            http, server.url, SIGNING_SECRET, local_slack.base_url, team_id=local_slack.team_id
        )
        yield RunningBot(server.url, settings, services, local_slack, driver, http, sandbox)
    await services.aclose()
    assert_valid_block_kit(local_slack)


def assert_valid_block_kit(slack: LocalSlack) -> None:
    """Every payload the bot sent during the test must be one Slack accepts."""
    failures = []
    for call in slack.calls:
        if isinstance(call.args.get("blocks"), list):
            failures += [f"{call.method}: {p}" for p in blockkit.problems(call.args["blocks"])]
        view = call.args.get("view")
        if isinstance(view, dict):
            failures += [f"{call.method}: {p}" for p in blockkit.problems(view.get("blocks"), view=True)]
    assert not failures, failures


def unique(prefix: str = "U") -> str:
    return prefix + uuid.uuid4().hex[:10].upper()
