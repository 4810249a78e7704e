from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.app.settings import Settings, SettingsError, async_database_url, issuer_from_domain
from bot.core.errors import ConfigError
from bot.core.views import TradingEnvironment

KEY = Fernet.generate_key().decode()
BASE = {
    "SLACK_SIGNING_SECRET": "s3cret-signing",
    "SLACK_BOT_TOKEN": "xoxb-1-2-abc",
    "TOKEN_ENCRYPTION_KEY": KEY,
}


def test_defaults_use_embedded_sandbox_and_sqlite() -> None:
    settings = Settings.from_env(BASE)
    assert settings.uses_embedded_sandbox
    assert settings.port == 3000
    assert settings.async_database_url.startswith("sqlite+aiosqlite:///")
    assert not settings.multi_workspace
    assert settings.autoshares_callback_url == "http://127.0.0.1:3000/autoshares/callback"


def test_secrets_are_masked_in_repr() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "AUTH0_DOMAIN": "t.auth0.com",
            "AUTOSHARES_API_URL": "https://api.autoshares.dev",
            "AUTH0_CLIENT_ID": "cid",
            "AUTH0_CLIENT_SECRET": "very-secret-value",
            "AUTOSHARES_APP_KEY": "appkey-123",
        }
    )
    shown = repr(settings)
    for secret in ("s3cret-signing", "xoxb-1-2-abc", KEY, "very-secret-value", "appkey-123"):
        assert secret not in shown
    assert "t.auth0.com" in shown


@pytest.mark.parametrize(
    ("value", "issuer"),
    [
        ("tenant.auth0.com", "https://tenant.auth0.com/"),
        ("https://login.autoshares.com/realms/x", "https://login.autoshares.com/realms/x/"),
        ("http://127.0.0.1:8900/", "http://127.0.0.1:8900/"),
        ("http://localhost:8900", "http://localhost:8900/"),
    ],
)
def test_issuer_from_domain(value: str, issuer: str) -> None:
    assert issuer_from_domain(value) == issuer


