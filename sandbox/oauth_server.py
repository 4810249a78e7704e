"""The OAuth 2.0 / OpenID Connect authorization server, built from authlib's server parts.

authlib supplies the protocol (RFC 6749 authorization-code and refresh grants, RFC 7636 PKCE,
RFC 7009 revocation, OIDC ID tokens); this module supplies what authlib leaves to the
integrator: the client registry, storage of codes and tokens in ``SandboxState``, the token
generator, and the bridge from Starlette requests (authlib has no Starlette server integration,
so the async handler reads the body first and hands authlib a ready request; authlib's server
code is synchronous and, with an in-memory store, never blocks).

Policy, as AutoShares' Auth0 tenant behaves:
- confidential client only, authenticated by client_secret_basic or client_secret_post;
- redirect URIs: any http(s) URI on a loopback host (127.0.0.1, localhost, ::1);
- PKCE S256 is mandatory ("plain" or no challenge is refused);
- codes are single use and live ``authorization_code_ttl`` seconds; presenting a spent code
  also revokes the tokens it produced (RFC 6749 section 4.1.2);
- a refresh token is issued when the scope has ``offline_access``; it neither rotates nor
  expires; revoking it revokes the access tokens obtained with it.
"""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    OAuth2Payload,
    OAuth2Request,
    scope_to_list,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant, RefreshTokenGrant
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, OpenIDToken
from starlette.responses import JSONResponse, Response

from sandbox.config import SandboxConfig
from sandbox.signing import SigningKey
from sandbox.state import AccessToken, AuthorizationCode, RefreshToken, SandboxState, User, new_token

SUPPORTED_SCOPES = ("openid", "profile", "email", "offline_access")
CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
ID_TOKEN_TTL = 36_000  # Auth0's default ID token lifetime


def is_loopback_uri(uri: str) -> bool:
    """True for an http(s) URI whose host is 127.0.0.1, localhost or ::1 (any port, any path)."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def user_claims(user: User, scope: str | Iterable[str] = SUPPORTED_SCOPES) -> dict[str, Any]:
    """The OIDC claims of a user, shared by the ID token and /userinfo."""
    scopes = set(scope_to_list(scope) if isinstance(scope, str) else scope)
    claims: dict[str, Any] = {"sub": f"auth0|{user.id}"}
    if "profile" in scopes or "openid" in scopes:
        claims.update(
            name=user.full_name,
            nickname=user.login,
            given_name=user.first_name,
            family_name=user.last_name,
            updated_at=int(user.added.timestamp()),
        )
    if "email" in scopes or "openid" in scopes:
        claims.update(email=user.email, email_verified=True)
    return claims


class SandboxClient(ClientMixin):
    """The one registered confidential client."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # the request must name its redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str:
        requested = scope_to_list(scope) or []
        return " ".join(s for s in requested if s in SUPPORTED_SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return is_loopback_uri(redirect_uri)

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in CLIENT_AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


class PreparedPayload(OAuth2Payload):
    """Request parameters already read from the Starlette request (query and/or form)."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._datalist: dict[str, list[str]] = {}
        for key, value in items:
            self._datalist.setdefault(key, []).append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> dict[str, list[str]]:  # type: ignore[override]
        return self._datalist


class PreparedRequest(OAuth2Request):
    """An authlib request made from a Starlette request whose body has been read."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Any,
        items: list[tuple[str, str]],
        issuer: str,
    ) -> None:
        # authlib refuses non-TLS URIs except loopback; the sandbox is plain HTTP by design and
        # the URI is used for nothing else, so hand it the https form.
        super().__init__(method=method, uri=uri.replace("http://", "https://", 1), headers=headers)
        self.payload = PreparedPayload(items)
        self._form = dict(self.payload.data)
        self.issuer = issuer

    @property
    def args(self) -> dict[str, str]:
        return self._form

    @property
    def form(self) -> dict[str, str]:
        return self._form


