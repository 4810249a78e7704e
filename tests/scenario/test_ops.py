"""Running it for real: logs (context on every line, never a secret), /metrics, /readyz, and a
shutdown that finishes the work Slack was already told about."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from bot.app.logs import configure_logging
from bot.app.serving import bind_socket, serve_in_loop
from bot.app.settings import Settings
from bot.app.web import create_web_app
from bot.app.wiring import Services
from bot.devkit.driver import SlackDriver, browser_sign_in, buttons
from bot.devkit.localslack import LocalSlack
from storage.models import LinkedUser
from tests.conftest import BOT_TOKEN, CLIENT_TLS, SIGNING_SECRET, RunningBot
from tests.scenario.steps import hold_autoshares, release_autoshares, until_autoshares_holds

ALICE = "U0ALICE"
CHATTY_LOGGERS = (
    "httpx",
    "httpcore",
    "slack_bolt",
    "slack_sdk",
    "bot",
    "handlers",
    "storage",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "aiohttp",
)


async def command(
    bot: RunningBot, text: str, *, slash: str = "/autoshares", timeout: float = 10.0, user: str = ALICE
) -> dict[str, Any]:
    before = len(bot.slack.by_method("response_url"))
    response = await bot.driver.command(slash, text, user=user)
    assert response.status_code == 200
    calls = await bot.slack.wait_for("response_url", count=before + 1, timeout=timeout)
    return calls[before].args


async def link_alice(bot: RunningBot) -> str:
    """Link through the browser flow; returns the authorization code the callback received."""
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/autoshares", "link", user=ALICE)
    reply = (await bot.slack.wait_for("response_url", count=before + 1))[before].args
    url = next(b["url"] for b in buttons(reply["blocks"]) if b.get("url"))
    bot.slack.sign_in_as(ALICE)
    page = await browser_sign_in(bot.http, url, username="alice", password="sandbox")
    assert page.status_code == 200, page.text
    return parse_qs(urlsplit(str(page.url)).query)["code"][0]


def expire_tokens() -> Any:
    return update(LinkedUser).values(token_expires_at=datetime.now(UTC) - timedelta(minutes=1))


@pytest.fixture
def captured_logs(bot: RunningBot) -> Iterator[io.StringIO]:
    """The production log set-up (JSON lines, context filter, redaction) at DEBUG, every library
    included, into a buffer; the test's own logging is restored afterwards."""
    root = logging.getLogger()
    level, levels = (
        root.level,
        {n: logging.getLogger(n).level for n in (*CHATTY_LOGGERS, "sqlalchemy.engine")},
    )
    stream = io.StringIO()
    configure_logging(bot.settings.replace(log_level="DEBUG", log_format="json"), stream)
    ours = root.handlers[:]
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # SQL with its parameters
    try:
        yield stream
    finally:
        for handler in ours:
            root.removeHandler(handler)
        root.setLevel(level)
        for name, saved in levels.items():
            logging.getLogger(name).setLevel(saved)


async def test_logs_carry_request_context_and_never_a_secret(
    bot: RunningBot, captured_logs: io.StringIO, bot_env: dict[str, str]
) -> None:
    code = await link_alice(bot)
    first = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert first is not None and first.refresh_token
    await command(bot, "status")
    await command(bot, "help")
    agreements = await command(bot, "agreements")
    await command(bot, "definitely-not-a-command")
    async with bot.services.db.sessions.begin() as session:
        await session.execute(expire_tokens())
    await command(bot, "agreements")  # refreshes the access token first
    second = await bot.services.links.get(bot.slack.team_id, ALICE)
    assert second is not None and second.access_token != first.access_token
    sign = next(b for b in buttons(agreements["blocks"]) if b.get("action_id"))
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.click(sign, user=ALICE)
    await bot.slack.wait_for("response_url", count=before + 1)
    await command(bot, "unlink")
    await bot.services.drain()

    logged = captured_logs.getvalue()
    lines = [json.loads(line) for line in logged.splitlines()]
    assert len(lines) > 50  # DEBUG really was on

    secrets = {
        "authorization code": code,
        "first access token": first.access_token,
        "first refresh token": first.refresh_token,
        "second access token": second.access_token,
        "second refresh token": second.refresh_token or "",
        "signing secret": SIGNING_SECRET,
        "client secret": bot.settings.auth0_client_secret or "",
        "bot token": BOT_TOKEN,
        "encryption key": bot_env["TOKEN_ENCRYPTION_KEY"],
    }
    leaked = [name for name, value in secrets.items() if value and value in logged]
    assert leaked == []

    # Every line logged while handling a Slack request names it; lazy work included.
    agreements_lines = [entry for entry in lines if entry.get("command") == "/autoshares agreements"]
    assert agreements_lines
    assert all(entry["team"] == bot.slack.team_id and entry["user"] == ALICE for entry in agreements_lines)
    lazy = [e for e in agreements_lines if e["logger"] == "httpx" and "/agreements" in e["msg"]]
    assert lazy, "the AutoShares calls made by the lazy listener carry the request's context"
    ids = {e["request_id"] for e in agreements_lines}
    assert len(ids) == 2  # two /autoshares agreements requests, two ids
    clicks = [e for e in lines if str(e.get("command", "")).startswith("action ")]
    assert clicks and all(e["user"] == ALICE for e in clicks)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


