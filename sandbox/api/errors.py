"""The trading API's error answers, with the bodies AutoShares documents.

One exception type: handlers raise ``ApiError`` and the route wrapper turns it into JSON.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

DENIED_MESSAGE = "Authorization has been denied for this request."
BAD_APP_KEY_MESSAGE = "Application key is not defined or does not exist"


class ApiError(Exception):
    """An error answer: status code, JSON body, extra headers."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


def unauthorized() -> ApiError:
    """401: missing, unknown, expired or revoked bearer token."""
    return ApiError(401, {"Message": DENIED_MESSAGE})


def bad_app_key() -> ApiError:
    """403: missing or wrong Et-App-Key."""
    return ApiError(403, {"error": BAD_APP_KEY_MESSAGE})


def forbidden(message: str) -> ApiError:
    """403: the token is fine but the resource belongs to someone else."""
    return ApiError(403, {"Message": message})


def bad_request(message: str) -> ApiError:
    """400: only where the spec documents it (an invalid ``filter`` on GET orders)."""
    return ApiError(400, {"Message": message})


def invalid_parameter(name: str, message: str) -> ApiError:
    """422 for one bad path/query parameter or an unreadable body (see ``validation_failed``)."""
    return validation_failed([(name, message)])


def not_found(message: str) -> ApiError:
    return ApiError(404, {"Message": message})


def conflict(message: str) -> ApiError:
    return ApiError(409, {"Message": message})


def validation_failed(problems: list[tuple[str, str]]) -> ApiError:
    """422: the body breaks the contract (missing required field, bad enum, wrong type).

    Body: ``{"Message": "...", "ModelState": {"Field": ["problem", ...]}}`` (ASP.NET style).
    """
    model_state: dict[str, list[str]] = {}
    for name, problem in problems:
        model_state.setdefault(name, []).append(problem)
    summary = "; ".join(f"{name}: {problem}" for name, problem in problems)
    return ApiError(422, {"Message": f"The request is invalid. {summary}", "ModelState": model_state})
