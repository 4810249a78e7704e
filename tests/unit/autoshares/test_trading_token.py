"""The trading API's own login (``bot.autoshares.trading_token``): the ``POST /token`` exchange and
``POST /logout`` as the spec has them (headers, empty body), each answer's outcome, the stored
token's expiry, and no token or code in a repr, an error or a log line."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.autoshares.errors import AutoSharesAppKeyRejected, OAuthError
from bot.autoshares.trading_token import TRADING_TOKEN_SCOPE, TradingTokenClient, trading_token_set

API = "https://api.autoshares.test/"
APP_KEY = "app-key-123"
CODE = "oauth-code-SECRET-1"
REDIRECT = "https://bot.example/autoshares/callback"
TOKEN = "VGhpcyBpcyBleGFtcGxlIHRva2Vu-trading"


class TradingApi:
    """``/token`` and ``/logout`` answering what the test sets, keeping what they were sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answer: Callable[[httpx.Request], httpx.Response] = lambda _: httpx.Response(
            200, json={"State": "Succeeded", "Token": TOKEN}
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


@pytest.fixture
def api() -> TradingApi:
    return TradingApi()


@pytest.fixture
async def client(api: TradingApi) -> AsyncIterator[TradingTokenClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(api.handle)) as http:
        yield TradingTokenClient(http, base_url=API.rstrip("/"), app_key=APP_KEY)


def answering(status: int, body: object = None, **kwargs: object) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(status, json=body, **kwargs)  # type: ignore[arg-type]


async def test_the_code_is_exchanged_in_headers_with_the_app_key(client: TradingTokenClient, api: TradingApi) -> None:
    assert client.token_url == API + "token"
    assert await client.exchange_code(CODE, REDIRECT) == TOKEN
    [sent] = api.requests
    assert (sent.method, str(sent.url)) == ("POST", API + "token")
    assert sent.headers["Et-App-Key"] == APP_KEY
    assert sent.headers["OAuthCode"] == CODE and sent.headers["RedirectUri"] == REDIRECT
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.headers["Accept"] == "application/json"
    assert "Authorization" not in sent.headers and "Username" not in sent.headers
    assert sent.content == b""


async def test_another_step_expected_is_a_rejection_that_hands_back_no_token(
    client: TradingTokenClient, api: TradingApi
) -> None:
    partial = "partial-token-of-202"
    api.answer = answering(202, {"Step": "SecutityPin", "Reason": "Invalid pin", "State": "Expecting", "Token": partial})
    with pytest.raises(OAuthError) as raised:
        await client.exchange_code(CODE, REDIRECT)
    error = raised.value
    assert (error.error, error.rejected) == ("step_expected", True)
    assert "Expecting, SecutityPin, Invalid pin" in str(error)
    assert partial not in str(error) and CODE not in str(error)


@pytest.mark.parametrize(
    ("status", "body", "error", "rejected"),
    [
        (401, {"State": "Failed", "Step": "SecutityPin", "Reason": "Invalid pin"}, "SecutityPin", True),
        (401, {"State": "Failed", "Reason": "Invalid code"}, "Invalid code", True),
        (400, ["not", "an", "object"], "failed", True),
        (502, None, "failed", False),
        (200, {"State": "Succeeded"}, "failed", False),  # success without a token is no success
        (200, {"State": "Expecting", "Token": TOKEN}, "failed", False),
    ],
)
async def test_a_refusal_says_why_and_whether_autoshares_said_no(
    client: TradingTokenClient, api: TradingApi, status: int, body: object, error: str, rejected: bool
) -> None:
    api.answer = answering(status, body) if body is not None else lambda _: httpx.Response(status, text="<html>")
    with pytest.raises(OAuthError) as raised:
        await client.exchange_code(CODE, REDIRECT)
    assert (raised.value.error, raised.value.rejected) == (error, rejected)
    assert f"answered {status}" in str(raised.value)
    assert TOKEN not in str(raised.value) and CODE not in str(raised.value)


async def test_a_refused_app_key_is_named(client: TradingTokenClient, api: TradingApi) -> None:
    api.answer = answering(403, {"State": "Failed"})
    with pytest.raises(AutoSharesAppKeyRejected) as raised:
        await client.exchange_code(CODE, REDIRECT)
    assert raised.value.status == 403 and raised.value.endpoint == "POST /token"
    assert "AUTOSHARES_APP_KEY" in str(raised.value) and APP_KEY not in str(raised.value)


async def test_an_unreachable_api_is_not_a_rejection(client: TradingTokenClient, api: TradingApi) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    api.answer = refuse
    with pytest.raises(OAuthError) as raised:
        await client.exchange_code(CODE, REDIRECT)
    assert raised.value.rejected is False
    assert "unreachable: ConnectError" in str(raised.value)


async def test_logout_sends_the_token_as_bearer_and_reports_the_outcome_without_it(
    client: TradingTokenClient, api: TradingApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.answer = answering(200, {})
    assert await client.logout(TOKEN) is True
    [sent] = api.requests
    assert (sent.method, str(sent.url)) == ("POST", API + "logout")
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}" and sent.headers["Et-App-Key"] == APP_KEY

    caplog.set_level(logging.DEBUG, logger="bot.autoshares.trading_token")
    api.answer = answering(401, {"State": "Failed"})
    assert await client.logout(TOKEN) is False

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out sending {request.headers['Authorization']}", request=request)

    api.answer = refuse
    assert await client.logout(TOKEN) is False
    assert [r.getMessage() for r in caplog.records] == [
        "trading token logout answered 401",
        "trading token logout failed: ReadTimeout",
    ]
    assert TOKEN not in caplog.text


def test_a_stored_trading_token_expires_when_the_caller_says_and_hides_in_its_repr() -> None:
    before = datetime.now(UTC)
    stored = trading_token_set(TOKEN, 3600)
    after = datetime.now(UTC)
    assert before + timedelta(hours=1) <= stored.expires_at <= after + timedelta(hours=1)
    assert stored.access_token == TOKEN and stored.refresh_token is None  # nothing to refresh with
    assert stored.scopes == TRADING_TOKEN_SCOPE
    assert TOKEN not in repr(stored) and TOKEN not in str(stored)
