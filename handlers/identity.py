"""Sign in with Slack (OpenID Connect): which Slack user a browser belongs to.

Discovery is read from the origin of ``SLACK_API_URL`` (``https://slack.com/.well-known/
openid-configuration`` in production; the local Slack stand-in serves the same endpoints). The
browser is sent to Slack's ``authorization_endpoint`` with the ``openid`` scope; the code comes
back to ``/slack/identity`` and is redeemed through the ``openid.connect.token`` Web API method
(slack_sdk); the ID token is verified against Slack's JWKS (signature, issuer, audience, expiry,
nonce). The signed-in team and user are Slack's own claims.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.autoshares.errors import AutoSharesError
from bot.autoshares.oidc import OidcClient
from bot.core.errors import SlackIdentityFailed

log = logging.getLogger(__name__)

TEAM_CLAIM = "https://slack.com/team_id"
USER_CLAIM = "https://slack.com/user_id"


def slack_origin(api_url: str) -> str:
    """``https://slack.com/api/`` → ``https://slack.com/``: where Slack's discovery lives."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/"


class SlackOpenIdConnect:
    """``bot.core.ports.SlackIdentity`` against Slack (or its local stand-in)."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_url: str,
        client_id: str | None,
        client_secret: str | None,
        redirect_uri: str,
    ) -> None:
        self._api_url = api_url
        self._client_id = client_id or ""
        self._client_secret = client_secret or ""
        self._redirect_uri = redirect_uri
        self._oidc = OidcClient(
            http,
            issuer=slack_origin(api_url),
            client_id=self._client_id,
            client_secret=self._client_secret,
            redirect_uri=redirect_uri,
            scopes="openid",
            setting="SLACK_API_URL",
        )

    @property
    def configured(self) -> bool:
        return bool(self._client_id and self._client_secret)

    @property
    def discovery_url(self) -> str:
        return self._oidc.discovery_url

    async def authorization_url(self, *, state: str, nonce: str, team_id: str) -> str:
        try:
            # ``team`` takes the user straight to the workspace the link was asked for.
            return await self._oidc.authorization_url(
                state=state, code_verifier=None, nonce=nonce, team=team_id
            )
        except AutoSharesError as exc:
            raise SlackIdentityFailed(str(exc)) from None

    async def verify(self, code: str, nonce: str) -> tuple[str, str]:
        client = AsyncWebClient(base_url=self._api_url)
        try:
            answer = await client.openid_connect_token(
                client_id=self._client_id,
                client_secret=self._client_secret,
                code=code,
                redirect_uri=self._redirect_uri,
            )
        except SlackApiError as exc:
            raise SlackIdentityFailed(
                f"openid.connect.token refused the code: {exc.response.get('error')}"
            ) from None
        except Exception as exc:  # Slack unreachable, or not answering JSON
            raise SlackIdentityFailed(f"openid.connect.token failed: {type(exc).__name__}") from None
        try:
            claims = (await self._oidc.validate_id_token(dict(answer.data), nonce)).claims  # type: ignore[arg-type]
        except AutoSharesError as exc:
            raise SlackIdentityFailed(f"Slack's ID token was not accepted: {exc}") from None
        team_id, user_id = claims.get(TEAM_CLAIM), claims.get(USER_CLAIM) or claims.get("sub")
        if not team_id or not user_id:
            raise SlackIdentityFailed("Slack's ID token names no team or user")
        return str(team_id), str(user_id)
