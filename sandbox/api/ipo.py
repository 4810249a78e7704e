"""New issues: the active offerings of an account, subscribe and unsubscribe.

GET  /ipo/accounts/{accountId}/offerings/active?page&pageSize[&filter&sortBy]
                                                       PageResult[AccountOffering] (page zero-based)
POST /ipo/accounts/{accountId}/offerings/{offeringReference}/subscribe    200 (no body)
POST /ipo/accounts/{accountId}/offerings/{offeringReference}/unsubscribe  200 (no body)

Subscribing needs write access to the account and is idempotent; an unknown offering, or
unsubscribing from one not subscribed, is the documented 409.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.responses import Response

from sandbox.api import resources
from sandbox.api.errors import conflict
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.funding import Offering


async def active_offerings(call: ApiCall) -> Any:
    account = call.account()
    page = call.query_int("page", required=True)
    size = call.query_int("pageSize", required=True, minimum=1)
    state = call.sb.state
    offerings = sorted(state.offerings.values(), key=lambda o: (o.trade_date, o.reference))
    chunk = offerings[page * size : (page + 1) * size]
    return {
        "Items": [
            resources.account_offering(o, (account.id, o.reference) in state.ipo_subscriptions) for o in chunk
        ],
        "PageNumber": page,
        "PageSize": size,
        "TotalCount": len(offerings),
        "TotalPage": math.ceil(len(offerings) / size),
    }


def _offering(call: ApiCall, verb: str) -> tuple[int, Offering]:
    account = call.account(write=True)
    reference = call.path_param("offeringReference")
    offering = call.sb.state.offerings.get(reference)
    if offering is None:
        raise conflict(f"Failed to {verb} the offering: {reference} is not an active offering.")
    return account.id, offering


async def subscribe(call: ApiCall) -> Any:
    account_id, offering = _offering(call, "follow")
    call.sb.state.ipo_subscriptions.add((account_id, offering.reference))
    return Response(status_code=200)


async def unsubscribe(call: ApiCall) -> Any:
    account_id, offering = _offering(call, "unfollow")
    key = (account_id, offering.reference)
    if key not in call.sb.state.ipo_subscriptions:
        raise conflict(f"Failed to unfollow the offering: account {account_id} does not follow it.")
    call.sb.state.ipo_subscriptions.discard(key)
    return Response(status_code=200)


ENDPOINTS = (
    Endpoint("GET", "/ipo/accounts/{accountId}/offerings/active", active_offerings),
    Endpoint("POST", "/ipo/accounts/{accountId}/offerings/{offeringReference}/subscribe", subscribe),
    Endpoint("POST", "/ipo/accounts/{accountId}/offerings/{offeringReference}/unsubscribe", unsubscribe),
)
