"""GET /accounts/{accountId}/positions?pageNumber&pageSize&sortField&desc -> PagingResult.

All four query parameters are required, as in the spec; pageNumber is zero-based; sortField is
any PositionResource property (case-insensitive), e.g. Symbol, Quantity, CostBasis.
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.errors import invalid_parameter
from sandbox.api.paging import page
from sandbox.api.routing import ApiCall, Endpoint


def sort_items(items: list[dict[str, Any]], field: str, desc: bool) -> list[dict[str, Any]]:
    """Sort resources by a property name (case-insensitive); 422 for an unknown one."""
    if not items:
        return items
    names = {key.lower(): key for key in items[0]}
    key = names.get(field.lower())
    if key is None:
        raise invalid_parameter("sortField", f"The sort field '{field}' is not supported.")
    return sorted(items, key=lambda item: (item.get(key) is None, item.get(key)), reverse=desc)


async def get_positions(call: ApiCall) -> Any:
    account = call.account()
    page_number = call.query_int("pageNumber", required=True)
    page_size = call.query_int("pageSize", required=True, minimum=1)
    sort_field = call.query_str("sortField", required=True)
    desc = call.query_bool("desc", required=True)
    state, market = call.sb.state, call.sb.market
    items = [
        resources.position(p, account, state, market.quote(p.security_id).last)
        for p in account.positions.values()
    ]
    items = sort_items(items, sort_field, desc)
    chunk, result = page(call.request, items, page_number, page_size)
    result["Result"] = chunk
    return result


ENDPOINTS = (Endpoint("GET", "/accounts/{accountId}/positions", get_positions, bucket="positions"),)
