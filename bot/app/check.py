"""`autoshares-bot check`: is this installation ready to serve? One plain line per finding.

Checks, in order: every setting (all problems at once, not just the first), the database
(connects, migrations current), the stored tokens (how many TOKEN_ENCRYPTION_KEY cannot
decrypt), the Slack tokens (``auth.test``, and ``apps.connections.open``
for a Socket Mode token), the identity provider (discovery document, and whether the token
endpoint accepts our client credentials) and whether the AutoShares API answers. Exit status is
1 when anything is wrong.

The probes ``database_problem``, ``issuer_problem`` and ``api_problem`` are also what
``GET /readyz`` runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from bot.app.database_probe import (
    PROBE_TIMEOUT,
    database_problem,
    failure_reason,
    masked_database_url,
    sqlite_file_problem,
)
from bot.app.manifest import load_manifest, unfurl_domains
from bot.app.settings import DEFAULT_SLACK_API_URL, Settings, is_loopback_host, read_settings
from bot.app.socket_mode import rejected_app_token
from bot.app.stored_keys import describe
from bot.app.wiring import oidc_client, tls_context
from bot.autoshares.errors import AutoSharesAppKeyRejected, IssuerMisconfigured, OAuthError
from bot.autoshares.oidc import OidcClient
from bot.autoshares.trading_token import TradingTokenClient
from bot.core.views import TradingEnvironment
from handlers.identity import slack_origin
from storage.crypto import TokenCipher
from storage.db import Database, create_engine
from storage.keys import count_unreadable

# What each probe depends on: a probe is skipped when one of its settings is bad.
SLACK_TOKENS = ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
SLACK_PROBED = (*SLACK_TOKENS, "SLACK_APP_TOKEN", "SLACK_API_URL", "PUBLIC_URL")
AUTOSHARES = (
    "AUTH0_DOMAIN",
    "AUTOSHARES_API_URL",
    "AUTH0_CLIENT_ID",
    "AUTH0_CLIENT_SECRET",
    "AUTOSHARES_APP_KEY",
    "AUTH0_AUDIENCE",
)

REJECTED_SLACK_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
BAD_CLIENT = {"invalid_client", "unauthorized_client", "access_denied", "unauthorized"}


@dataclass(frozen=True)
class Finding:
    """One line of the report. ``level``: ok, note (worth knowing) or problem (must fix)."""

    area: str
    level: str
    message: str

    @property
    def is_problem(self) -> bool:
        return self.level == "problem"

    def line(self) -> str:
        return f"{self.level:<8} {self.area}: {self.message}"


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


def ok(area: str, message: str) -> Finding:
    return Finding(area, "ok", _sentence(message))


def note(area: str, message: str) -> Finding:
    return Finding(area, "note", _sentence(message))


def problem(area: str, message: str) -> Finding:
    return Finding(area, "problem", _sentence(message))


# -- settings -------------------------------------------------------------------------------------
def settings_findings(env: Mapping[str, str]) -> tuple[Settings, list[Finding], set[str]]:
    """Every setting in one reading: one finding per problem, settings usable for the remaining
    probes (each bad value replaced by its default), and the names of the settings at fault."""
    settings, reading = read_settings(env)
    findings = [problem("settings", p.message) for p in reading.problems]
    if not findings:
        findings.append(ok("settings", "every setting is present and well formed"))
    return settings, findings, reading.failed


def quote_domain_note(settings: Settings) -> Finding | None:
    """A note when AUTOSHARES_QUOTE_DOMAIN is not the packaged manifest's unfurl domain: Slack
    sends ``link_shared`` only for the domains the Slack app lists, so both must change."""
    domain = settings.autoshares_quote_domain
    listed = unfurl_domains(load_manifest())
    if domain in listed:
        return None
    return note(
        "slack",
        f"AUTOSHARES_QUOTE_DOMAIN is {domain}, but the packaged manifest lists {', '.join(listed) or 'no'} "
        f"unfurl domain: create the Slack app from `autoshares-bot manifest` (it lists {domain}), or add "
        f"{domain} under App Unfurl Domains in the app's settings, or quote page links will not unfurl",
    )


# -- database -------------------------------------------------------------------------------------
async def check_database(settings: Settings) -> Finding:
    url = settings.async_database_url
    shown = masked_database_url(settings.database_url)
    missing = sqlite_file_problem(url)
    if missing:
        return problem("database", missing)
    engine = create_engine(url)
    try:
        found = await database_problem(engine, migrations=True)
    finally:
        await engine.dispose()
    if found:
        return problem("database", found)
    return ok("database", f"connected to {shown}; migrations are current")


async def check_stored_keys(settings: Settings) -> Finding:
    """Try every stored secret with TOKEN_ENCRYPTION_KEY (all of them, every run: this is the
    command an operator runs after changing keys; /readyz uses a cached count instead)."""
    database = Database(settings.async_database_url)
    try:
        found = await count_unreadable(database.sessions, TokenCipher(settings.token_encryption_keys))
    except Exception as exc:
        return problem("keys", f"could not read the stored tokens ({failure_reason(exc)})")
    finally:
        await database.dispose()
    if found.total:
        return problem("keys", describe(found))
    return ok(
        "keys",
        f"TOKEN_ENCRYPTION_KEY decrypts every stored token ({found.linked_users_total} linked users, "
        f"{found.sign_ins_total} sign-ins in progress)",
    )


# -- Slack ----------------------------------------------------------------------------------------
async def check_slack(settings: Settings) -> list[Finding]:
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    findings: list[Finding] = []
    api = settings.slack_api_url
    if settings.slack_bot_token:
        client = AsyncWebClient(token=settings.slack_bot_token, base_url=api, timeout=int(PROBE_TIMEOUT))
        try:
            answer = await client.auth_test()
            findings.append(
                ok(
                    "slack",
                    f"SLACK_BOT_TOKEN works: bot {answer.get('user')} in workspace {answer.get('team')}",
                )
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            if error in REJECTED_SLACK_TOKEN:
                findings.append(
                    problem(
                        "slack",
                        f"Slack rejected SLACK_BOT_TOKEN ({error}): copy the Bot User OAuth Token again "
                        "from OAuth & Permissions in your Slack app",
                    )
                )
            else:
                findings.append(problem("slack", f"Slack's auth.test failed with {error}"))
        except Exception as exc:
            findings.append(
                problem("slack", f"Cannot reach Slack's Web API at {api} ({failure_reason(exc)})")
            )
    else:
        findings.append(
            note(
                "slack",
                "multi-workspace install (no SLACK_BOT_TOKEN): each workspace's token is stored when it "
                f"installs at {settings.public_url}slack/install",
            )
        )
    if settings.slack_app_token:
        client = AsyncWebClient(token=settings.slack_app_token, base_url=api, timeout=int(PROBE_TIMEOUT))
        try:
            await client.apps_connections_open(app_token=settings.slack_app_token)
            findings.append(ok("slack", "SLACK_APP_TOKEN works: Socket Mode can connect"))
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown_error")
            findings.append(problem("slack", rejected_app_token(error)))
        except Exception as exc:
            findings.append(
                problem("slack", f"Cannot reach Slack's Web API at {api} ({failure_reason(exc)})")
            )
    elif settings.slack_api_url == DEFAULT_SLACK_API_URL and is_loopback_host(
        httpx.URL(settings.public_url).host
    ):
        findings.append(
            problem(
                "slack",
                f"PUBLIC_URL is {settings.public_url}, which Slack cannot reach: set a public https "
                "PUBLIC_URL, or SLACK_APP_TOKEN to use Socket Mode",
            )
        )
    return findings


# -- AutoShares -----------------------------------------------------------------------------------
async def issuer_problem(settings: Settings, http: httpx.AsyncClient) -> str | None:
    """None when the issuer's discovery document can be read and names the configured issuer."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await oidc_client(settings, http).metadata()
    except TimeoutError:
        return f"the identity provider {settings.auth0_issuer} did not answer within {PROBE_TIMEOUT:.0f} s"
    except IssuerMisconfigured as exc:
        return str(exc)
    return None