class IdentityStore:
    """What the grants need from the sandbox: state, settings, the signing key."""

    def __init__(self, state: SandboxState, config: SandboxConfig, signing: SigningKey) -> None:
        self.state = state
        self.config = config
        self.signing = signing
        self.client = SandboxClient(config.client_id, config.client_secret)
        #: spent code -> tokens it produced, so a replayed code can revoke them
        self.spent_codes: dict[str, list[str]] = {}

    def query_client(self, client_id: str) -> SandboxClient | None:
        return self.client if client_id == self.client.client_id else None

    def authenticate_password(self, login: str, password: str) -> User | None:
        user = self.state.user_by_login(login) if login else None
        if user and hmac.compare_digest(user.password.encode(), password.encode()):
            return user
        return None

    def issue_access_token(
        self,
        *,
        client_id: str,
        user_id: int,
        scope: str,
        refresh_token: str | None = None,
        ttl: int | None = None,
    ) -> AccessToken:
        token = AccessToken(
            token=new_token(),
            client_id=client_id,
            user_id=user_id,
            scope=scope,
            expires_at=time.time() + (ttl or self.config.access_token_ttl),
            refresh_token=refresh_token,
        )
        self.state.access_tokens[token.token] = token
        return token

    def active_access_token(self, token: str) -> AccessToken | None:
        record = self.state.access_tokens.get(token)
        return record if record is not None and record.is_active() else None

    def revoke(self, record: AccessToken | RefreshToken) -> None:
        """Revoke a token; a refresh token takes its access tokens with it."""
        record.revoked = True
        if isinstance(record, RefreshToken):
            for access in self.state.access_tokens.values():
                if access.refresh_token == record.token:
                    access.revoked = True
        self.state.stats.revocations += 1


