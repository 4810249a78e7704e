"""ETNA's own login endpoints, beside the OIDC provider (openapi.yaml ``/token``, ``/logout``).

POST /token   headers Et-App-Key + Username + Password, or Et-App-Key + OAuthCode + RedirectUri
              -> 200 Succeed {"State": "Succeeded", "Token": "..."}; 401 Failed {"State":
              "Failed", "Step", "Reason"} otherwise; 403 for a wrong Et-App-Key.
              The token is a trading bearer token that the API takes like the ones /oauth/token
              issues, and lives ``trading_token_ttl`` seconds (60 minutes, as the SSO page
              says); the answer does not say so, as the spec's ``Succeed`` has no lifetime.
              OAuthCode path (the SSO page's exchange after the OIDC callback): the code comes
              from /authorize, is single use, must not have expired, and RedirectUri must be
              the redirect_uri it was issued for. ETNA has no place for a PKCE verifier or a
              client secret, so neither is asked here.
POST /logout  headers Et-App-Key + Authorization: Bearer -> 200 {}; the token stops working.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.api.errors import bad_app_key
from sandbox.identity import bearer_token

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox

ETNA_CLIENT = "etna-login"


class EtnaLoginRoutes:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/token", self.token, methods=["POST"]),
            Route("/logout", self.logout, methods=["POST"]),
        ]

    async def token(self, request: Request) -> Response:
        if request.headers.get("et-app-key") != self.sb.config.app_key:
            return bad_app_key().response()
        username = request.headers.get("username", "")
        limited = self.sb.limit_auth(request, self.sb.auth_subject(username))
        if limited is not None:
            return limited
        oauth_code = request.headers.get("oauthcode")
        if oauth_code:
            user_id = self._redeem_code(oauth_code, request.headers.get("redirecturi", ""))
            grant = "etna_oauth_code"
            failed = {"State": "Failed", "Step": "OAuthCode", "Reason": "Invalid, expired or used code."}
        else:
            user = self.sb.identity.authenticate_password(username, request.headers.get("password", ""))
            user_id = user.id if user else None
            grant = "etna_password"
            failed = {"State": "Failed", "Step": "Credentials", "Reason": "Invalid credentials."}
        if user_id is None:
            return JSONResponse(failed, status_code=401)
        token = self.sb.identity.issue_access_token(
            client_id=ETNA_CLIENT, user_id=user_id, scope="trading", ttl=self.sb.config.trading_token_ttl
        )
        self.sb.state.stats.token_grants[grant] += 1
        return JSONResponse({"State": "Succeeded", "Token": token.token})

    def _redeem_code(self, code: str, redirect_uri: str) -> int | None:
        record = self.sb.state.codes.get(code)
        if record is None or record.expires_at <= time.time():
            return None
        if record.redirect_uri != redirect_uri:
            return None
        del self.sb.state.codes[code]
        self.sb.identity.spent_codes.setdefault(code, [])
        return record.user_id

    async def logout(self, request: Request) -> Response:
        if request.headers.get("et-app-key") != self.sb.config.app_key:
            return bad_app_key().response()
        token = bearer_token(request)
        record = self.sb.state.access_tokens.get(token) if token else None
        if record is not None and not record.revoked:
            self.sb.identity.revoke(record)
        return JSONResponse({})
