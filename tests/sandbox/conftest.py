"""Fixtures for the sandbox's own tests: a served sandbox, an HTTP client, a scripted browser
that signs in through the OIDC login form, and API headers for alice and bob."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox import SandboxConfig
from sandbox.server import RunningSandbox
from sandbox.serving import listening_socket, serve_in_background
from tests.conftest import CLIENT_TLS

REDIRECT_URI = "http://127.0.0.1:9/callback"
APP_KEY = "sandbox-app-key"


def make_config(**overrides: Any) -> SandboxConfig:
    """Test defaults: frozen market, fast webhook retries."""
    values: dict[str, Any] = {"tick_seconds": 0, "webhook_retry_scale": 0.001}
    values.update(overrides)
    return SandboxConfig(**values)


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Override in a test module to change the sandbox's settings."""
    return make_config()


@pytest.fixture
def sb(sandbox: RunningSandbox) -> RunningSandbox:
    """The session's sandbox, reset to a fresh start with ``sandbox_config`` (tests/conftest.py)."""
    return sandbox


@pytest.fixture
async def client(sb: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sb.url, trust_env=False, timeout=10, verify=CLIENT_TLS) as http:
        yield http


class FormParser(HTMLParser):
    """Collects the inputs of the login form (name -> value) and any error text."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.action: str | None = None
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action")
        if tag == "input" and values.get("name"):
            self.fields[values["name"] or ""] = values.get("value") or ""
        if tag == "p" and values.get("class") == "error":
            self._in_error = True

    def handle_data(self, data: str) -> None:
        if self._in_error:
            self.error = (self.error or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_error = False


def parse_form(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


@dataclass
class CodeResult:
    code: str
    state: str
    verifier: str
    redirect_uri: str


async def get_code(
    client: httpx.AsyncClient,
    username: str = "alice",
    password: str = "sandbox",
    *,
    scope: str = "openid profile email offline_access",
    nonce: str | None = "n-0S6_WzA2Mj",
    redirect_uri: str = REDIRECT_URI,
) -> CodeResult:
    """Drive the login form like a browser and return the code from the redirect."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(8)
    params = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "audience": "https://api.autoshares.dev",
    }
    if nonce:
        params["nonce"] = nonce
    page = await client.get("authorize", params=params)
    assert page.status_code == 200, page.text
    form = parse_form(page.text)
    assert form.action == "/authorize"
    data = dict(form.fields, username=username, password=password, action="login")
    answer = await client.post("authorize", data=data)
    assert answer.status_code == 302, answer.text
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == [state]
    return CodeResult(query["code"][0], state, verifier, redirect_uri)


async def exchange(client: httpx.AsyncClient, result: CodeResult) -> httpx.Response:
    return await client.post(
        "oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": result.redirect_uri,
            "code_verifier": result.verifier,
        },
        auth=("sandbox-client", "sandbox-secret"),
    )


SignIn = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def sign_in(client: httpx.AsyncClient) -> SignIn:
    """``await sign_in("bob")`` -> the token response of a full code + PKCE flow."""

    async def run(username: str = "alice", password: str = "sandbox", **kwargs: Any) -> dict[str, Any]:
        result = await get_code(client, username, password, **kwargs)
        response = await exchange(client, result)
        assert response.status_code == 200, response.text
        return response.json()

    return run


def api_headers(token: str, app_key: str = APP_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Et-App-Key": app_key, "Accept": "application/json"}


@pytest.fixture
async def alice(sign_in: SignIn) -> dict[str, str]:
    """API headers for alice (UserId 1001, account 5001, one unsigned agreement)."""
    return api_headers((await sign_in("alice"))["access_token"])


@pytest.fixture
async def bob(sign_in: SignIn) -> dict[str, str]:
    """API headers for bob (UserId 1002, account 5002, nothing to sign)."""
    return api_headers((await sign_in("bob"))["access_token"])


@dataclass
class ReceivedHook:
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A loopback HTTP endpoint that records POSTs and answers scripted status codes."""

    url: str
    received: list[ReceivedHook] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    #: Bumped by ``forget``: a POST that began before is not recorded.
    generation: int = 0

    async def hook(self, request: Request) -> Response:
        began_in = self.generation
        body = await request.body()
        if began_in == self.generation:
            self.received.append(ReceivedHook(dict(request.headers), body))
        return Response(status_code=self.script.pop(0) if self.script else 200)

    def forget(self) -> None:
        """Nothing received so far counts, nor what is being received now; no status scripted."""
        self.generation += 1
        self.received.clear()
        self.script.clear()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedHook]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.received) < count:
            if loop.time() > deadline:
                raise AssertionError(f"expected {count} webhooks, got {len(self.received)}")
            await asyncio.sleep(0.005)
        return self.received


async def settled_deliveries(client: httpx.AsyncClient, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The sandbox's webhook deliveries once none is pending (each delivered, failed or
    undeliverable): nothing more will be sent for the events so far."""
    async with asyncio.timeout(timeout):
        while True:
            deliveries: list[dict[str, Any]] = (await client.get("_sandbox/webhooks")).json()["Deliveries"]
            if all(d["Status"] != "pending" for d in deliveries):
                return deliveries
            await asyncio.sleep(0.005)


@pytest.fixture(scope="session")
async def session_receiver() -> AsyncIterator[WebhookReceiver]:
    sock = listening_socket("127.0.0.1", 0)
    receiver = WebhookReceiver(f"http://127.0.0.1:{sock.getsockname()[1]}/hook")
    async with serve_in_background(Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])]), sock):
        yield receiver


@pytest.fixture
def receiver(session_receiver: WebhookReceiver, sandbox: RunningSandbox) -> WebhookReceiver:
    """A webhook receiver on 127.0.0.1:<ephemeral>/hook; ``script`` holds the status codes of
    the next answers (200 once it is empty). Nothing received before this test is kept (the
    sandbox, reset first, sends nothing left over from an earlier test)."""
    session_receiver.forget()
    return session_receiver