async def test_metrics_move_with_a_scenario(bot: RunningBot) -> None:
    start = samples((await bot.http.get(bot.url + "metrics")).text)
    assert value(start, "autoshares_commands_total", command="status", outcome="ok") == 0

    await link_alice(bot)
    await command(bot, "status")
    await command(bot, "status")
    await command(bot, "nonsense")
    agreements = await command(bot, "agreements")
    async with bot.services.db.sessions.begin() as session:
        await session.execute(expire_tokens())
    await command(bot, "agreements")
    sign = next(b for b in buttons(agreements["blocks"]) if b.get("action_id"))
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.click(sign, user=ALICE)
    await bot.slack.wait_for("response_url", count=before + 1)
    await bot.services.drain()

    response = await bot.http.get(bot.url + "metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    scraped = samples(response.text)
    assert value(scraped, "autoshares_commands_total", command="status", outcome="ok") == 2
    assert value(scraped, "autoshares_commands_total", command="link", outcome="ok") == 1
    assert value(scraped, "autoshares_commands_total", command="agreements", outcome="ok") == 2
    assert value(scraped, "autoshares_commands_total", command="unknown", outcome="invalid") == 1
    assert value(scraped, "autoshares_slack_ack_seconds_count", kind="command") == 6
    assert value(scraped, "autoshares_slack_ack_seconds_count", kind="action") == 1
    assert (
        value(scraped, "autoshares_actions_total", kind="action", action=sign["action_id"], outcome="acked")
        == 1
    )
    assert value(scraped, "autoshares_api_call_seconds_count", endpoint="GET /users/@me/info") >= 1
    assert value(scraped, "autoshares_api_call_seconds_count", endpoint="GET /users/{userId}/agreements") >= 2
    assert value(scraped, "autoshares_token_refreshes_total") == 1
    # counters other features move exist from the start, at zero until they do
    for name in ("autoshares_orders_placed_total", "autoshares_alerts_fired_total"):
        assert (name, frozenset()) in scraped


async def test_autoshares_errors_are_counted_by_endpoint(bot: RunningBot) -> None:
    await link_alice(bot)
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    reply = await command(bot, "agreements", timeout=20)
    assert "AutoShares" in reply["text"]
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 0.0})
    metrics = bot.services.metrics
    errors = metrics.value(
        "autoshares_api_errors_total", endpoint="GET /users/{userId}/agreements", status="500"
    )
    assert errors == 3  # a GET is tried three times before the user hears about it


async def test_readyz_names_what_is_down(bot: RunningBot) -> None:
    ready = await bot.http.get(bot.url + "readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}

    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    down = await bot.http.get(bot.url + "readyz")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 0.0})
    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable"
    assert set(body["down"]) == {"autoshares_api"}
    assert body["down"]["autoshares_api"].endswith("v1.0/ answered 500")
    assert (await bot.http.get(bot.url + "healthz")).status_code == 200  # alive all the same


async def test_readyz_when_the_identity_provider_is_unreachable(bot_env: dict[str, str]) -> None:
    env = {**bot_env, "AUTH0_DOMAIN": "http://127.0.0.1:1/"}
    services = await Services.create(Settings.from_env(env))
    app = create_web_app(services)
    async with httpx.AsyncClient(verify=CLIENT_TLS) as http, serve_in_loop(app) as server:
        down = await http.get(server.url + "readyz")
    assert down.status_code == 503
    problem = down.json()["down"]["identity_provider"]
    assert problem.startswith("Cannot read the OIDC discovery document at http://127.0.0.1:1/")


