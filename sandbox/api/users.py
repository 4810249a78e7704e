"""Users and agreements: who am I, what must I sign.

GET  /users/{userId}/info                              UserInfoModel
GET  /users/{userId}/agreements                        AgreementItemResource[] (unsigned only)
POST /users/{userId}/agreements/{agreementId}/sign     200 {}
``{userId}`` is the caller's id or ``@me``; another user's id gets 403.
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.errors import invalid_parameter, not_found
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.state import utc_now


async def get_user_info(call: ApiCall) -> Any:
    return resources.user_info(call.sb.state.users[call.user_id()])


async def get_agreements(call: ApiCall) -> Any:
    user_id = call.user_id()
    return [resources.agreement_item(a) for a in call.sb.state.unsigned_agreements(user_id)]


async def sign_agreement(call: ApiCall) -> Any:
    user_id = call.user_id()
    raw = call.path_param("agreementId")
    if not raw.isdigit():
        raise invalid_parameter("agreementId", f"The value '{raw}' is not valid.")
    agreement = call.sb.state.agreements.get(int(raw))
    if agreement is None or agreement.user_id != user_id:
        raise not_found(f"Agreement {raw} was not found.")
    if agreement.signed_at is None:
        agreement.signed_at = utc_now()
    return {}


ENDPOINTS = (
    Endpoint("GET", "/users/{userId}/info", get_user_info),
    Endpoint("GET", "/users/{userId}/agreements", get_agreements),
    Endpoint("POST", "/users/{userId}/agreements/{agreementId}/sign", sign_agreement),
)
