"""The OpenID Connect provider's HTTP endpoints (Auth0-style paths).

GET  /.well-known/openid-configuration   discovery document
GET  /.well-known/jwks.json              public signing keys
GET  /authorize                          validates the request, shows the login form
POST /authorize                          checks username/password, redirects with code+state
POST /oauth/token                        authorization_code (+code_verifier) and refresh_token
GET  /userinfo                           claims of the bearer token's user
POST /oauth/revoke                       RFC 7009 revocation
GET  /v2/logout?client_id=&returnTo=     Auth0 logout: redirects to returnTo

The protocol work is authlib's (see ``oauth_server``); these handlers read the Starlette request,
apply the auth rate limit, and render the login page.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from authlib.oauth2 import OAuth2Error
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.login_page import render_error_page, render_login_page
from sandbox.oauth_server import SUPPORTED_SCOPES, PreparedRequest, is_loopback_uri, user_claims

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox

_CREDENTIAL_FIELDS = {"username", "password", "action"}


def discovery_document(issuer: str) -> dict[str, Any]:
    """The OIDC discovery document for an issuer URL ending in '/'."""
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}authorize",
        "token_endpoint": f"{issuer}oauth/token",
        "userinfo_endpoint": f"{issuer}userinfo",
        "jwks_uri": f"{issuer}.well-known/jwks.json",
        "revocation_endpoint": f"{issuer}oauth/revoke",
        "end_session_endpoint": f"{issuer}v2/logout",
        "scopes_supported": list(SUPPORTED_SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "subject_types_supported": ["public"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
        ],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "name",
            "nickname",
            "given_name",
            "family_name",
            "email",
            "email_verified",
            "updated_at",
        ],
    }


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class IdentityRoutes:
    """Handlers bound to one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
            Route("/.well-known/jwks.json", self.jwks, methods=["GET"]),
            Route("/authorize", self.authorize_form, methods=["GET"]),
            Route("/authorize", self.authorize_submit, methods=["POST"]),
            Route("/oauth/token", self.token, methods=["POST"]),
            Route("/userinfo", self.userinfo, methods=["GET", "POST"]),
            Route("/oauth/revoke", self.revoke, methods=["POST"]),
            Route("/v2/logout", self.logout, methods=["GET"]),
        ]

    # -- discovery -----------------------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        return JSONResponse(discovery_document(self.sb.issuer(request)))

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.sb.signing.jwks())

    # -- authorization endpoint ----------------------------------------------------------------
    def _prepare(self, request: Request, items: list[tuple[str, str]]) -> PreparedRequest:
        return PreparedRequest(
            request.method, str(request.url), request.headers, items, self.sb.issuer(request)
        )

    async def authorize_form(self, request: Request) -> Response:
        items = list(request.query_params.multi_items())
        prepared = self._prepare(request, items)
        try:
            self.sb.oauth.get_consent_grant(prepared)
        except OAuth2Error as error:
            return self._authorization_error(error)
        return HTMLResponse(render_login_page(dict(items)))

    async def authorize_submit(self, request: Request) -> Response:
        async with request.form() as form:
            submitted = {k: str(v) for k, v in form.multi_items()}
            request_items = [(k, str(v)) for k, v in form.multi_items() if k not in _CREDENTIAL_FIELDS]
        items = list(request.query_params.multi_items()) + request_items
        prepared = self._prepare(request, items)
        try:
            grant = self.sb.oauth.get_consent_grant(prepared)
        except OAuth2Error as error:
            return self._authorization_error(error)
        if submitted.get("action") == "deny":
            return self.sb.oauth.create_authorization_response(prepared, None, grant)
        limited = self.sb.limit_auth(request, self.sb.auth_subject(submitted.get("username", "")))
        if limited is not None:
            return limited
        user = self.sb.identity.authenticate_password(
            submitted.get("username", ""), submitted.get("password", "")
        )
        if user is None:
            params = dict(items) | {"username": submitted.get("username", "")}
            return HTMLResponse(
                render_login_page(params, error="Wrong username or password."), status_code=200
            )
        return self.sb.oauth.create_authorization_response(prepared, user, grant)

    @staticmethod
    def _authorization_error(error: OAuth2Error) -> Response:
        status, body, headers = error()
        if status == 302:
            return RedirectResponse(dict(headers)["Location"], status_code=302)
        return HTMLResponse(
            render_error_page(error.error or "invalid_request", error.get_error_description()),
            status_code=400,
        )

    # -- token endpoint ------------------------------------------------------------------------
    async def token(self, request: Request) -> Response:
        items = await _body_items(request)
        if items is None:
            return JSONResponse(
                {"error": "invalid_request", "error_description": "Malformed request body."},
                status_code=400,
            )
        limited = self.sb.limit_auth(request, self._token_subject(dict(items)))
        if limited is not None:
            return limited
        return self.sb.oauth.create_token_response(self._prepare(request, items))

    def _token_subject(self, data: dict[str, str]) -> str:
        """Whose grant this is, for the per-user auth rate limit (peeks without consuming)."""
        state = self.sb.state
        if data.get("grant_type") == "authorization_code":
            code = state.codes.get(data.get("code", ""))
            if code is not None:
                return f"user:{code.user_id}"
        if data.get("grant_type") == "refresh_token":
            refresh = state.refresh_tokens.get(data.get("refresh_token", ""))
            if refresh is not None:
                return f"user:{refresh.user_id}"
        return ""

    async def revoke(self, request: Request) -> Response:
        items = await _body_items(request)
        if items is None:
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        return self.sb.oauth.create_endpoint_response("revocation", self._prepare(request, items))

    # -- userinfo and logout -------------------------------------------------------------------
    async def userinfo(self, request: Request) -> Response:
        token = bearer_token(request)
        record = self.sb.identity.active_access_token(token) if token else None
        user = self.sb.state.users.get(record.user_id) if record else None
        if record is None or user is None:
            return JSONResponse(
                {"error": "invalid_token", "error_description": "The access token is invalid."},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(user_claims(user, record.scope or "openid"))

    async def logout(self, request: Request) -> Response:
        client_id = request.query_params.get("client_id")
        return_to = request.query_params.get("returnTo")
        if client_id is not None and client_id != self.sb.config.client_id:
            return HTMLResponse(render_error_page("invalid_client", "Unknown client_id."), 400)
        if return_to:
            if not is_loopback_uri(return_to):
                return HTMLResponse(
                    render_error_page("invalid_request", "returnTo is not an allowed URL."), 400
                )
            return RedirectResponse(return_to, status_code=302)
        return HTMLResponse("<!doctype html><title>Signed out</title><p>You are signed out.</p>")


async def _body_items(request: Request) -> list[tuple[str, str]] | None:
    """Form fields (or a JSON object's string fields, as Auth0 also accepts) of a POST body."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return [(str(k), str(v)) for k, v in data.items() if v is not None]
    async with request.form() as form:
        return [(k, str(v)) for k, v in form.multi_items()]