async def test_shutdown_finishes_in_flight_commands(
    bot_env: dict[str, str], local_slack: LocalSlack, sandbox: Any
) -> None:
    sock = bind_socket()
    port = sock.getsockname()[1]
    settings = Settings.from_env({**bot_env, "PUBLIC_URL": f"http://127.0.0.1:{port}", "PORT": str(port)})
    services = await Services.create(settings)
    app = create_web_app(services, close_services=False)
    try:
        async with httpx.AsyncClient(timeout=30, verify=CLIENT_TLS) as http:
            async with serve_in_loop(app, sock=sock) as server:
                driver = SlackDriver(http, server.url, SIGNING_SECRET, local_slack.base_url, team_id="T0DEMO")
                bot = RunningBot(server.url, settings, services, local_slack, driver, http, sandbox)
                await link_alice(bot)
                await hold_autoshares(bot)
                before = len(local_slack.by_method("response_url"))
                ack = await driver.command("/autoshares", "agreements", user=ALICE)
                assert ack.status_code == 200
                await until_autoshares_holds(bot)
                assert len(local_slack.by_method("response_url")) == before  # still working
                # Leaving the block stops the server: no new requests, in-flight work finishes.
                # AutoShares answers the work in flight only once the stop has begun.
                answer_later = asyncio.create_task(release_when_stopping(bot, server.server))
            await answer_later
            answered = local_slack.by_method("response_url")
            assert len(answered) == before + 1
            assert "agreement" in answered[-1].args["text"].lower()
    finally:
        await services.aclose()


async def release_when_stopping(bot: RunningBot, server: uvicorn.Server) -> None:
    """Let AutoShares answer once the bot's server has been asked to stop."""
    async with asyncio.timeout(10):
        while not server.should_exit:  # noqa: ASYNC110 - uvicorn offers no event for this
            await asyncio.sleep(0.001)
    await release_autoshares(bot)


async def sign_in_recording(url: str, *, login: str) -> list[str]:
    """Follow a sign-in link like a browser and return every URL it requested, so the test
    knows each ``state`` and ``code`` that travelled through them."""
    visited: list[str] = []

    async def record(request: httpx.Request) -> None:
        visited.append(str(request.url))

    async with httpx.AsyncClient(timeout=30, event_hooks={"request": [record]}, verify=CLIENT_TLS) as browser:
        page = await browser_sign_in(browser, url, username=login, password="sandbox")
    assert page.status_code == 200, page.text
    return visited


async def test_debug_logs_never_show_a_sign_in_state_a_code_or_a_response_url(
    bot: RunningBot, captured_logs: io.StringIO
) -> None:
    """A link and an order at DEBUG, every library logging (access logs included): the values
    that let someone finish a sign-in or post into a user's conversation are masked."""
    bob = "U0BOB"
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.command("/autoshares", "link", user=bob)
    reply = (await bot.slack.wait_for("response_url", count=before + 1))[before].args
    bot.slack.sign_in_as(bob)
    url = next(b["url"] for b in buttons(reply["blocks"]) if b.get("url"))
    visited = await sign_in_recording(url, login="bob")
    params = [parse_qs(urlsplit(u).query) for u in visited]
    states = {v for p in params for v in p.get("state", [])}
    codes = {v for p in params for v in p.get("code", [])}
    assert states and len(codes) == 2  # Sign in with Slack's code and AutoShares' code

    preview = await command(bot, "buy 1 AAPL", slash="/order", user=bob)
    confirm = next(b for b in buttons(preview["blocks"]) if b.get("action_id") == "order_confirm")
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.click(confirm, user=bob)
    placed = (await bot.slack.wait_for("response_url", count=before + 1))[before].args
    assert "filled" in placed["text"]
    await bot.services.drain()

    response_paths = {call.path for call in bot.slack.by_method("response_url")}
    assert len(response_paths) >= 3
    logged = captured_logs.getvalue()
    assert len(logged.splitlines()) > 50  # DEBUG really was on
    assert "/slack/events" in logged and "/autoshares/callback" in logged  # access logs included
    leaked = sorted(
        [f"state {s[:6]}…" for s in states if s in logged]
        + [f"code {c[:6]}…" for c in codes if c in logged]
        + [f"response_url {p}" for p in response_paths if p in logged]
    )
    assert leaked == []


async def test_debug_logs_never_show_a_chart_url_signature(
    bot: RunningBot, captured_logs: io.StringIO
) -> None:
    """A private chart asked for, fetched as Slack fetches it, and shared, at DEBUG with every
    library logging (access logs included): its URL's signature, which opens someone's private
    chart, is masked wherever the URL is logged."""
    await bot.link(ALICE, "alice")
    reply = await command(bot, "MSFT chart 1y", slash="/quote")
    [url] = [b["image_url"] for b in reply["blocks"] if b.get("type") == "image"]
    assert (await bot.http.get(url)).status_code == 200
    share = next(b for b in buttons(reply["blocks"]) if b.get("action_id") == "quote_share")
    before = len(bot.slack.by_method("response_url"))
    await bot.driver.click(share, user=ALICE)
    await bot.slack.wait_for("response_url", count=before + 1)
    await bot.services.drain()

    signature = parse_qs(urlsplit(url).query)["sig"][0]
    logged = captured_logs.getvalue()
    assert "/charts/" in logged and "sig=[redacted]" in logged  # the URL was logged, masked
    assert signature not in logged