async def api_problem(settings: Settings, http: httpx.AsyncClient) -> str | None:
    """None when the AutoShares API base answers at all (any status below 500)."""
    url = f"{settings.autoshares_api_url}v1.0/"
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            response = await http.get(url, headers={"Accept": "application/json"})
    except TimeoutError:
        return f"the AutoShares API at {url} did not answer within {PROBE_TIMEOUT:.0f} s"
    except httpx.HTTPError as exc:
        return f"cannot reach the AutoShares API at {url} ({type(exc).__name__})"
    if response.status_code >= 500:
        return f"the AutoShares API at {url} answered {response.status_code}"
    return None


def environment_note(settings: Settings) -> Finding:
    """Paper or live (AUTOSHARES_ENVIRONMENT): what every order message, alert post and App Home
    will tell users, worth reading before they trade."""
    if settings.autoshares_environment is TradingEnvironment.PAPER:
        return note(
            "autoshares",
            "trading is paper (AUTOSHARES_ENVIRONMENT): order messages, alert posts and App Home say "
            "Paper trading, no real money",
        )
    return note(
        "autoshares",
        "trading is live (AUTOSHARES_ENVIRONMENT): order messages, alert posts and App Home say "
        "Live trading, real money; set AUTOSHARES_ENVIRONMENT=paper if this AutoShares is a paper account",
    )


