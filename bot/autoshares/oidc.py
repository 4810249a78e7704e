"""The AutoShares identity provider, spoken to through standard OpenID Connect discovery.

Protocol pieces come from authlib (grant URI, PKCE S256 challenge, ID token claim rules) and
joserfc (JWS verification against the issuer's JWKS); the HTTP goes through the process's one
httpx client. Nothing Auth0-specific is assumed beyond what discovery advertises, so a Keycloak
realm works the same way.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from bot.autoshares.errors import IssuerMisconfigured, OAuthError

log = logging.getLogger(__name__)

LINK_SCOPES = "openid profile email offline_access"


@dataclass(frozen=True)
class IdentityClaims:
    subject: str
    email: str | None
    name: str | None
    nickname: str | None
    claims: dict[str, Any] = field(default_factory=dict, repr=False)  # every verified claim


def new_code_verifier() -> str:
    """A PKCE code verifier (RFC 7636: 43-128 unreserved characters)."""
    return generate_token(64)


def new_nonce() -> str:
    return generate_token(32)


class OidcClient:
    """Discovery, authorization URL, code exchange, ID token validation, refresh and revocation."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        audience: str | None = None,
        scopes: str = LINK_SCOPES,
        setting: str = "AUTH0_DOMAIN",
    ) -> None:
        self._http = http
        self.issuer = issuer
        self.client_id = client_id
        self._client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.audience = audience
        self.scopes = scopes
        self.setting = setting  # the setting an operator fixes when discovery fails
        self._metadata: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    async def metadata(self) -> dict[str, Any]:
        """The issuer's discovery document, fetched once and checked."""
        if self._metadata is not None:
            return self._metadata
        async with self._lock:
            if self._metadata is None:
                try:
                    response = await self._http.get(self.discovery_url)
                    response.raise_for_status()
                    document = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    raise IssuerMisconfigured(
                        f"Cannot read the OIDC discovery document at {self.discovery_url} "
                        f"(check {self.setting}): {type(exc).__name__}"
                    ) from None
                if document.get("issuer", "").rstrip("/") != self.issuer.rstrip("/"):
                    raise IssuerMisconfigured(
                        f"The discovery document at {self.discovery_url} names issuer "
                        f"{document.get('issuer')!r}, not {self.issuer!r} (check {self.setting})"
                    )
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not document.get(key):
                        raise IssuerMisconfigured(
                            f"The discovery document at {self.discovery_url} has no {key}"
                        )
                self._metadata = document
        return self._metadata

    async def authorization_url(
        self, *, state: str, code_verifier: str | None, nonce: str, **params: str
    ) -> str:
        """The authorization endpoint's URL (PKCE S256 when ``code_verifier`` is given)."""
        metadata = await self.metadata()
        extra: dict[str, str] = {"nonce": nonce, **params}
        if code_verifier:
            extra["code_challenge"] = create_s256_code_challenge(code_verifier)
            extra["code_challenge_method"] = "S256"
        if self.audience:
            extra["audience"] = self.audience
        return prepare_grant_uri(
            metadata["authorization_endpoint"],
            client_id=self.client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=self.scopes,
            state=state,
            **extra,
        )

    async def _token_request(self, data: dict[str, str]) -> dict[str, Any]:
        metadata = await self.metadata()
        endpoint = metadata["token_endpoint"]
        try:
            response = await self._http.post(
                endpoint,
                data=data,
                auth=(self.client_id, self._client_secret),
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise OAuthError(f"Token endpoint {endpoint} unreachable: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or "access_token" not in body:
            error = body.get("error") if isinstance(body, dict) else None
            raise OAuthError(
                f"Token endpoint {endpoint} answered {response.status_code} ({error or 'no error code'})",
                error=error,
                rejected=400 <= response.status_code < 500,
            )
        return body

    async def exchange_code(self, code: str, code_verifier: str) -> dict[str, Any]:
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": code_verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return await self._token_request(data)

    async def _key_set(self, *, force: bool = False) -> KeySet:
        if self._jwks is None or force:
            metadata = await self.metadata()
            try:
                response = await self._http.get(metadata["jwks_uri"])
                response.raise_for_status()
                self._jwks = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise OAuthError(f"JWKS at {metadata['jwks_uri']} unreadable: {type(exc).__name__}") from None
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    async def validate_id_token(self, token: dict[str, Any], nonce: str) -> IdentityClaims:
        """Verify the ID token's signature (issuer JWKS) and claims: iss, aud, exp, nonce, at_hash."""
        raw = token.get("id_token")
        if not raw:
            raise OAuthError("The token response carried no id_token (is the openid scope allowed?)")
        metadata = await self.metadata()
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[a for a in algorithms if a != "none"], strict_check_header=False)
        try:
            try:
                decoded = jwt.decode(raw, await self._key_set(), registry=registry)
            except JoseError:
                decoded = jwt.decode(raw, await self._key_set(force=True), registry=registry)
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {"iss": {"values": [metadata["issuer"]]}},
                {"nonce": nonce, "client_id": self.client_id, "access_token": token.get("access_token")},
            )
            claims.validate(leeway=120)
        except (JoseError, ValueError) as exc:
            raise OAuthError(f"ID token rejected: {type(exc).__name__}: {exc}", rejected=True) from None
        return IdentityClaims(
            subject=str(claims.get("sub")),
            email=claims.get("email"),
            name=claims.get("name"),
            nickname=claims.get("nickname"),
            claims=dict(claims),
        )

    async def revoke(self, token: str, hint: str = "refresh_token") -> bool:
        """Revoke at the issuer when it offers revocation; False when it does not or fails."""
        metadata = await self.metadata()
        endpoint = metadata.get("revocation_endpoint")
        if not endpoint:
            return False
        try:
            response = await self._http.post(
                endpoint,
                data={"token": token, "token_type_hint": hint},
                auth=(self.client_id, self._client_secret),
            )
        except httpx.HTTPError as exc:
            log.warning("revocation at %s failed: %s", endpoint, type(exc).__name__)
            return False
        if response.status_code != 200:
            log.warning("revocation at %s answered %s", endpoint, response.status_code)
        return response.status_code == 200
