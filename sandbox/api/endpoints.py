"""Every trading API endpoint, as routes bound to one sandbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

from sandbox.api import (
    accounts,
    activity,
    alerts,
    consolidated,
    equities,
    funds,
    history,
    ipo,
    news,
    options,
    orders,
    positions,
    streamers,
    transfers,
    users,
    watchlists,
)
from sandbox.api.routing import Endpoint, build_routes

if TYPE_CHECKING:
    from sandbox.runtime import Sandbox

ENDPOINT_MODULES = (
    users,
    accounts,
    activity,
    positions,
    consolidated,
    equities,
    options,
    orders,
    funds,
    alerts,
    streamers,
    history,
    watchlists,
    news,
    ipo,
    transfers,
)


def all_endpoints() -> list[Endpoint]:
    return [endpoint for module in ENDPOINT_MODULES for endpoint in module.ENDPOINTS]


def api_routes(sandbox: Sandbox) -> list[BaseRoute]:
    return build_routes(sandbox, all_endpoints())