def token_mode_note(settings: Settings) -> Finding:
    """Which token the trading API is called with (AUTOSHARES_TOKEN_MODE)."""
    if settings.exchanges_for_trading_token:
        minutes = settings.autoshares_trading_token_seconds // 60
        api = settings.autoshares_api_url or "the trading API's base URL/"
        return note(
            "autoshares",
            f"AUTOSHARES_TOKEN_MODE is exchange: the sign-in's authorization code is exchanged at "
            f"{api}token for a trading token, trusted for {minutes} minutes "
            "(AUTOSHARES_TRADING_TOKEN_SECONDS); users are asked to link again when it ends",
        )
    return note(
        "autoshares",
        "AUTOSHARES_TOKEN_MODE is access-token: the access token of the sign-in's code exchange at the "
        "issuer is sent to the trading API, and renewed with the refresh token",
    )


async def check_autoshares(settings: Settings, http: httpx.AsyncClient) -> list[Finding]:
    if settings.uses_embedded_sandbox:
        return [
            note(
                "autoshares",
                "AUTH0_DOMAIN and AUTOSHARES_API_URL are not set: `serve` runs the embedded sandbox, "
                "which is for trying the bot, not for real accounts",
            ),
            environment_note(settings),
            token_mode_note(settings),
        ]
    findings: list[Finding] = []
    found = await issuer_problem(settings, http)
    if found:
        findings.append(problem("issuer", found))
    else:
        findings.append(ok("issuer", f"discovery document of {settings.auth0_issuer} is valid"))
        findings.append(await _check_client(settings, http))
    found = await api_problem(settings, http)
    findings.append(
        problem("autoshares", found)
        if found
        else ok("autoshares", f"the AutoShares API at {settings.autoshares_api_url} answers")
    )
    findings.append(environment_note(settings))
    findings.append(token_mode_note(settings))
    if settings.exchanges_for_trading_token:
        findings.append(await _check_token_endpoint(settings, http))
    findings.append(
        note(
            "autoshares",
            f"the callback URL to register with AutoShares is {settings.autoshares_callback_url}",
        )
    )
    if not settings.autoshares_webhook_secret:
        findings.append(
            note("autoshares", "AUTOSHARES_WEBHOOK_SECRET is not set: alerts and orders are polled instead")
        )
    return findings


async def _check_client(settings: Settings, http: httpx.AsyncClient) -> Finding:
    """Redeem a made-up code: ``invalid_grant`` means the client credentials were accepted."""
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await oidc_client(settings, http).exchange_code("autoshares-bot-check", "c" * 43)
    except OAuthError as exc:
        if exc.error == "invalid_grant":
            return ok("issuer", "the token endpoint accepts AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET")
        if exc.error in BAD_CLIENT:
            return problem(
                "issuer",
                f"The identity provider rejected AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET ({exc.error}): "
                "copy them again from the application AutoShares issued",
            )
        if not exc.rejected:
            return problem("issuer", f"the token endpoint cannot be reached ({exc})")
        return problem("issuer", f"the token endpoint refused our client ({exc.error or 'no error code'})")
    except TimeoutError:
        return problem("issuer", f"the token endpoint did not answer within {PROBE_TIMEOUT:.0f} s")
    return problem("issuer", "the token endpoint accepted a made-up authorization code")


