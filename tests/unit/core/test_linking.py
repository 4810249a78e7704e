"""Linking (``bot.core.linking``) on its own: the sign-in bound to the Slack user who asked and
to the browser that opened it, PKCE from the stored verifier, single use, and nothing stored
when anything is wrong. Real state and link repositories on the test database; the identity
provider and AutoShares' ``/users/@me/info`` answered over httpx's MockTransport; Sign in with
Slack played by a small stand-in of the ``SlackIdentity`` port. The whole flow through a
browser and the real services is in the scenario and browser tests.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from bot.autoshares.client import AutoSharesClient
from bot.autoshares.oidc import OidcClient
from bot.core.errors import SlackIdentityFailed
from bot.core.linking import LinkOutcome, LinkProblem, LinkService, LoginStart
from storage.crypto import TokenCipher
from storage.db import Database
from storage.link_states import LINK_REFUSED, IssuedState, LinkStateRepository
from storage.links import LinkRepository
from storage.models import LinkState, OutboxMessage
from tests.unit.conftest import ISSUER, Issuer

PUBLIC_URL = "https://bot.test/"
API = "https://api.autoshares.test/"


@dataclass
class SignInWithSlack:
    """The ``SlackIdentity`` port: a code names who signed in, and the nonce must be the one sent."""

    signed_in: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (team, user)
    nonces: dict[str, str] = field(default_factory=dict)  # state -> nonce sent
    failing: bool = False

    @property
    def configured(self) -> bool:
        return True

    async def authorization_url(self, *, state: str, nonce: str, team_id: str) -> str:
        if self.failing:
            raise SlackIdentityFailed("slack is down")
        self.nonces[state] = nonce
        return f"https://slack.test/openid/connect/authorize?state={state}&team={team_id}"

    async def verify(self, code: str, nonce: str) -> tuple[str, str]:
        assert nonce in self.nonces.values(), "Slack's ID token carries the nonce we sent"
        return self.signed_in[code]


@dataclass
class Rig:
    service: LinkService
    slack: SignInWithSlack
    issuer: Issuer
    states: LinkStateRepository
    links: LinkRepository
    db: Database
    me: dict[str, Any]

    async def opened(
        self, team: str = "T1", user: str = "U1", browser_of: str | None = None
    ) -> tuple[str, str]:
        """``/autoshares link`` and a browser opening the link: (state, browser cookie)."""
        url = await self.service.start(team, user)
        assert url.startswith(PUBLIC_URL + "autoshares/login?state=")
        state = parse_qs(urlsplit(url).query)["state"][0]
        started = await self.service.login_redirect(state)
        assert isinstance(started, LoginStart)
        return state, started.browser

    async def through_slack(
        self, state: str, browser: str, as_who: tuple[str, str] = ("T1", "U1")
    ) -> str | LinkOutcome:
        self.slack.signed_in["slack-code"] = as_who
        return await self.service.slack_returned({"state": state, "code": "slack-code"}, browser)

    async def issued(self, state: str) -> IssuedState:
        issued = await self.states.peek(state)
        assert isinstance(issued, IssuedState)
        return issued

    async def outbox_kinds(self) -> list[tuple[str, str]]:
        async with self.db.sessions() as session:
            return [(r.kind, r.channel) for r in await session.scalars(select(OutboxMessage))]


def autoshares_api(me: dict[str, Any], issuer: Issuer) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == urlsplit(ISSUER).hostname:
            return issuer.handle(request)
        if request.url.path.endswith("/users/@me/info"):
            return httpx.Response(200, json=me)
        if request.url.path.endswith("/agreements"):
            return httpx.Response(200, json=[])
        return httpx.Response(404)

    return httpx.MockTransport(handle)


@pytest.fixture
async def rig(db: Database, issuer: Issuer) -> AsyncIterator[Rig]:
    cipher = TokenCipher([Fernet.generate_key().decode()])
    me: dict[str, Any] = {"UserId": 42, "Login": "alice", "FirstName": "Alice", "LastName": "Ng"}
    async with httpx.AsyncClient(transport=autoshares_api(me, issuer)) as http:
        oidc = OidcClient(
            http,
            issuer=ISSUER,
            client_id="client-abc",
            client_secret="secret-xyz",
            redirect_uri=PUBLIC_URL + "autoshares/callback",
        )
        states = LinkStateRepository(db.sessions, cipher)
        links = LinkRepository(db.sessions, cipher)
        slack = SignInWithSlack()
        service = LinkService(
            links=links,
            states=states,
            oidc=oidc,
            identity=slack,
            client=AutoSharesClient(http, base_url=API, app_key="app-key"),
            public_url=PUBLIC_URL,
        )
        yield Rig(service, slack, issuer, states, links, db, me)


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def test_the_sign_in_is_stored_hashed_with_its_verifier_encrypted(rig: Rig) -> None:
    state, _ = await rig.opened()
    issued = await rig.issued(state)
    async with rig.db.sessions() as session:
        [row] = list(await session.scalars(select(LinkState)))
    assert row.state != state and state not in row.state  # only a digest of the state is kept
    assert issued.code_verifier not in row.code_verifier_enc
    assert (row.team_id, row.slack_user_id) == ("T1", "U1")


async def test_the_requester_goes_on_to_autoshares_with_a_pkce_challenge_of_the_stored_verifier(
    rig: Rig,
) -> None:
    state, browser = await rig.opened()
    onward = await rig.through_slack(state, browser)
    assert isinstance(onward, str) and onward.startswith(ISSUER + "authorize")
    query = {k: v[0] for k, v in parse_qs(urlsplit(onward).query).items()}
    issued = await rig.issued(state)
    assert query["code_challenge"] == s256(issued.code_verifier)
    assert query["code_challenge_method"] == "S256"
    assert query["state"] == state and query["nonce"] == issued.nonce


async def test_someone_else_signing_in_links_nobody_and_the_requester_is_told(rig: Rig) -> None:
    state, browser = await rig.opened()
    outcome = await rig.through_slack(state, browser, as_who=("T1", "U_MALLORY"))
    assert isinstance(outcome, LinkOutcome) and outcome.problem is LinkProblem.WRONG_PERSON
    assert await rig.outbox_kinds() == [(LINK_REFUSED, "U1")]  # the requester, not the opener
    # The sign-in is spent: not even the requester can finish it now.
    again = await rig.through_slack(state, browser)
    assert isinstance(again, LinkOutcome) and again.problem is LinkProblem.STATE_USED
    assert await rig.links.get("T1", "U1") is None and await rig.links.get("T1", "U_MALLORY") is None


async def test_a_link_opened_in_another_workspace_is_someone_else(rig: Rig) -> None:
    state, browser = await rig.opened()
    outcome = await rig.through_slack(state, browser, as_who=("T_OTHER", "U1"))
    assert isinstance(outcome, LinkOutcome) and outcome.problem is LinkProblem.WRONG_PERSON


async def test_the_slack_step_from_another_browser_gets_nowhere(rig: Rig) -> None:
    state, _browser = await rig.opened()
    outcome = await rig.through_slack(state, "a-different-cookie")
    assert isinstance(outcome, LinkOutcome) and outcome.problem is LinkProblem.OTHER_BROWSER


async def test_declining_at_slack_spends_the_sign_in(rig: Rig) -> None:
    state, browser = await rig.opened()
    outcome = await rig.service.slack_returned({"state": state, "error": "access_denied"}, browser)
    assert isinstance(outcome, LinkOutcome) and outcome.problem is LinkProblem.SLACK_DECLINED
    later = await rig.service.login_redirect(state)
    assert isinstance(later, LinkOutcome) and later.problem is LinkProblem.STATE_USED


async def test_sign_in_with_slack_down_is_said_plainly(rig: Rig) -> None:
    rig.slack.failing = True
    url = await rig.service.start("T1", "U1")
    outcome = await rig.service.login_redirect(parse_qs(urlsplit(url).query)["state"][0])
    assert isinstance(outcome, LinkOutcome) and outcome.problem is LinkProblem.SLACK_FAILED


async def test_the_callback_before_the_slack_step_links_nobody(rig: Rig) -> None:
    state, browser = await rig.opened()
    outcome = await rig.service.complete({"state": state, "code": "c"}, browser)
    assert outcome.problem is LinkProblem.NOT_VERIFIED and await rig.links.get("T1", "U1") is None


async def test_a_full_sign_in_links_the_requester_once(rig: Rig) -> None:
    state, browser = await rig.opened()
    await rig.through_slack(state, browser)
    issued = await rig.issued(state)
    rig.issuer.token_answer = (
        200,
        {
            "access_token": "at-1",
            "refresh_token": "rt-1",
            "expires_in": 3600,
            "token_type": "Bearer",
            "id_token": rig.issuer.id_token(nonce=issued.nonce),
        },
    )
    outcome = await rig.service.complete({"state": state, "code": "idp-code"}, browser)
    assert outcome.ok and outcome.link is not None
    assert (outcome.link.autoshares_user_id, outcome.link.autoshares_login) == (42, "alice")
    assert outcome.link.display_name == "Alice Ng"
    [exchange] = [r for r in rig.issuer.requests if r.url.path == "/oauth/token"]
    assert parse_qs(exchange.content.decode())["code_verifier"] == [issued.code_verifier]
    stored = await rig.links.get("T1", "U1")
    assert stored is not None and stored.access_token == "at-1"
    # The same callback again (a refresh, a replay) finds the sign-in used.
    replay = await rig.service.complete({"state": state, "code": "idp-code"}, browser)
    assert replay.problem is LinkProblem.STATE_USED


async def test_an_id_token_for_another_sign_in_links_nobody(rig: Rig) -> None:
    state, browser = await rig.opened()
    await rig.through_slack(state, browser)
    rig.issuer.token_answer = (
        200,
        {"access_token": "at-1", "token_type": "Bearer", "id_token": rig.issuer.id_token(nonce="stale")},
    )
    outcome = await rig.service.complete({"state": state, "code": "idp-code"}, browser)
    assert outcome.problem is LinkProblem.REFUSED and await rig.links.get("T1", "U1") is None


async def test_a_refused_code_and_a_declined_login_are_told_apart(rig: Rig) -> None:
    state, browser = await rig.opened()
    await rig.through_slack(state, browser)
    declined = await rig.service.complete({"state": state, "error": "access_denied"}, browser)
    assert declined.problem is LinkProblem.DECLINED
    state, browser = await rig.opened()
    await rig.through_slack(state, browser)
    rig.issuer.token_answer = (400, {"error": "invalid_grant"})
    refused = await rig.service.complete({"state": state, "code": "bad"}, browser)
    assert refused.problem is LinkProblem.REFUSED and await rig.links.get("T1", "U1") is None