@pytest.mark.parametrize("value", ["http://tenant.auth0.com", "ftp://x", "not a domain", "a/b"])
def test_issuer_rejects_plain_http_and_junk(value: str) -> None:
    with pytest.raises(ConfigError, match="AUTH0_DOMAIN"):
        issuer_from_domain(value)


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"TOKEN_ENCRYPTION_KEY": ""}, "TOKEN_ENCRYPTION_KEY"),
        ({"TOKEN_ENCRYPTION_KEY": "short"}, "TOKEN_ENCRYPTION_KEY"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"PUBLIC_URL": "http://bot.example.com"}, "PUBLIC_URL"),
        ({"AUTH0_DOMAIN": "t.auth0.com"}, "AUTOSHARES_API_URL"),
        (
            {"AUTH0_DOMAIN": "t.auth0.com", "AUTOSHARES_API_URL": "https://api.autoshares.dev"},
            "AUTH0_CLIENT_ID",
        ),
        ({"SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"ORDER_CONFIRM_SECONDS": "-1"}, "ORDER_CONFIRM_SECONDS"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"MAX_BODY_BYTES": "1MB"}, "MAX_BODY_BYTES"),
        ({"MAX_BODY_BYTES": "1e6"}, "MAX_BODY_BYTES"),
        ({"MAX_BODY_BYTES": "-1"}, "MAX_BODY_BYTES"),
        ({"MAX_BODY_BYTES": "0"}, "MAX_BODY_BYTES"),
        ({"MAX_BODY_BYTES": "1023"}, "MAX_BODY_BYTES"),
        ({"MAX_BODY_BYTES": str(100 * 1024 * 1024 + 1)}, "MAX_BODY_BYTES"),
        ({"BACKSTOP_POLL_SECONDS": "0"}, "BACKSTOP_POLL_SECONDS"),
        ({"BACKSTOP_POLL_SECONDS": "soon"}, "BACKSTOP_POLL_SECONDS"),
        ({"POLL_CONCURRENCY": "0"}, "POLL_CONCURRENCY"),
        ({"POLL_CONCURRENCY": "500"}, "POLL_CONCURRENCY"),
        ({"POLL_CHUNK_SIZE": "-5"}, "POLL_CHUNK_SIZE"),
        ({"POLL_USER_CALLS_PER_MINUTE": "0"}, "POLL_USER_CALLS_PER_MINUTE"),
        ({"AUTOSHARES_QUOTE_DOMAIN": "https://autoshares.com"}, "AUTOSHARES_QUOTE_DOMAIN"),
        ({"AUTOSHARES_QUOTE_DOMAIN": "autoshares.com/quote"}, "AUTOSHARES_QUOTE_DOMAIN"),
        ({"AUTOSHARES_QUOTE_DOMAIN": "autoshares.com:443"}, "AUTOSHARES_QUOTE_DOMAIN"),
        ({"AUTOSHARES_QUOTE_DOMAIN": "*.autoshares.com"}, "AUTOSHARES_QUOTE_DOMAIN"),
        ({"AUTOSHARES_QUOTE_DOMAIN": "localhost"}, "AUTOSHARES_QUOTE_DOMAIN"),
        ({"AUTOSHARES_QUOTE_DOMAIN": "-bad.example"}, "AUTOSHARES_QUOTE_DOMAIN"),
        # once clamped or taken for the default without a word, now refused by name
        ({"OUTBOX_LEASE_SECONDS": "0.5"}, "OUTBOX_LEASE_SECONDS"),
        ({"CHANNEL_PACE_SECONDS": "11"}, "CHANNEL_PACE_SECONDS"),
        ({"ORDER_SETTLE_SECONDS": "0"}, "ORDER_SETTLE_SECONDS"),
        ({"AUTOSHARES_TIMEOUT_SECONDS": "0"}, "AUTOSHARES_TIMEOUT_SECONDS"),
        ({"COMMAND_DEADLINE_SECONDS": "0"}, "COMMAND_DEADLINE_SECONDS"),
        ({"ALERT_POLL_SECONDS": "0"}, "ALERT_POLL_SECONDS"),
        ({"ORDER_POLL_SECONDS": "nan"}, "ORDER_POLL_SECONDS"),
        ({"OUTBOX_RETRY_SECONDS": "inf"}, "OUTBOX_RETRY_SECONDS"),
        ({"DEFAULT_ROLE": "wizard"}, "DEFAULT_ROLE"),
        ({"APPROVAL_SECONDS": "59"}, "APPROVAL_SECONDS"),
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
        ({"AUTOSHARES_SIGNUP_URL": "http://signup.example.com"}, "AUTOSHARES_SIGNUP_URL"),
    ],
)
def test_bad_settings_name_the_setting(change: dict[str, str], name: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({**BASE, **change})
    assert any(name in problem.message for problem in info.value.problems)
    # one sentence per problem, and one line per problem in the error
    assert all("\n" not in problem.message for problem in info.value.problems)
    assert str(info.value).splitlines() == [problem.message for problem in info.value.problems]


def test_multi_workspace_mode() -> None:
    env = {**BASE, "SLACK_BOT_TOKEN": "", "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "cs"}
    assert Settings.from_env(env).multi_workspace


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///bot.db", "sqlite+aiosqlite:///bot.db"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_database_urls_map_to_async_drivers(url: str, expected: str) -> None:
    assert async_database_url(url) == expected


def test_encryption_key_list_for_rotation() -> None:
    other = Fernet.generate_key().decode()
    settings = Settings.from_env({**BASE, "TOKEN_ENCRYPTION_KEY": f"{other}, {KEY}"})
    assert settings.token_encryption_keys == (other, KEY)


def test_max_body_bytes_defaults_to_one_mib_and_can_be_set() -> None:
    assert Settings.from_env(BASE).max_body_bytes == 1024 * 1024
    assert Settings.from_env({**BASE, "MAX_BODY_BYTES": " 4096 "}).max_body_bytes == 4096
    assert Settings.from_env({**BASE, "MAX_BODY_BYTES": ""}).max_body_bytes == 1024 * 1024


def test_polling_intervals_with_and_without_webhooks() -> None:
    polled = Settings.from_env({**BASE, "ALERT_POLL_SECONDS": "20", "ORDER_POLL_SECONDS": "10"})
    assert (polled.alert_check_seconds, polled.open_order_check_seconds) == (20, 10)
    assert (polled.poll_concurrency, polled.poll_chunk_size, polled.poll_user_calls_per_minute) == (
        8,
        500,
        20,
    )
    backstop = polled.replace(autoshares_webhook_secret="whsec")
    assert (backstop.alert_check_seconds, backstop.open_order_check_seconds) == (300, 300)


REAL_AUTOSHARES = {
    "AUTH0_DOMAIN": "t.auth0.com",
    "AUTOSHARES_API_URL": "https://api.autoshares.com",
    "AUTH0_CLIENT_ID": "cid",
    "AUTH0_CLIENT_SECRET": "secret",
    "AUTOSHARES_APP_KEY": "appkey",
}


def test_environment_is_paper_with_the_embedded_sandbox_and_stays_paper_once_it_runs() -> None:
    settings = Settings.from_env(BASE)
    assert settings.autoshares_environment is TradingEnvironment.PAPER
    # serve starts the sandbox and points the URLs at it: still the embedded sandbox, still paper
    running = settings.with_sandbox("http://127.0.0.1:8900/", app_key="k", client_id="c", client_secret="s")
    assert not running.uses_embedded_sandbox
    assert running.autoshares_environment is TradingEnvironment.PAPER
    assert Settings.from_env({**BASE, "AUTOSHARES_ENVIRONMENT": "paper"}).autoshares_environment == "paper"


def test_environment_is_live_with_a_real_autoshares_unless_said_paper() -> None:
    assert Settings.from_env({**BASE, **REAL_AUTOSHARES}).autoshares_environment is TradingEnvironment.LIVE
    assert (
        Settings.from_env(
            {**BASE, **REAL_AUTOSHARES, "AUTOSHARES_ENVIRONMENT": "live"}
        ).autoshares_environment
        is TradingEnvironment.LIVE
    )
    paper = Settings.from_env({**BASE, **REAL_AUTOSHARES, "AUTOSHARES_ENVIRONMENT": " Paper "})
    assert paper.autoshares_environment is TradingEnvironment.PAPER


def test_live_with_the_embedded_sandbox_is_refused() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({**BASE, "AUTOSHARES_ENVIRONMENT": "live"})
    assert str(info.value) == (
        "AUTOSHARES_ENVIRONMENT is live, but AUTH0_DOMAIN and AUTOSHARES_API_URL are not set: the "
        "embedded sandbox is always paper. Set them to a real AutoShares, or set AUTOSHARES_ENVIRONMENT "
        "to paper or leave it empty"
    )


@pytest.mark.parametrize("autoshares", [{}, REAL_AUTOSHARES], ids=["embedded", "real"])
def test_a_misspelt_environment_is_refused_naming_the_setting_and_its_values(
    autoshares: dict[str, str],
) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({**BASE, **autoshares, "AUTOSHARES_ENVIRONMENT": "papr"})
    assert str(info.value) == (
        "AUTOSHARES_ENVIRONMENT must be paper or live (or empty: paper with the embedded sandbox, "
        "live otherwise), got 'papr'"
    )


def test_chart_url_lifetime() -> None:
    assert Settings.from_env(BASE).chart_url_seconds == 3600
    assert Settings.from_env({**BASE, "CHART_URL_SECONDS": "600"}).chart_url_seconds == 600
    for bad in ("59", "86401", "an hour", "-1"):
        with pytest.raises(ConfigError, match="CHART_URL_SECONDS"):
            Settings.from_env({**BASE, "CHART_URL_SECONDS": bad})


def test_the_quote_domain_is_a_bare_lower_case_domain() -> None:
    assert Settings.from_env(BASE).autoshares_quote_domain == "autoshares.com"
    settings = Settings.from_env({**BASE, "AUTOSHARES_QUOTE_DOMAIN": " Quotes.AutoShares.example. "})
    assert settings.autoshares_quote_domain == "quotes.autoshares.example"


def test_every_problem_is_found_in_one_reading() -> None:
    """Bad values, a missing secret and a broken rule between settings, all in one error, each
    a sentence naming its setting, in the order the settings are documented."""
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "DEFAULT_ROLE": "wizard",
        "CHART_URL_SECONDS": "-1",
        "APPROVAL_SECONDS": "abc",
        "AUTH0_DOMAIN": "t.auth0.com",
        "AUTOSHARES_ENVIRONMENT": "lvie",
    }
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert [problem.message for problem in info.value.problems] == [
        "SLACK_SIGNING_SECRET is missing (Slack app > Basic Information > Signing Secret)",
        "AUTOSHARES_API_URL is missing: set both AUTH0_DOMAIN and AUTOSHARES_API_URL, or neither to use "
        "the embedded sandbox",
        "AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET and AUTOSHARES_APP_KEY are missing (needed with AUTH0_DOMAIN)",
        "AUTOSHARES_ENVIRONMENT must be paper or live (or empty: paper with the embedded sandbox, live "
        "otherwise), got 'lvie'",
        "TOKEN_ENCRYPTION_KEY is missing; make one with `autoshares-bot keygen`",
        "DEFAULT_ROLE must be viewer, trader or approver, got 'wizard'",
        "APPROVAL_SECONDS must be a whole number of seconds, at least 60, got 'abc'",
        "CHART_URL_SECONDS must be from 60 to 86400 (a day), got -1",
    ]
    assert isinstance(info.value, ConfigError)  # what every caller already catches


def test_commands_that_only_touch_the_database_need_no_slack_settings() -> None:
    settings = Settings.from_env({"DATABASE_URL": "sqlite:///x.db"}, require_slack=False)
    assert settings.slack_signing_secret == "" and settings.token_encryption_keys == ()
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"PORT": "0"}, require_slack=False)
    assert [p.message for p in info.value.problems] == ["PORT must be from 1 to 65535, got 0"]