async def _check_token_endpoint(settings: Settings, http: httpx.AsyncClient) -> Finding:
    """Exchange mode: redeem a made-up code at ``POST /token``; a Failed answer means the
    endpoint is there and took the application key."""
    client = TradingTokenClient(
        http, base_url=settings.autoshares_api_url or "", app_key=settings.autoshares_app_key or ""
    )
    where = f"the trading API's POST /token ({client.token_url})"
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await client.exchange_code("autoshares-bot-check", settings.autoshares_callback_url)
    except AutoSharesAppKeyRejected:
        return problem("autoshares", f"{where} refused AUTOSHARES_APP_KEY: copy it again from AutoShares")
    except OAuthError as exc:
        if exc.rejected:
            return ok("autoshares", f"{where} answers and accepts AUTOSHARES_APP_KEY")
        return problem("autoshares", f"{where} cannot exchange codes now ({exc})")
    except TimeoutError:
        return problem("autoshares", f"{where} did not answer within {PROBE_TIMEOUT:.0f} s")
    return problem("autoshares", f"{where} accepted a made-up authorization code")


async def check_slack_identity(settings: Settings, http: httpx.AsyncClient) -> Finding:
    """Sign in with Slack (which makes sure a sign-in link links only the person who asked)
    needs the app's client credentials and Slack's discovery document."""
    if not settings.slack_identity_configured:
        return problem(
            "slack",
            "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set, so nobody can link AutoShares: copy them "
            "from Basic Information > App Credentials in your Slack app",
        )
    identity = OidcClient(
        http,
        issuer=slack_origin(settings.slack_api_url),
        client_id=settings.slack_client_id or "",
        client_secret=settings.slack_client_secret or "",
        redirect_uri=settings.slack_identity_callback_url,
        setting="SLACK_API_URL",
    )
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await identity.metadata()
    except TimeoutError:
        return problem(
            "slack",
            f"Sign in with Slack: {identity.discovery_url} did not answer within {PROBE_TIMEOUT:.0f} s",
        )
    except IssuerMisconfigured as exc:
        return problem("slack", f"Sign in with Slack: {exc}")
    return ok(
        "slack",
        f"Sign in with Slack is ready; add {settings.slack_identity_callback_url} to the app's redirect URLs",
    )


# -- all together ---------------------------------------------------------------------------------
async def run_checks(env: Mapping[str, str]) -> list[Finding]:
    """Every finding, in a stable order."""
    settings, findings, failed = settings_findings(env)
    quote_domain = quote_domain_note(settings)
    if quote_domain is not None:
        findings.append(quote_domain)
    async with httpx.AsyncClient(timeout=PROBE_TIMEOUT, follow_redirects=False, verify=tls_context()) as http:
        if "DATABASE_URL" not in failed:
            database = await check_database(settings)
            findings.append(database)
            if not database.is_problem and "TOKEN_ENCRYPTION_KEY" not in failed:
                findings.append(await check_stored_keys(settings))
        if not failed.intersection(SLACK_PROBED):
            findings += await check_slack(settings)
            findings.append(await check_slack_identity(settings, http))
        if not failed.intersection(AUTOSHARES):
            findings += await check_autoshares(settings, http)
    return findings


def report(findings: Sequence[Finding]) -> str:
    lines = [f.line() for f in findings]
    problems = sum(f.is_problem for f in findings)
    lines.append(
        f"{problems} problem{'s' if problems != 1 else ''} found." if problems else "Everything checks out."
    )
    return "\n".join(lines)


def main(env: Mapping[str, str]) -> int:
    findings = asyncio.run(run_checks(env))
    print(report(findings))
    return 1 if any(f.is_problem for f in findings) else 0
