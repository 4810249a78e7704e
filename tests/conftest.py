"""Shared fixtures: a clean environment, a database (SQLite, or PostgreSQL with
TEST_DATABASE_URL), the local Slack Web API, the AutoShares sandbox, and the bot itself, all
served over real HTTP on loopback ports chosen by the OS.

What is expensive is done once per session (per xdist worker) and reset for every test:
- the sandbox is served once and reset to a fresh start with the test's ``sandbox_config``;
- the local Slack is served once and forgets every call between tests;
- the bot's HTTP server is started once, and each test mounts its own freshly built bot app on
  it (``tests.bothost``), so no test waits for uvicorn to stop;
- the database is migrated once: on SQLite each test gets a copy of the migrated file, on
  PostgreSQL each test gets the worker's migrated database with every table emptied.

With TEST_DATABASE_URL set, only the tests that use a database are run (see
``pytest_collection_modifyitems``): the others do not depend on the database engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import ssl
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from cryptography.fernet import Fernet

from bot.app.serving import serve_in_loop
from bot.app.settings import Settings, async_database_url
from bot.app.web import create_web_app
from bot.app.wiring import Services
from bot.devkit import blockkit
from bot.devkit.driver import SlackDriver, browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack
from sandbox.config import SandboxConfig
from sandbox.server import RunningSandbox, running_sandbox
from storage.db import Database
from tests.bothost import BotHost

# pytest keeps a test module's assertion-rewritten code only where Python may write bytecode:
# with PYTHONDONTWRITEBYTECODE set, every worker parsed and rewrote every test module on every
# run (about 5 s of CPU per worker). `make test` unsets it for that reason; this does the same
# when pytest is run directly, from here on (the test modules are imported after this one).
sys.dont_write_bytecode = False

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
    "SOCKET_MODE_",
    "POLL_",
    "BACKSTOP_",
    "CHART_",
)
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")

#: Which tests may skip (only ``@pytest.mark.postgres_only`` ones, on SQLite); ``.ci/run`` turns
#: any other skip into a failure with ``--no-unexpected-skips``.
pytest_plugins = ["tests.skipgate"]

#: One TLS context for the HTTP clients tests build: httpx loads the CA bundle afresh for every
#: client otherwise (~20 ms each), and tests only speak plain HTTP on loopback anyway.
CLIENT_TLS = ssl.create_default_context()

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test-token-for-local-slack"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never see the developer's or CI's settings."""
    for name in list(os.environ):
        if name.startswith(SETTING_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run only the tests that use a database (storage, race and scenario tests);
    the rest never touch one and already ran on SQLite."""
    if not TEST_DATABASE_URL:
        return
    keep = [item for item in items if "database_url" in getattr(item, "fixturenames", ())]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in keep])
        items[:] = keep


# -- the database ---------------------------------------------------------------------------------
def _postgres_url(url: str, database: str | None = None) -> str:
    """``url`` as asyncpg takes it (no "+driver" in the scheme), naming ``database`` if given."""
    parts = urlsplit(url)
    parts = parts._replace(scheme=parts.scheme.split("+")[0])
    return urlunsplit(parts._replace(path="/" + database) if database else parts)


async def _administer(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(_postgres_url(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _worker_database_name(url: str) -> str:
    """The database this test process creates next to ``url``'s, named after the run and the
    pytest-xdist worker (or the process, without xdist), so that runs from two checkouts, or a
    run with ``-n 0`` beside another, never share tables on one server."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] if worker else f"p{os.getpid()}"
    return f"{urlsplit(url).path.lstrip('/')}_{run}_{worker or 'solo'}"


async def _worker_postgres_database(url: str) -> str:
    """The database this test process owns, with an empty schema: a sibling of
    TEST_DATABASE_URL's named after the run and the worker (created here: the server is a test
    server)."""
    name = _worker_database_name(url)
    await _administer(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    url = _postgres_url(url, name)
    await _administer(url, "DROP SCHEMA IF EXISTS public CASCADE", "CREATE SCHEMA public")
    return url


@pytest.fixture(scope="session")
async def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """Migrated once per session: the URL of the worker's PostgreSQL database, or the path of a
    SQLite file that tests copy."""
    if TEST_DATABASE_URL:
        url = await _worker_postgres_database(TEST_DATABASE_URL)
    else:
        path = tmp_path_factory.mktemp("template") / "migrated.db"
        url = f"sqlite:///{path}"
    database = Database(async_database_url(url))
    await database.upgrade()
    await database.dispose()
    yield url if TEST_DATABASE_URL else str(path)
    if TEST_DATABASE_URL:
        worker_database = _worker_database_name(TEST_DATABASE_URL)
        await _administer(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{worker_database}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def empty_postgres_tables(migrated_database: str) -> AsyncIterator[Callable[[], Awaitable[Any]]]:
    """``await empty()`` removes every row the bot stored and restarts the id sequences (a no-op
    on SQLite, where every test has a new copy)."""
    if not TEST_DATABASE_URL:

        async def nothing_to_do() -> None:
            return None

        yield nothing_to_do
        return
    conn = await asyncpg.connect(_postgres_url(migrated_database))
    # A connection left open by a test must make the next one fail, not hang.
    await conn.execute("SET lock_timeout = '10s'")
    tables = await conn.fetch(
        "SELECT quote_ident(tablename) AS name FROM pg_tables "
        "WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    statement = f"TRUNCATE {', '.join(row['name'] for row in tables)} RESTART IDENTITY CASCADE"
    yield lambda: conn.execute(statement)
    await conn.close()


@pytest.fixture
async def database_url(
    migrated_database: str, empty_postgres_tables: Callable[[], Awaitable[Any]], tmp_path: Path
) -> str:
    """A migrated database holding nothing yet: the worker's PostgreSQL database emptied when
    TEST_DATABASE_URL is set, else a copy of the session's migrated SQLite file."""
    if TEST_DATABASE_URL:
        await empty_postgres_tables()
        return migrated_database
    target = tmp_path / "bot.db"
    shutil.copyfile(migrated_database, target)
    return f"sqlite:///{target}"


@pytest.fixture
async def empty_database_url(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no table at all, not even ``alembic_version``, on the engine the run
    uses: a new PostgreSQL database beside ``database_url``'s (dropped afterwards) when
    TEST_DATABASE_URL is set, else a SQLite file not created yet."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"{urlsplit(database_url).path.lstrip('/')}_empty_{uuid.uuid4().hex[:8]}"
    await _administer(database_url, f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(database_url, name)
    finally:
        await _administer(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """The bot's database, migrated, for repository tests."""
    database = Database(async_database_url(database_url))
    yield database
    await database.dispose()


@pytest.fixture
def encryption_key() -> str:
    return Fernet.generate_key().decode()


# -- the sandbox and the local Slack --------------------------------------------------------------
@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """The sandbox as tests want it: frozen prices, no rate limits unless a test turns them on."""
    return SandboxConfig(tick_seconds=0, rate_limits=False, webhook_retry_scale=0.001)


@pytest.fixture(scope="session")
async def session_sandbox() -> AsyncIterator[RunningSandbox]:
    """The sandbox served for the whole session; tests get it reset (fixture ``sandbox``)."""
    config = SandboxConfig(tick_seconds=0, rate_limits=False, webhook_retry_scale=0.001)
    async with running_sandbox(config, host="127.0.0.1", port=0) as sb:
        yield sb


@pytest.fixture
async def sandbox(session_sandbox: RunningSandbox, sandbox_config: SandboxConfig) -> RunningSandbox:
    """The sandbox as a fresh start with ``sandbox_config`` gives it (same URL all session)."""
    await session_sandbox.sandbox.reset(sandbox_config)
    return session_sandbox


@pytest.fixture(scope="session")
async def session_slack() -> AsyncIterator[LocalSlack]:
    slack = LocalSlack()
    async with serve_in_loop(slack.app()) as server:
        slack.base_url = server.url
        yield slack


@pytest.fixture
def local_slack(session_slack: LocalSlack) -> LocalSlack:
    """The local Slack Web API, with no call recorded yet."""
    session_slack.reset()
    return session_slack


@pytest.fixture(scope="session")
async def bot_host() -> AsyncIterator[BotHost]:
    """The HTTP server every test's bot is served on (see ``tests.bothost``)."""
    host = BotHost()
    async with serve_in_loop(host) as server:
        host.url = server.url
        yield host


@pytest.fixture
def bot_env(
    database_url: str,
    encryption_key: str,
    local_slack: LocalSlack,
    sandbox: RunningSandbox,
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
        # The sandbox is reached by URL like a real AutoShares, which would make it live.
        "AUTOSHARES_ENVIRONMENT": "paper",
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": encryption_key,
        "AUTOSHARES_TIMEOUT_SECONDS": "10",
        # A message this bot queues wakes its delivery at once; the poll finds retries and what
        # another process queued.
        "OUTBOX_POLL_SECONDS": "0.1",
        "OUTBOX_RETRY_SECONDS": "0.01",
        # Slack's pace of a post a second per channel, shortened: tests post several in a row.
        "CHANNEL_PACE_SECONDS": "0.05",
        # Answers come long before this in tests, so the first message at a response_url is the
        # answer; the tests of the working state set it to 0.
        "WORKING_MESSAGE_SECONDS": "60",
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
    app: Any = None  # the Starlette app (``app.state``: bolt, socket_mode)

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

        def sign_in_buttons() -> list[dict[str, Any]]:  # ("working on it" may come first)
            calls = self.slack.by_method("response_url")[before:]
            return [b for c in calls for b in buttons(c.args.get("blocks") or []) if b.get("url")]

        await self.slack.wait_until(sign_in_buttons)
        return await browser_sign_in(
            self.http, sign_in_buttons()[0]["url"], username=login, password=password
        )

    async def last_response(self, count: int) -> dict[str, Any]:
        calls = await self.slack.wait_for("response_url", count=count)
        return calls[count - 1].args


@contextlib.asynccontextmanager
async def running_bot(
    env: dict[str, str], local_slack: LocalSlack, sandbox: RunningSandbox, bot_host: BotHost
) -> AsyncIterator[RunningBot]:
    """One bot configured from ``env``, mounted on the worker's bot server until the block ends
    (a test may start several in turn on one database, as a restart with other settings)."""
    port = urlsplit(bot_host.url).port
    env = {**env, "PUBLIC_URL": bot_host.url.rstrip("/"), "PORT": str(port)}
    settings = Settings.from_env(env)
    services = await Services.create(settings, migrate=False)  # the database is a migrated one
    app = create_web_app(services, close_services=False)
    try:
        async with httpx.AsyncClient(timeout=30, verify=CLIENT_TLS) as http, bot_host.mounted(app):
            driver = SlackDriver(
                http, bot_host.url, SIGNING_SECRET, local_slack.base_url, team_id=local_slack.team_id
            )
            yield RunningBot(bot_host.url, settings, services, local_slack, driver, http, sandbox, app)
            sandbox.sandbox.faults.hold(False)  # a test that failed while holding must not hang here
    finally:
        await services.aclose()


@pytest.fixture
async def bot(
    bot_env: dict[str, str], local_slack: LocalSlack, sandbox: RunningSandbox, bot_host: BotHost
) -> AsyncIterator[RunningBot]:
    """The whole bot over HTTP, against the local Slack and the sandbox."""
    async with running_bot(bot_env, local_slack, sandbox, bot_host) as running:
        yield running
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
        unfurls = call.args.get("unfurls")
        if isinstance(unfurls, dict):  # chat.unfurl: URL -> {"blocks": [...]}
            for url, unfurl in unfurls.items():
                failures += [f"{call.method} {url}: {p}" for p in blockkit.problems(unfurl.get("blocks"))]
    assert not failures, failures


@contextlib.asynccontextmanager
async def held_by_another_writer(database_url: str) -> AsyncIterator[None]:
    """Another writer holds the database until the block ends, as a long write would: on SQLite
    a write transaction on the same file from another connection, on PostgreSQL an exclusive
    lock on ``slack_requests`` (the table written before every Slack ack)."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None, check_same_thread=False)
        # Taken off the event loop: a write the bot has begun (its statement sent, its commit
        # still to come from the loop) must be able to finish before the lock is ours.
        await asyncio.to_thread(holder.execute, "BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    connection = await asyncpg.connect(_postgres_url(database_url))
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute("LOCK TABLE slack_requests IN ACCESS EXCLUSIVE MODE")
    try:
        yield
    finally:
        await transaction.rollback()
        await connection.close()


def unique(prefix: str = "U") -> str:
    return prefix + uuid.uuid4().hex[:10].upper()