class SandboxCodeChallenge(CodeChallenge):
    """PKCE with S256 only, required of every authorization request and code exchange."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: Any) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: missing 'code_challenge'.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE 'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'.")
        super().validate_code_verifier(grant, result)


class _IdTokenMixin:
    """ID token claims and signing shared by the code and refresh grants."""

    store: IdentityStore

    def resolve_client_private_key(self, client: Any) -> Any:
        return self.store.signing.key

    def get_client_algorithm(self, client: Any) -> str:
        return SigningKey.algorithm

    def get_encode_header(self, client: Any) -> dict[str, str]:
        return {"alg": SigningKey.algorithm, "kid": self.store.signing.kid, "typ": "JWT"}

    def get_client_claims(self, client: Any) -> dict[str, Any]:
        return {"aud": client.get_client_id()}

    def get_compatible_claims(self, request: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = self.get_client_claims(request.client)
        claims.update(iss=request.issuer, iat=now, exp=now + ID_TOKEN_TTL, auth_time=now)
        return claims

    def generate_user_info(self, user: User, scope: str) -> dict[str, Any]:
        return user_claims(user, scope)


class SandboxOpenIDCode(_IdTokenMixin, OpenIDCode):
    """Adds the ID token (with nonce) to the authorization-code token response."""

    def __init__(self, store: IdentityStore) -> None:
        super().__init__(require_nonce=False)
        self.store = store

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return False  # nonces are echoed, not tracked, as Auth0 does


class SandboxOpenIDRefresh(_IdTokenMixin, OpenIDToken):
    """Adds a fresh ID token to refresh responses when the scope has openid (as Auth0 does)."""

    def __init__(self, store: IdentityStore) -> None:
        self.store = store


class SandboxAuthorizationCodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    store: IdentityStore

    def save_authorization_code(self, code: str, request: Any) -> None:
        data = request.payload.data
        record = AuthorizationCode(
            code=code,
            client_id=request.client.get_client_id(),
            user_id=request.user.id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope or "",
            expires_at=time.time() + self.store.config.authorization_code_ttl,
            code_challenge=data["code_challenge"],
            code_challenge_method=data.get("code_challenge_method", "S256"),
            nonce=data.get("nonce"),
            audience=data.get("audience"),
        )
        self.store.state.codes[code] = record

    def query_authorization_code(self, code: str, client: Any) -> AuthorizationCode | None:
        spent = self.store.spent_codes.get(code)
        if spent is not None:
            state = self.store.state
            for token in spent:
                issued = state.access_tokens.get(token) or state.refresh_tokens.get(token)
                if issued is not None and not issued.revoked:
                    self.store.revoke(issued)
            return None
        record = self.store.state.codes.get(code)
        if record is None or record.client_id != client.get_client_id():
            return None
        if record.expires_at <= time.time():
            del self.store.state.codes[code]
            return None
        return record

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        self.store.state.codes.pop(authorization_code.code, None)
        self.store.spent_codes.setdefault(authorization_code.code, [])

    def authenticate_user(self, authorization_code: AuthorizationCode) -> User | None:
        return self.store.state.users.get(authorization_code.user_id)


class SandboxRefreshTokenGrant(RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = CLIENT_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = False  # refresh tokens do not rotate
    store: IdentityStore

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        record = self.store.state.refresh_tokens.get(refresh_token)
        return record if record is not None and not record.revoked else None

    def authenticate_user(self, refresh_token: RefreshToken) -> User | None:
        return self.store.state.users.get(refresh_token.user_id)

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        return None  # no rotation: the refresh token stays valid


class SandboxRevocationEndpoint(RevocationEndpoint):
    CLIENT_AUTH_METHODS = CLIENT_AUTH_METHODS
    store: IdentityStore

    def query_token(self, token_string: str, token_type_hint: str | None) -> Any:
        state = self.store.state
        if token_type_hint == "refresh_token":
            return state.refresh_tokens.get(token_string) or state.access_tokens.get(token_string)
        return state.access_tokens.get(token_string) or state.refresh_tokens.get(token_string)

    def revoke_token(self, token: Any, request: Any) -> None:
        self.store.revoke(token)


class SandboxAuthorizationServer(AuthorizationServer):
    """authlib's AuthorizationServer wired to the sandbox store and to Starlette responses."""

    def __init__(self, store: IdentityStore) -> None:
        super().__init__()
        self.store = store
        # Grants and endpoints are instantiated by authlib; give their classes the store.
        code_grant = type("CodeGrant", (SandboxAuthorizationCodeGrant,), {"store": store})
        refresh_grant = type("RefreshGrant", (SandboxRefreshTokenGrant,), {"store": store})
        revocation = type("Revocation", (SandboxRevocationEndpoint,), {"store": store})
        self.register_grant(code_grant, [SandboxCodeChallenge(required=True), SandboxOpenIDCode(store)])
        self.register_grant(refresh_grant, [SandboxOpenIDRefresh(store)])
        self.register_endpoint(revocation)
        self.register_token_generator("default", self._generate_token)

    def query_client(self, client_id: str) -> SandboxClient | None:
        return self.store.query_client(client_id)

    def _generate_token(
        self,
        grant_type: str,
        client: SandboxClient,
        user: User | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        token: dict[str, Any] = {
            "access_token": new_token(),
            "token_type": "Bearer",
            "expires_in": expires_in or self.store.config.access_token_ttl,
            "scope": scope or "",
        }
        if include_refresh_token and "offline_access" in scope_to_list(scope or ""):
            token["refresh_token"] = new_token(48)
        return token

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        state = self.store.state
        client_id = request.client.get_client_id()
        linked_refresh: str | None = None
        if token.get("refresh_token"):
            refresh = RefreshToken(
                token=token["refresh_token"],
                client_id=client_id,
                user_id=request.user.id,
                scope=token["scope"],
            )
            state.refresh_tokens[refresh.token] = refresh
            linked_refresh = refresh.token
        elif request.refresh_token is not None:
            linked_refresh = request.refresh_token.token
        access = AccessToken(
            token=token["access_token"],
            client_id=client_id,
            user_id=request.user.id,
            scope=token["scope"],
            expires_at=time.time() + token["expires_in"],
            refresh_token=linked_refresh,
        )
        state.access_tokens[access.token] = access
        if request.authorization_code is not None:
            produced = [access.token]
            if token.get("refresh_token") and linked_refresh:
                produced.append(linked_refresh)
            self.store.spent_codes[request.authorization_code.code] = produced
        state.stats.token_grants[request.payload.grant_type or "unknown"] += 1

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        raise TypeError("pass a PreparedRequest built from the Starlette request")

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("no JSON endpoints")

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def handle_response(self, status: int, body: Any, headers: Iterable[tuple[str, str]]) -> Response:
        header_map = {k: v for k, v in headers if k.lower() != "content-type"}
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=header_map)
        return Response(body or "", status_code=status, headers=header_map)
