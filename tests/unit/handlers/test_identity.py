"""handlers.identity: Sign in with Slack against an issuer played over httpx's MockTransport:
where discovery is read, the authorization URL, and the code redeemed through
``openid.connect.token`` into the team and user of a verified ID token (or why not)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from slack_sdk.errors import SlackApiError

from bot.core.errors import SlackIdentityFailed
from handlers import identity
from handlers.identity import TEAM_CLAIM, USER_CLAIM, SlackOpenIdConnect, slack_origin
from tests.unit.conftest import CLIENT_ID, ISSUER, Issuer

API_URL = ISSUER + "api/"
REDIRECT = "https://bot.test/slack/identity"


@pytest.mark.parametrize(
    ("api_url", "origin"),
    [
        ("https://slack.com/api/", "https://slack.com/"),
        ("http://127.0.0.1:8123/api/", "http://127.0.0.1:8123/"),
        ("https://slack.example/deep/api", "https://slack.example/"),
    ],
)
def test_discovery_lives_at_the_origin_of_the_api_url(api_url: str, origin: str) -> None:
    assert slack_origin(api_url) == origin


@pytest.fixture
async def http(issuer: Issuer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(issuer.handle)) as client:
        yield client


def sign_in(http: httpx.AsyncClient, client_id: str | None = CLIENT_ID, secret: str | None = "s3cret") -> SlackOpenIdConnect:
    return SlackOpenIdConnect(http, api_url=API_URL, client_id=client_id, client_secret=secret, redirect_uri=REDIRECT)


async def test_it_is_configured_only_with_both_client_id_and_secret(http: httpx.AsyncClient) -> None:
    assert sign_in(http).configured
    assert not sign_in(http, client_id=None).configured
    assert not sign_in(http, secret="").configured
    assert sign_in(http).discovery_url == ISSUER + ".well-known/openid-configuration"


async def test_the_authorization_url_asks_for_openid_in_the_team_with_state_and_nonce(
    http: httpx.AsyncClient,
) -> None:
    url = await sign_in(http).authorization_url(state="st-1", nonce="n-1", team_id="T0TEAM")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == ISSUER + "authorize"
    assert query["scope"] == "openid" and query["response_type"] == "code"
    assert (query["state"], query["nonce"], query["team"]) == ("st-1", "n-1", "T0TEAM")
    assert (query["client_id"], query["redirect_uri"]) == (CLIENT_ID, REDIRECT)
    assert "code_challenge" not in query


async def test_a_discovery_for_another_issuer_fails_as_slack_identity(http: httpx.AsyncClient, issuer: Issuer) -> None:
    issuer.discovery["issuer"] = "https://elsewhere.test/"
    with pytest.raises(SlackIdentityFailed, match="SLACK_API_URL"):
        await sign_in(http).authorization_url(state="st", nonce="n", team_id="T1")


class TokenMethod:
    """Stands for slack_sdk's Web API client at ``openid.connect.token``: records the client's
    base URL and the call, answers ``data`` or raises ``error``."""

    def __init__(self, data: dict[str, Any] | None = None, error: Exception | None = None) -> None:
        self.data = data or {}
        self.error = error
        self.base_urls: list[str] = []
        self.calls: list[dict[str, Any]] = []

    def __call__(self, *, base_url: str) -> TokenMethod:
        self.base_urls.append(base_url)
        return self

    async def openid_connect_token(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        return SimpleNamespace(data=self.data)


def slack_token(issuer: Issuer, nonce: str, team: str | None, user: str | None, **claims: Any) -> str:
    """An ID token as Slack signs one, with its team and user claims when given."""
    named: dict[str, Any] = {TEAM_CLAIM: team, USER_CLAIM: user, **claims}
    return issuer.id_token(nonce=nonce, **{k: v for k, v in named.items() if v is not None})


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> TokenMethod:
    method = TokenMethod()
    monkeypatch.setattr(identity, "AsyncWebClient", method)
    return method


async def test_the_code_is_redeemed_at_slack_and_the_team_and_user_read_from_the_token(
    http: httpx.AsyncClient, issuer: Issuer, slack: TokenMethod
) -> None:
    slack.data = {"ok": True, "id_token": slack_token(issuer, "n-1", "T0TEAM", "U0ALICE")}
    assert await sign_in(http).verify("code-1", "n-1") == ("T0TEAM", "U0ALICE")
    assert slack.base_urls == [API_URL]
    assert slack.calls == [
        {"client_id": CLIENT_ID, "client_secret": "s3cret", "code": "code-1", "redirect_uri": REDIRECT}
    ]


async def test_without_slacks_user_claim_the_subject_is_the_user(
    http: httpx.AsyncClient, issuer: Issuer, slack: TokenMethod
) -> None:
    slack.data = {"id_token": slack_token(issuer, "n", "T0TEAM", None, sub="U0SUB")}
    assert await sign_in(http).verify("code", "n") == ("T0TEAM", "U0SUB")


async def test_a_token_naming_no_team_is_refused(http: httpx.AsyncClient, issuer: Issuer, slack: TokenMethod) -> None:
    slack.data = {"id_token": slack_token(issuer, "n", None, "U0ALICE")}
    with pytest.raises(SlackIdentityFailed, match="names no team or user"):
        await sign_in(http).verify("code", "n")


async def test_a_token_for_another_nonce_is_not_accepted(
    http: httpx.AsyncClient, issuer: Issuer, slack: TokenMethod
) -> None:
    slack.data = {"id_token": slack_token(issuer, "other", "T0TEAM", "U0ALICE")}
    with pytest.raises(SlackIdentityFailed, match="Slack's ID token was not accepted"):
        await sign_in(http).verify("code", "n")


async def test_a_refused_code_names_slacks_error(http: httpx.AsyncClient, slack: TokenMethod) -> None:
    slack.error = SlackApiError("refused", {"ok": False, "error": "invalid_code"})
    with pytest.raises(SlackIdentityFailed, match="openid.connect.token refused the code: invalid_code"):
        await sign_in(http).verify("code", "n")


async def test_slack_unreachable_names_what_failed(http: httpx.AsyncClient, slack: TokenMethod) -> None:
    slack.error = ConnectionResetError("reset")
    with pytest.raises(SlackIdentityFailed, match="openid.connect.token failed: ConnectionResetError"):
        await sign_in(http).verify("code", "n")
