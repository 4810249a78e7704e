"""The OIDC client (``bot.autoshares.oidc``) against an issuer played over httpx's MockTransport:
discovery checked and cached, the authorization URL with PKCE S256, the code exchange and its
errors, ID tokens verified against the issuer's JWKS (signature, issuer, audience, expiry,
nonce, a rotated key), and revocation. The full sign-in against the sandbox's issuer is in the
scenario tests.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from bot.autoshares.errors import IssuerMisconfigured, OAuthError
from bot.autoshares.oidc import OidcClient, new_code_verifier, new_nonce
from tests.unit.conftest import CLIENT_ID, ISSUER, Issuer


@pytest.fixture
async def oidc(issuer: Issuer) -> AsyncIterator[OidcClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(issuer.handle)) as http:
        yield OidcClient(
            http,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            client_secret="secret-xyz",
            redirect_uri="https://bot.test/autoshares/callback",
            audience="https://api.autoshares.test",
        )


async def test_discovery_is_read_once_and_its_issuer_checked(oidc: OidcClient, issuer: Issuer) -> None:
    first = await oidc.metadata()
    second = await oidc.metadata()
    assert first is second and first["token_endpoint"] == ISSUER + "oauth/token"
    assert issuer.paths().count("/.well-known/openid-configuration") == 1


async def test_a_discovery_document_for_another_issuer_names_the_setting(
    oidc: OidcClient, issuer: Issuer
) -> None:
    issuer.discovery["issuer"] = "https://elsewhere.test/"
    with pytest.raises(IssuerMisconfigured, match="AUTH0_DOMAIN"):
        await oidc.metadata()


async def test_a_discovery_document_without_a_jwks_uri_is_refused(oidc: OidcClient, issuer: Issuer) -> None:
    del issuer.discovery["jwks_uri"]
    with pytest.raises(IssuerMisconfigured, match="jwks_uri"):
        await oidc.metadata()


async def test_the_authorization_url_carries_state_nonce_and_a_pkce_s256_challenge(oidc: OidcClient) -> None:
    verifier, nonce = new_code_verifier(), new_nonce()
    assert 43 <= len(verifier) <= 128
    url = await oidc.authorization_url(state="state-1", code_verifier=verifier, nonce=nonce)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == ISSUER + "authorize"
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == expected and query["code_challenge_method"] == "S256"
    assert query["state"] == "state-1" and query["nonce"] == nonce
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "https://bot.test/autoshares/callback"
    assert set(query["scope"].split()) >= {"openid", "offline_access"}
    assert query["audience"] == "https://api.autoshares.test"
    assert verifier not in url  # only the challenge leaves the bot


async def test_the_code_exchange_sends_the_verifier_with_client_authentication(
    oidc: OidcClient, issuer: Issuer
) -> None:
    answer = await oidc.exchange_code("code-1", "verifier-1")
    assert answer["access_token"] == "at-1"
    [request] = [r for r in issuer.requests if r.url.path == "/oauth/token"]
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert form == {
        "grant_type": "authorization_code",
        "code": "code-1",
        "redirect_uri": "https://bot.test/autoshares/callback",
        "code_verifier": "verifier-1",
    }
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"client-abc:secret-xyz").decode()


async def test_a_refused_code_is_a_rejection_with_the_issuers_error_code(
    oidc: OidcClient, issuer: Issuer
) -> None:
    issuer.token_answer = (400, {"error": "invalid_grant"})
    with pytest.raises(OAuthError) as refused:
        await oidc.exchange_code("used-code", "verifier-1")
    assert refused.value.error == "invalid_grant" and refused.value.rejected
    assert "used-code" not in str(refused.value)  # the code is never echoed


async def test_an_issuer_outage_is_not_a_rejection(oidc: OidcClient, issuer: Issuer) -> None:
    issuer.token_answer = (503, {})
    with pytest.raises(OAuthError) as failed:
        await oidc.refresh("rt-1")
    assert not failed.value.rejected and "503" in str(failed.value)


async def test_a_good_id_token_gives_its_claims(oidc: OidcClient, issuer: Issuer) -> None:
    token = issuer.id_token(nonce="n-1", email="alice@example.test", name="Alice")
    claims = await oidc.validate_id_token({"id_token": token, "access_token": "at-1"}, "n-1")
    assert (claims.subject, claims.email, claims.name) == ("auth0|alice", "alice@example.test", "Alice")


@pytest.mark.parametrize(
    "claims",
    [
        {"nonce": "someone-elses"},
        {"nonce": "n-1", "aud": "another-client"},
        {"nonce": "n-1", "iss": "https://elsewhere.test/"},
        {"nonce": "n-1", "exp": int(time.time()) - 3600},
    ],
    ids=["nonce", "audience", "issuer", "expired"],
)
async def test_an_id_token_with_a_wrong_claim_is_rejected(
    oidc: OidcClient, issuer: Issuer, claims: dict[str, Any]
) -> None:
    token = issuer.id_token(**claims)
    with pytest.raises(OAuthError) as rejected:
        await oidc.validate_id_token({"id_token": token}, "n-1")
    assert rejected.value.rejected


async def test_an_id_token_signed_by_another_key_is_rejected(oidc: OidcClient, issuer: Issuer) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(OAuthError, match="ID token rejected"):
        await oidc.validate_id_token({"id_token": issuer.id_token(key=stranger, nonce="n-1")}, "n-1")


async def test_an_unsigned_id_token_is_rejected(oidc: OidcClient) -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(
        json.dumps({"iss": ISSUER, "aud": CLIENT_ID, "sub": "x", "nonce": "n-1", "exp": 2**40}).encode()
    )
    with pytest.raises(OAuthError):
        await oidc.validate_id_token({"id_token": f"{header}.{body.rstrip(b'=').decode()}."}, "n-1")


async def test_a_rotated_signing_key_is_fetched_again(oidc: OidcClient, issuer: Issuer) -> None:
    await oidc.validate_id_token({"id_token": issuer.id_token(nonce="n-1")}, "n-1")
    issuer.key = RSAKey.generate_key(2048, parameters={"kid": "k2"})  # the issuer rotates
    claims = await oidc.validate_id_token({"id_token": issuer.id_token(nonce="n-2")}, "n-2")
    assert claims.subject == "auth0|alice"
    assert issuer.paths().count("/.well-known/jwks.json") == 2


async def test_a_token_response_without_an_id_token_says_why(oidc: OidcClient) -> None:
    with pytest.raises(OAuthError, match="openid scope"):
        await oidc.validate_id_token({"access_token": "at-1"}, "n-1")


async def test_revocation_where_the_issuer_offers_it(oidc: OidcClient, issuer: Issuer) -> None:
    assert await oidc.revoke("rt-1") is True
    [request] = [r for r in issuer.requests if r.url.path == "/oauth/revoke"]
    assert parse_qs(request.content.decode()) == {"token": ["rt-1"], "token_type_hint": ["refresh_token"]}


async def test_no_revocation_endpoint_means_nothing_revoked(oidc: OidcClient, issuer: Issuer) -> None:
    del issuer.discovery["revocation_endpoint"]
    assert await oidc.revoke("rt-1") is False
    assert "/oauth/revoke" not in issuer.paths()
