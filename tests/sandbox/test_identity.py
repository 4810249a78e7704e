"""The OIDC provider, driven like a browser and a confidential client would."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from sandbox.server import RunningSandbox
from tests.sandbox.conftest import (
    REDIRECT_URI,
    SignIn,
    api_headers,
    exchange,
    get_code,
    parse_form,
    pkce_pair,
)


async def test_discovery_document_points_at_one_origin(sb: RunningSandbox, client: httpx.AsyncClient) -> None:
    doc = (await client.get(".well-known/openid-configuration")).json()
    assert sb.url.endswith("/") and doc["issuer"] == sb.url
    assert doc["authorization_endpoint"] == f"{sb.url}authorize"
    assert doc["token_endpoint"] == f"{sb.url}oauth/token"
    assert doc["userinfo_endpoint"] == f"{sb.url}userinfo"
    assert doc["jwks_uri"] == f"{sb.url}.well-known/jwks.json"
    assert doc["revocation_endpoint"] == f"{sb.url}oauth/revoke"
    assert doc["end_session_endpoint"] == f"{sb.url}v2/logout"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["response_types_supported"] == ["code"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
    }
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert {"authorization_code", "refresh_token"} <= set(doc["grant_types_supported"])


async def test_full_code_flow_id_token_verifies_against_jwks(
    sb: RunningSandbox, client: httpx.AsyncClient
) -> None:
    result = await get_code(client, "alice", "sandbox", nonce="nonce-123")
    response = await exchange(client, result)
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 86400
    assert token["refresh_token"] and token["access_token"]
    assert "offline_access" in token["scope"].split()

    keys = KeySet.import_key_set((await client.get(".well-known/jwks.json")).json())
    claims = jwt.decode(token["id_token"], keys, algorithms=["RS256"]).claims
    assert claims["iss"] == sb.url
    assert claims["aud"] == "sandbox-client"
    assert claims["sub"] == "auth0|1001"
    assert claims["nonce"] == "nonce-123"
    assert claims["nickname"] == "alice"
    assert claims["email"] == "alice@example.com"
    assert claims["name"] == "Alice Anderson"
    assert claims["exp"] > claims["iat"]

    info = await client.get("userinfo", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert info.status_code == 200
    assert info.json()["sub"] == "auth0|1001"


async def test_client_secret_post_works_and_no_refresh_without_offline_access(
    client: httpx.AsyncClient,
) -> None:
    result = await get_code(client, "bob", "sandbox", scope="openid profile email")
    response = await client.post(
        "oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": result.code,
            "redirect_uri": result.redirect_uri,
            "code_verifier": result.verifier,
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
    )
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()


async def test_code_is_single_use_and_replay_revokes_its_tokens(
    client: httpx.AsyncClient,
) -> None:
    result = await get_code(client)
    first = await exchange(client, result)
    assert first.status_code == 200
    second = await exchange(client, result)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    me = await client.get("v1.0/users/@me/info", headers=api_headers(first.json()["access_token"]))
    assert me.status_code == 401


async def test_wrong_code_verifier_is_rejected(client: httpx.AsyncClient) -> None:
    result = await get_code(client)
    result.verifier = pkce_pair()[0]
    response = await exchange(client, result)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


async def test_missing_code_verifier_is_rejected(client: httpx.AsyncClient) -> None:
    result = await get_code(client)
    response = await client.post(
        "oauth/token",
        data={"grant_type": "authorization_code", "code": result.code, "redirect_uri": result.redirect_uri},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_plain_or_missing_pkce_is_refused_at_authorize(client: httpx.AsyncClient) -> None:
    base = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "xyz",
    }
    verifier, _ = pkce_pair()
    for extra in (
        {},
        {"code_challenge": verifier, "code_challenge_method": "plain"},
        {"code_challenge": verifier},
    ):
        response = await client.get("authorize", params=base | extra)
        assert response.status_code == 302, extra
        query = parse_qs(urlsplit(response.headers["location"]).query)
        assert query["error"] == ["invalid_request"]
        assert query["state"] == ["xyz"]


async def test_bad_password_reshows_form_and_deny_redirects_access_denied(
    client: httpx.AsyncClient,
) -> None:
    _, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": REDIRECT_URI,
        "scope": "openid",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    form = parse_form((await client.get("authorize", params=params)).text)
    wrong = await client.post("authorize", data=form.fields | {"username": "alice", "password": "nope"})
    assert wrong.status_code == 200
    again = parse_form(wrong.text)
    assert again.error == "Wrong username or password."
    assert again.fields["code_challenge"] == challenge
    denied = await client.post("authorize", data=form.fields | {"action": "deny"})
    assert denied.status_code == 302
    query = parse_qs(urlsplit(denied.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["s1"]


async def test_unknown_client_or_foreign_redirect_is_not_redirected(
    client: httpx.AsyncClient,
) -> None:
    _, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": "sandbox-client",
        "redirect_uri": "https://evil.example.com/cb",
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    foreign = await client.get("authorize", params=params)
    assert foreign.status_code == 400 and "location" not in foreign.headers
    unknown = await client.get(
        "authorize", params=params | {"client_id": "nobody", "redirect_uri": REDIRECT_URI}
    )
    assert unknown.status_code == 400 and "location" not in unknown.headers
    for loopback in ("http://localhost:3000/cb", "http://[::1]:8080/x"):
        ok = await client.get("authorize", params=params | {"redirect_uri": loopback})
        assert ok.status_code == 200, loopback


async def test_refresh_gives_new_access_token_and_keeps_refresh_token(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    tokens = await sign_in("bob")
    for _ in range(2):  # does not rotate: the same refresh token works again
        refreshed = await client.post(
            "oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=("sandbox-client", "sandbox-secret"),
        )
        assert refreshed.status_code == 200, refreshed.text
        body = refreshed.json()
        assert body["access_token"] != tokens["access_token"]
        assert "id_token" in body
        me = await client.get("v1.0/users/@me/info", headers=api_headers(body["access_token"]))
        assert me.json()["UserId"] == 1002


async def test_wrong_client_secret_is_refused(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    tokens = await sign_in("bob")
    refused = await client.post(
        "oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("sandbox-client", "wrong"),
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


async def test_revoking_refresh_token_kills_it_and_its_access_tokens(
    sb: RunningSandbox, client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    tokens = await sign_in("alice")
    refreshed = (
        await client.post(
            "oauth/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            auth=("sandbox-client", "sandbox-secret"),
        )
    ).json()
    revoked = await client.post(
        "oauth/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert revoked.status_code == 200
    for access in (tokens["access_token"], refreshed["access_token"]):
        me = await client.get("v1.0/users/@me/info", headers=api_headers(access))
        assert me.status_code == 401
        assert me.json() == {"Message": "Authorization has been denied for this request."}
    again = await client.post(
        "oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    stats = (await client.get("_sandbox/stats")).json()
    assert stats["Revocations"] == 1
    assert stats["TokenGrants"] == {"authorization_code": 1, "refresh_token": 1}


async def test_revoking_access_token_keeps_refresh_token(client: httpx.AsyncClient, sign_in: SignIn) -> None:
    tokens = await sign_in("alice")
    revoked = await client.post(
        "oauth/revoke",
        data={
            "token": tokens["access_token"],
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
        },
    )
    assert revoked.status_code == 200
    me = await client.get("v1.0/users/@me/info", headers=api_headers(tokens["access_token"]))
    assert me.status_code == 401
    refreshed = await client.post(
        "oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert refreshed.status_code == 200


async def test_auth0_logout_redirects_to_loopback_return_to(client: httpx.AsyncClient) -> None:
    back = "http://127.0.0.1:3000/signed-out"
    response = await client.get("v2/logout", params={"client_id": "sandbox-client", "returnTo": back})
    assert response.status_code == 302 and response.headers["location"] == back
    foreign = await client.get("v2/logout", params={"returnTo": "https://evil.example.com/"})
    assert foreign.status_code == 400


async def test_etna_token_and_logout(client: httpx.AsyncClient) -> None:
    ok = await client.post(
        "token", headers={"Et-App-Key": "sandbox-app-key", "Username": "bob", "Password": "sandbox"}
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["State"] == "Succeeded"
    headers = api_headers(body["Token"])
    assert (await client.get("v1.0/users/@me/info", headers=headers)).json()["Login"] == "bob"
    bad = await client.post(
        "token", headers={"Et-App-Key": "sandbox-app-key", "Username": "bob", "Password": "x"}
    )
    assert bad.status_code == 401 and bad.json()["State"] == "Failed"
    wrong_key = await client.post(
        "token", headers={"Et-App-Key": "nope", "Username": "bob", "Password": "sandbox"}
    )
    assert wrong_key.status_code == 403
    out = await client.post("logout", headers=headers)
    assert out.status_code == 200
    assert (await client.get("v1.0/users/@me/info", headers=headers)).status_code == 401


async def test_expired_code_is_rejected(sb: RunningSandbox, client: httpx.AsyncClient) -> None:
    result = await get_code(client)
    record = sb.sandbox.state.codes[result.code]
    assert 590 < record.expires_at - time.time() <= 600  # issued for 10 minutes
    record.expires_at -= 601
    response = await exchange(client, result)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
