"""How a request proves who it acts for: httpx auth flows (``httpx.Auth.async_auth_flow``).

:class:`UserTokenAuth` carries a signed-in user's bearer token, refreshes it first when it is
about to expire, and on a 401 refreshes once (single flight, see ``tokens``) and sends the
request again; a 401 means the request was not processed, so repeating even a write is safe.
If AutoShares refuses the fresh token too, the user is marked as needing to link again.
:class:`BearerToken` is a fixed token that is never refreshed (a sign-in being completed).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable

import httpx

from bot.autoshares.tokens import Grant, TokenManager


def _bearer(request: httpx.Request, token: str) -> None:
    request.headers["Authorization"] = f"Bearer {token}"


class BearerToken(httpx.Auth):
    """A fixed access token: the fresh token of a sign-in, before anything is stored."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        _bearer(request, self._token)
        yield request


class UserTokenAuth(httpx.Auth):
    """A stored user's token: refreshed before expiry, and once on a 401."""

    def __init__(self, tokens: TokenManager, key: Hashable, grant: Grant) -> None:
        self._tokens = tokens
        self._key = key
        self._grant = grant
        self._fresh: str | None = None  # a token this auth refreshed itself

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = self._fresh or await self._tokens.access_token(self._key, self._grant)
        _bearer(request, token)
        response = yield request
        if response.status_code != 401:
            return
        self._fresh = token = await self._tokens.refresh(self._key, stale_token=token)
        _bearer(request, token)
        response = yield request
        if response.status_code == 401:
            await self._tokens.reject(self._key)
