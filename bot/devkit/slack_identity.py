"""Sign in with Slack, played locally: the OpenID Connect half of the local Slack stand-in.

It serves what Slack serves at its origin (discovery, ``/openid/connect/authorize``, the JWKS)
and answers the ``openid.connect.token`` Web API method, signing ID tokens with an RSA key made
at start-up. Nobody types a password: the "browser" is signed in to Slack as whoever
``signed_in`` names (a script sets it), and the authorize endpoint sends it straight back with a
code, the way Slack does for a user who is already signed in and consents.
"""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"
CODE_SECONDS = 600


@dataclass(frozen=True)
class _Grant:
    team_id: str
    user_id: str
    nonce: str | None
    redirect_uri: str
    expires_at: float


class LocalSlackIdentity:
    def __init__(
        self, *, client_id: str = "local-client-id", client_secret: str = "local-client-secret"
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.signed_in: tuple[str, str] | None = None  # (team id, user id) of the browser's Slack session
        self.issuer = ""  # the stand-in's origin, set once it listens
        self._key = RSAKey.generate_key(2048, parameters={"kid": "local-slack", "use": "sig", "alg": "RS256"})
        self._codes: dict[str, _Grant] = {}

    def reset(self) -> None:
        self.signed_in = None
        self._codes.clear()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/.well-known/openid-configuration", self._discovery, methods=["GET"]),
            Route("/openid/connect/authorize", self._authorize, methods=["GET"]),
            Route("/openid/connect/keys", self._keys, methods=["GET"]),
        ]

    async def _discovery(self, _request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/openid/connect/authorize",
                "token_endpoint": f"{self.issuer}/api/openid.connect.token",
                "userinfo_endpoint": f"{self.issuer}/api/openid.connect.userInfo",
                "jwks_uri": f"{self.issuer}/openid/connect/keys",
                "scopes_supported": ["openid", "profile", "email"],
                "response_types_supported": ["code"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
                "claims_supported": ["sub", "auth_time", "iss", TEAM_CLAIM, USER_CLAIM],
            }
        )

    async def _keys(self, _request: Request) -> Response:
        return JSONResponse({"keys": [self._key.as_dict(private=False)]})

    async def _authorize(self, request: Request) -> Response:
        query = request.query_params
        redirect_uri, state = query.get("redirect_uri") or "", query.get("state") or ""
        if query.get("client_id") != self.client_id or not redirect_uri:
            return PlainTextResponse("invalid_client_id or missing redirect_uri", status_code=400)
        if "openid" not in (query.get("scope") or "").split():
            return PlainTextResponse("the openid scope is required", status_code=400)
        if self.signed_in is None:
            return RedirectResponse(f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}")
        code = secrets.token_urlsafe(24)
        team_id, user_id = self.signed_in
        self._codes[code] = _Grant(
            team_id, user_id, query.get("nonce"), redirect_uri, time.time() + CODE_SECONDS
        )
        return RedirectResponse(
            f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=302
        )

    def token(self, args: dict[str, Any], authorization: str) -> dict[str, Any]:
        """The ``openid.connect.token`` method (client credentials in Basic auth or the form)."""
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return {"ok": False, "error": "invalid_client_id"}
        grant = self._codes.pop(str(args.get("code") or ""), None)
        if grant is None or grant.expires_at < time.time():
            return {"ok": False, "error": "invalid_code"}
        if args.get("redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": grant.user_id,
            "aud": self.client_id,
            "exp": now + 3600,
            "iat": now,
            "auth_time": now,
            TEAM_CLAIM: grant.team_id,
            USER_CLAIM: grant.user_id,
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": "local-slack"}, claims, self._key)
        return {
            "ok": True,
            "access_token": "xoxp-identity-" + secrets.token_hex(8),
            "token_type": "Bearer",
            "id_token": id_token,
        }
