"""How every trading API call is received: version, app key, token, rate limit, then handler.

Each endpoint is declared once (method, path under ``/v{version}``, handler, rate-limit bucket)
and served at ``/v1.0/...``, at the spec's literal ``/v{version}/...``, and under the spec's
basePath ``/api/v1.0/...``. Checks, in order:

1. version segment is 1.0 (also "1" and the literal "{version}"), else 404;
2. ``Et-App-Key`` equals the configured key, else 403 ``{"error": "Application key is not
   defined or does not exist"}``;
3. ``Authorization: Bearer <token>`` names a live token, else 401
   ``{"Message": "Authorization has been denied for this request."}``;
4. the rate limit of the endpoint's bucket (per token; orders per account), else 429.

Invalid requests (missing or malformed query/path parameters, unreadable or invalid bodies)
answer 422 ``{"Message", "ModelState": {name: [problem]}}``: every operation implemented here
documents 422 for validation errors. The one documented 400 is an invalid ``filter`` on
GET /accounts/{accountId}/orders.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.api.errors import (
    ApiError,
    bad_app_key,
    forbidden,
    invalid_parameter,
    unauthorized,
)
from sandbox.identity import bearer_token
from sandbox.state import AccessToken, Account, User

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox

ACCEPTED_VERSIONS = frozenset({"1.0", "1", "{version}"})
WRITE_ACCESS = frozenset({"Full", "Owner"})


@dataclass
class ApiCall:
    """One authenticated API request, with helpers for the checks every handler repeats."""

    sb: Sandbox
    request: Request
    user: User
    token: AccessToken

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def user_id(self, raw: str | None = None) -> int:
        """The ``{userId}`` of the path: '@me' or the caller's own numeric id."""
        value = self.path_param("userId") if raw is None else raw
        if value == "@me":
            return self.user.id
        if not value.isdigit():
            raise invalid_parameter("userId", f"The value '{value}' is not valid.")
        if int(value) != self.user.id:
            raise forbidden("Access to another user's data is denied.")
        return int(value)

    def account(self, *, write: bool = False, param: str = "accountId") -> Account:
        """The account the path names (``{accountId}``, or the mutual fund operations'
        ``{clearingNumber}``), if the caller is bound to it (with write access)."""
        value = self.path_param(param)
        if not value.isdigit():
            raise invalid_parameter(param, f"The value '{value}' is not valid.")
        account = self.sb.state.accounts.get(int(value))
        if account is None or self.user.id not in account.users:
            raise forbidden(f"Access to account {value} is denied.")
        if write and account.users[self.user.id] not in WRITE_ACCESS:
            raise forbidden(f"Access type {account.users[self.user.id]} cannot trade.")
        return account

    def query_int(self, name: str, *, required: bool, default: int = 0, minimum: int = 0) -> int:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            if required:
                raise invalid_parameter(name, "The query parameter is required.")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid_parameter(name, f"The value '{raw}' is not valid.") from None
        if value < minimum:
            raise invalid_parameter(name, f"Must be at least {minimum}.")
        return value

    def query_bool(self, name: str, *, required: bool, default: bool = False) -> bool:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            if required:
                raise invalid_parameter(name, "The query parameter is required.")
            return default
        if raw.lower() in ("true", "1"):
            return True
        if raw.lower() in ("false", "0"):
            return False
        raise invalid_parameter(name, f"The value '{raw}' is not valid.")

    def query_str(self, name: str, *, required: bool, default: str = "") -> str:
        raw = self.request.query_params.get(name)
        if raw is None or raw == "":
            if required:
                raise invalid_parameter(name, "The query parameter is required.")
            return default
        return raw

    async def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or 422 when it is missing or not an object."""
        body = await self.request.body()
        try:
            data = json.loads(body) if body else None
        except ValueError:
            raise invalid_parameter("body", "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise invalid_parameter("body", "The request body must be a JSON object.")
        return data


Handler = Callable[[ApiCall], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    """One API operation. ``bucket`` names its rate limit (see ``sandbox.ratelimit``)."""

    method: str
    path: str
    handler: Handler
    bucket: str | None = None
    per_account: bool = False


def build_routes(sb: Sandbox, endpoints: Sequence[Endpoint]) -> list[BaseRoute]:
    """Starlette routes for the endpoints, at /v{version}/... and /api/v{version}/..."""
    routes: list[BaseRoute] = []
    for endpoint in endpoints:
        receiver = _receiver(sb, endpoint)
        for prefix in ("/v{version}", "/api/v{version}"):
            routes.append(Route(prefix + endpoint.path, receiver, methods=[endpoint.method]))
    return routes


def _receiver(sb: Sandbox, endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    label = f"{endpoint.method} /v1.0{endpoint.path}"

    async def receive(request: Request) -> Response:
        if request.path_params.get("version") not in ACCEPTED_VERSIONS:
            return JSONResponse({"Message": "No HTTP resource was found."}, status_code=404)
        sb.state.stats.api_requests[label] += 1
        decision = None
        try:
            user, token = authenticate(sb, request)
            call = ApiCall(sb, request, user, token)
            if endpoint.bucket is not None:
                key = (
                    f"account:{request.path_params.get('accountId', request.path_params.get('clearingNumber'))}"
                    if endpoint.per_account
                    else f"token:{token.token}"
                )
                decision = sb.limiter.check(endpoint.bucket, key)
                if decision is not None and not decision.allowed:
                    sb.state.stats.rate_limited += 1
                    raise ApiError(
                        429,
                        {"Message": "API calls quota exceeded. Retry after the reset time."},
                        decision.headers(),
                    )
            result = await endpoint.handler(call)
            response = result if isinstance(result, Response) else JSONResponse(result)
        except ApiError as error:
            response = error.response()
        if decision is not None:
            response.headers.update(decision.headers())
        return response

    return receive


def authenticate(sb: Sandbox, request: Request) -> tuple[User, AccessToken]:
    """App key first (403), then the bearer token (401)."""
    if request.headers.get("et-app-key") != sb.config.app_key:
        raise bad_app_key()
    token = bearer_token(request)
    record = sb.identity.active_access_token(token) if token else None
    user = sb.state.users.get(record.user_id) if record else None
    if record is None or user is None:
        raise unauthorized()
    return user, record
