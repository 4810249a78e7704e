"""The trading API's own login, ``POST /token``: an OIDC authorization code for a trading token.

AutoShares' SSO page (AutoSharesAPI/API ``pages/sso.md``, "Authenticate via API Proxy") says to
exchange for a trading token at ``POST {api}/token`` after the OIDC callback and to use that
``Token`` as the bearer of every trading call. The spec's ``/token`` (``openapi.yaml``,
operation ``Get_token``) takes the user's ``OAuthCode`` and ``RedirectUri`` as headers (besides
``Username``/``Password``) with ``Et-App-Key``, and answers ``200 {"State": "Succeeded",
"Token": …}``, ``202 {"State": "Expecting", "Step": …}`` when it wants another step (a PIN or a
verification code, which a bot cannot give), or ``401 {"State": "Failed", "Step", "Reason"}``.
The answer carries no lifetime: the pages say 60 minutes (SSO, Quick Start) or 24 hours
(Requesting Tokens), so the caller decides how long to trust it. ``POST /logout`` with the token
as bearer ends it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.autoshares.errors import AutoSharesAppKeyRejected, OAuthError
from bot.autoshares.tokens import TokenSet

log = logging.getLogger(__name__)

#: What a stored trading token says in place of OIDC scopes: how it was obtained, so that unlinking
#: ends it with ``POST /logout`` (there is no refresh token to revoke at the issuer).
TRADING_TOKEN_SCOPE = "autoshares:trading-token"


def trading_token_set(token: str, lifetime_seconds: int) -> TokenSet:
    """A trading token as stored: no refresh token, an expiry the caller chose (the answer gives
    none), so the user is asked to link again once it has passed."""
    return TokenSet(
        access_token=token,
        refresh_token=None,
        expires_at=datetime.now(UTC) + timedelta(seconds=lifetime_seconds),
        scopes=TRADING_TOKEN_SCOPE,
    )


class TradingTokenClient:
    """``POST /token`` and ``POST /logout`` at the trading API's base URL (no ``/v1.0``)."""

    def __init__(self, http: httpx.AsyncClient, *, base_url: str, app_key: str) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/") + "/"
        self._app_key = app_key

    @property
    def token_url(self) -> str:
        return self.base_url + "token"

    async def exchange_code(self, code: str, redirect_uri: str) -> str:
        """The trading token for an authorization code (raises ``OAuthError``: ``rejected`` when
        AutoShares said no, not when it could not be reached)."""
        headers = {
            "Et-App-Key": self._app_key,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "OAuthCode": code,
            "RedirectUri": redirect_uri,
        }
        try:
            response = await self._http.post(self.token_url, content=b"", headers=headers)
        except httpx.HTTPError as exc:
            raise OAuthError(f"AutoShares {self.token_url} unreachable: {type(exc).__name__}") from None
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        token = body.get("Token")
        if response.status_code == 200 and body.get("State") == "Succeeded" and token:
            return str(token)
        where = f"AutoShares {self.token_url} answered {response.status_code}"
        if response.status_code == 403:
            raise AutoSharesAppKeyRejected(
                f"{where} (check AUTOSHARES_APP_KEY)", status=403, endpoint="POST /token"
            )
        step, reason = body.get("Step"), body.get("Reason")
        detail = ", ".join(str(x) for x in (body.get("State"), step, reason) if x)
        if response.status_code == 202:
            # Another sign-in step (PIN, verification code) that nobody can give through the bot.
            raise OAuthError(
                f"{where}: another step is expected ({detail})", error="step_expected", rejected=True
            )
        raise OAuthError(
            f"{where}" + (f" ({detail})" if detail else ""),
            error=str(step or reason or "failed"),
            rejected=400 <= response.status_code < 500,
        )

    async def logout(self, token: str) -> bool:
        """End a trading token (``POST /logout``); False when AutoShares could not be told."""
        headers = {
            "Et-App-Key": self._app_key,
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
        }
        try:
            response = await self._http.post(self.base_url + "logout", headers=headers)
        except httpx.HTTPError as exc:
            log.warning("trading token logout failed: %s", type(exc).__name__)
            return False
        if not response.is_success:
            log.warning("trading token logout answered %s", response.status_code)
        return response.is_success
