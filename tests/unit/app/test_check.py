"""`autoshares-bot check` against good and broken configurations: the words an operator reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.app.check import Finding, check_slack, main, report, run_checks
from bot.app.database_probe import database_problem
from bot.app.serving import serve_in_loop
from bot.app.settings import Settings, async_database_url, generate_encryption_key
from storage.db import create_engine

CLOSED_PORT_URL = "http://127.0.0.1:1/"


def problems(findings: list[Finding]) -> list[str]:
    return [f.message for f in findings if f.is_problem]


@pytest.fixture
def env(bot_env: dict[str, str]) -> dict[str, str]:
    """A complete, working configuration: sandbox, local Slack and a migrated database."""
    return {**bot_env, "PUBLIC_URL": "http://127.0.0.1:3000"}


async def test_a_working_configuration_checks_out(env: dict[str, str]) -> None:
    findings = await run_checks(env)
    assert problems(findings) == []
    areas = {f.area for f in findings if f.level == "ok"}
    assert {"settings", "database", "slack", "issuer", "autoshares"} <= areas
    text_report = report(findings)
    assert text_report.endswith("Everything checks out.")
    assert "accepts AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET" in text_report
    assert "autoshares/callback" in text_report  # the URL to give AutoShares' admins
    assert "Sign in with Slack is ready; add http://127.0.0.1:3000/slack/identity" in text_report


async def test_sign_in_with_slack_needs_the_client_credentials(env: dict[str, str]) -> None:
    env.pop("SLACK_CLIENT_SECRET")
    found = problems(await run_checks(env))
    assert any(
        "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set, so nobody can link AutoShares" in p
        for p in found
    )


def test_missing_secret_is_named_and_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_API_URL": CLOSED_PORT_URL + "api/",
        "TOKEN_ENCRYPTION_KEY": "",
        "DATABASE_URL": "mysql://db/bot",
    }
    assert main(env) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        "problem  settings: SLACK_SIGNING_SECRET is missing (Slack app > Basic Information > Signing Secret)"
        in out
    )
    assert any(
        "TOKEN_ENCRYPTION_KEY is missing; make one with `autoshares-bot keygen`" in line for line in out
    )
    # every bad setting is reported in the same run, one line each
    assert any("DATABASE_URL must use sqlite or postgresql" in line for line in out)
    # the probes whose settings are fine still run
    assert any(line.startswith("problem  slack: Cannot reach Slack's Web API") for line in out)
    assert any(
        "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set, so nobody can link" in line for line in out
    )
    assert out[-1] == "5 problems found."


async def test_missing_client_secret_with_a_real_issuer(env: dict[str, str]) -> None:
    env.pop("AUTH0_CLIENT_SECRET")
    findings = await run_checks(env)
    assert "AUTH0_CLIENT_SECRET is missing (needed with AUTH0_DOMAIN)" in problems(findings)
    # the AutoShares probes are skipped (their settings are broken) but the rest still run
    assert not any(f.area == "issuer" for f in findings)
    assert any(f.area == "database" and f.level == "ok" for f in findings)


async def test_unreachable_database_is_reported_without_its_password(env: dict[str, str]) -> None:
    env["DATABASE_URL"] = "postgresql://bot:hunter2@127.0.0.1:1/bot"
    findings = await run_checks(env)
    [message] = problems(findings)
    assert message.startswith("Cannot connect to the database postgresql://bot:***@127.0.0.1:1/bot")
    assert "hunter2" not in report(findings)


async def test_sqlite_file_missing_or_behind_on_migrations(env: dict[str, str], tmp_path: Path) -> None:
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'absent.db'}"
    [message] = problems(await run_checks(env))
    assert "does not exist yet: run `autoshares-bot db upgrade`" in message

    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'no-such-folder' / 'bot.db'}"
    [message] = problems(await run_checks(env))
    assert "no-such-folder for the SQLite database does not exist" in message

    stale = tmp_path / "stale.db"
    engine = create_engine(async_database_url(f"sqlite:///{stale}"))
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        await conn.execute(text("INSERT INTO alembic_version VALUES ('0000old')"))
    await engine.dispose()
    env["DATABASE_URL"] = f"sqlite:///{stale}"
    [message] = problems(await run_checks(env))
    assert message.startswith("The database is at migration 0000old but this version needs ")
    assert message.endswith("run `autoshares-bot db upgrade`")


async def test_readiness_probe_names_an_unreachable_database() -> None:
    engine = create_engine("postgresql+asyncpg://bot@127.0.0.1:1/bot")
    try:
        found = await database_problem(engine)
    finally:
        await engine.dispose()
    assert found is not None and found.startswith("cannot connect to the database postgresql")


async def test_wrong_issuer(env: dict[str, str], sandbox: Any) -> None:
    # Same server, but configured under another name: the discovery document disagrees.
    env["AUTH0_DOMAIN"] = f"http://localhost:{sandbox.port}/"
    [message] = problems(await run_checks(env))
    assert "names issuer" in message and f"not 'http://localhost:{sandbox.port}/'" in message
    assert "(check AUTH0_DOMAIN)" in message

    env["AUTH0_DOMAIN"] = f"{sandbox.url}tenant/"
    [message] = problems(await run_checks(env))
    assert message.startswith("Cannot read the OIDC discovery document at ")
    assert "(check AUTH0_DOMAIN)" in message


async def test_wrong_client_secret(env: dict[str, str]) -> None:
    env["AUTH0_CLIENT_SECRET"] = "not-the-secret"
    [message] = problems(await run_checks(env))
    assert message == (
        "The identity provider rejected AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET (invalid_client): "
        "copy them again from the application AutoShares issued"
    )


async def test_check_says_which_token_mode_is_in_force(env: dict[str, str]) -> None:
    default = report(await run_checks(env))
    assert "AUTOSHARES_TOKEN_MODE is access-token: the access token of the sign-in's code exchange" in default
    env["AUTOSHARES_TOKEN_MODE"] = "exchange"
    findings = await run_checks(env)
    assert problems(findings) == []
    exchange = report(findings)
    assert (
        f"AUTOSHARES_TOKEN_MODE is exchange: the sign-in's authorization code is exchanged at {env['AUTOSHARES_API_URL']}token"
        in exchange
    )
    assert "trusted for 60 minutes" in exchange and "users are asked to link again when it ends" in exchange
    assert (
        f"POST /token ({env['AUTOSHARES_API_URL']}token) answers and accepts AUTOSHARES_APP_KEY" in exchange
    )


async def test_exchange_mode_checks_the_app_key_at_token(env: dict[str, str]) -> None:
    env["AUTOSHARES_TOKEN_MODE"] = "exchange"
    env["AUTOSHARES_APP_KEY"] = "not-the-key"
    [message] = problems(await run_checks(env))
    assert message == (
        f"The trading API's POST /token ({env['AUTOSHARES_API_URL']}token) refused AUTOSHARES_APP_KEY: "
        "copy it again from AutoShares"
    )


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        (
            "AUTOSHARES_TOKEN_MODE",
            "oidc",
            "AUTOSHARES_TOKEN_MODE must be access-token or exchange, got 'oidc'",
        ),
        ("AUTOSHARES_TRADING_TOKEN_SECONDS", "60", "AUTOSHARES_TRADING_TOKEN_SECONDS must be at least 300"),
    ],
)
async def test_token_mode_settings_are_validated(
    env: dict[str, str], name: str, value: str, fragment: str
) -> None:
    env[name] = value
    [message] = problems(await run_checks(env))
    assert fragment in message


async def test_autoshares_api_unreachable(env: dict[str, str]) -> None:
    env["AUTOSHARES_API_URL"] = CLOSED_PORT_URL
    [message] = problems(await run_checks(env))
    assert message == "Cannot reach the AutoShares API at http://127.0.0.1:1/v1.0/ (ConnectError)"


async def test_slack_unreachable(env: dict[str, str]) -> None:
    env["SLACK_API_URL"] = CLOSED_PORT_URL + "api/"
    web_api, identity = problems(await run_checks(env))
    assert web_api.startswith("Cannot reach Slack's Web API at http://127.0.0.1:1/api/")
    assert identity.startswith(
        "Sign in with Slack: Cannot read the OIDC discovery document at "
        "http://127.0.0.1:1/.well-known/openid-configuration (check SLACK_API_URL)"
    )


@pytest.fixture
async def rejecting_slack() -> AsyncIterator[str]:
    """A Web API that refuses every token the way Slack does."""

    async def refuse(_request: Request) -> JSONResponse:
        return JSONResponse({"ok": False, "error": "invalid_auth"})

    async with serve_in_loop(Starlette(routes=[Route("/api/{method}", refuse, methods=["POST"])])) as server:
        yield server.url + "api/"


async def test_slack_rejects_the_tokens(env: dict[str, str], rejecting_slack: str) -> None:
    env["SLACK_API_URL"] = rejecting_slack
    env["SLACK_APP_TOKEN"] = "xapp-1-A1-revoked"
    found = problems(await run_checks(env))
    assert found == [
        "Slack rejected SLACK_BOT_TOKEN (invalid_auth): copy the Bot User OAuth Token again from "
        "OAuth & Permissions in your Slack app",
        "Slack rejected SLACK_APP_TOKEN (invalid_auth): create an app-level token with "
        "connections:write under Basic Information > App-Level Tokens",
        f"Sign in with Slack: Cannot read the OIDC discovery document at "
        f"{rejecting_slack.removesuffix('api/')}.well-known/openid-configuration (check SLACK_API_URL): HTTPStatusError",
    ]


async def test_loopback_public_url_with_real_slack_needs_socket_mode() -> None:
    # Multi-workspace, so no token is sent anywhere; the real Slack cannot reach 127.0.0.1.
    settings = Settings.from_env(
        {
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_CLIENT_ID": "1.2",
            "SLACK_CLIENT_SECRET": "c",
            "TOKEN_ENCRYPTION_KEY": generate_encryption_key(),
        }
    )
    found = [f.message for f in await check_slack(settings) if f.is_problem]
    assert found == [
        "PUBLIC_URL is http://127.0.0.1:3000/, which Slack cannot reach: set a public https PUBLIC_URL, "
        "or SLACK_APP_TOKEN to use Socket Mode"
    ]


async def test_check_says_whether_trading_is_paper_or_live(env: dict[str, str]) -> None:
    """The tests' AutoShares is the sandbox reached by URL: paper because ``env`` says so, live
    when left to choose."""
    paper = await run_checks(env)
    assert problems(paper) == []
    assert "note     autoshares: Trading is paper (AUTOSHARES_ENVIRONMENT)" in report(paper)
    del env["AUTOSHARES_ENVIRONMENT"]
    live = await run_checks(env)
    assert problems(live) == []
    assert (
        "note     autoshares: Trading is live (AUTOSHARES_ENVIRONMENT): order messages, alert posts and "
        "App Home say Live trading, real money; set AUTOSHARES_ENVIRONMENT=paper if this AutoShares is a "
        "paper account"
    ) in report(live)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("papr", "AUTOSHARES_ENVIRONMENT must be paper or live (or empty: paper with the embedded sandbox"),
        ("live", "AUTOSHARES_ENVIRONMENT is live, but AUTH0_DOMAIN and AUTOSHARES_API_URL are not set"),
    ],
)
async def test_environment_refused_with_the_embedded_sandbox(
    env: dict[str, str], value: str, fragment: str
) -> None:
    for name in (
        "AUTH0_DOMAIN",
        "AUTOSHARES_API_URL",
        "AUTH0_CLIENT_ID",
        "AUTH0_CLIENT_SECRET",
        "AUTOSHARES_APP_KEY",
    ):
        env.pop(name)
    env["AUTOSHARES_ENVIRONMENT"] = value
    findings = await run_checks(env)
    [message] = problems(findings)
    assert message.startswith(fragment)
    assert any(f.area == "database" and f.level == "ok" for f in findings)  # the rest still runs


async def test_live_beside_a_broken_autoshares_is_not_taken_for_the_sandbox(env: dict[str, str]) -> None:
    """AUTOSHARES_ENVIRONMENT is judged beside the AutoShares the environment names, even when
    that one is incomplete: only the real problem is reported, and the other probes still run."""
    env.pop("AUTH0_CLIENT_SECRET")
    env["AUTOSHARES_ENVIRONMENT"] = "live"
    findings = await run_checks(env)
    assert problems(findings) == ["AUTH0_CLIENT_SECRET is missing (needed with AUTH0_DOMAIN)"]
    assert any(f.area == "database" and f.level == "ok" for f in findings)
    env["AUTOSHARES_ENVIRONMENT"] = "lvie"
    assert problems(await run_checks(env)) == [
        "AUTH0_CLIENT_SECRET is missing (needed with AUTH0_DOMAIN)",
        "AUTOSHARES_ENVIRONMENT must be paper or live (or empty: paper with the embedded sandbox, live "
        "otherwise), got 'lvie'",
    ]


async def test_check_notes_a_quote_domain_the_manifest_does_not_list(env: dict[str, str]) -> None:
    assert "AUTOSHARES_QUOTE_DOMAIN" not in report(await run_checks(env))  # the default is listed
    env["AUTOSHARES_QUOTE_DOMAIN"] = "quotes.acme.example"
    findings = await run_checks(env)
    assert problems(findings) == []
    [found] = [f for f in findings if "AUTOSHARES_QUOTE_DOMAIN" in f.message]
    assert found.level == "note" and found.area == "slack"
    assert found.message.startswith(
        "AUTOSHARES_QUOTE_DOMAIN is quotes.acme.example, but the packaged manifest lists autoshares.com"
    )
    assert "`autoshares-bot manifest`" in found.message
    env["AUTOSHARES_QUOTE_DOMAIN"] = "https://quotes.acme.example/"
    [message] = problems(await run_checks(env))
    assert message.startswith("AUTOSHARES_QUOTE_DOMAIN must be a bare domain such as autoshares.com")
