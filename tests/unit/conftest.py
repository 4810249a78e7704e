"""Fixtures of the unit tests: an OpenID Connect issuer played over httpx's MockTransport."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "https://issuer.test/"
CLIENT_ID = "client-abc"


@dataclass
class Issuer:
    """An identity provider's HTTP side: discovery, JWKS, token and revocation endpoints."""

    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    discovery: dict[str, Any] = field(
        default_factory=lambda: {
            "issuer": ISSUER,
            "authorization_endpoint": ISSUER + "authorize",
            "token_endpoint": ISSUER + "oauth/token",
            "jwks_uri": ISSUER + ".well-known/jwks.json",
            "revocation_endpoint": ISSUER + "oauth/revoke",
            "id_token_signing_alg_values_supported": ["RS256"],
        }
    )
    token_answer: tuple[int, dict[str, Any]] = (200, {"access_token": "at-1", "token_type": "Bearer"})
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json=self.discovery)
        if path == "/.well-known/jwks.json":
            return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if path == "/oauth/token":
            status, body = self.token_answer
            return httpx.Response(status, json=body)
        if path == "/oauth/revoke":
            return httpx.Response(200)
        return httpx.Response(404)

    def id_token(self, *, key: RSAKey | None = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "auth0|alice", "iat": now, "exp": now + 600, **claims}
        signer = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signer.kid}, body, signer)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


@pytest.fixture(scope="session")
def issuer_key() -> RSAKey:
    """One signing key for the session: generating a 2048-bit key takes a tenth of a second."""
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture
def issuer(issuer_key: RSAKey) -> Issuer:
    """A fresh issuer (its own requests and answers) signing with the session's key."""
    return Issuer(key=issuer_key)
