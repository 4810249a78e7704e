"""Every account at once, and an account's holdings by size and by kind.

POST /accounts/balance/consolidated   [accountId, …]           {name: number}: each figure summed
POST /positions/consolidated[?filter]  ConsolidatedQueryDto    PagingResult[PositionResource]
POST /orders/consolidated[?filter]     ConsolidatedQueryDto    PagingResult[OrderResource]
GET  /accounts/{accountId}/positions/top[?count]               GroupPositionsResource[]: the largest
                                                               holdings by market value (count 5)
GET  /accounts/{accountId}/positions/groups                    GroupPositionsResource[]: market value
                                                               by security type (CommonStock, ETF)

``ConsolidatedQueryDto`` is ``{"AccountIds": [...], "PageNumber"?: 0, "PageSize"?: 50,
"SortField"?, "Desc"?}``; AccountIds must be non-empty and every one the caller's (403
otherwise). Positions carry their ``AccountId``; the filter is the orders' grammar (400 when
invalid).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from starlette.requests import Request

from sandbox.api import resources
from sandbox.api.errors import forbidden, invalid_parameter
from sandbox.api.filters import parse_filter
from sandbox.api.paging import page
from sandbox.api.positions import sort_items
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.state import Account

TOP_COUNT = 5
DTO_DEFAULT_PAGE_SIZE = 50


def _accounts(call: ApiCall, ids: Any, name: str) -> list[Account]:
    """The accounts named, each the caller's; 422 for a list that is not one of ids."""
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise invalid_parameter(name, "A non-empty list of account ids is required.")
    found = []
    for account_id in dict.fromkeys(ids):
        account = call.sb.state.accounts.get(account_id)
        if account is None or call.user.id not in account.users:
            raise forbidden(f"Access to account {account_id} is denied.")
        found.append(account)
    return found


def _number(dto: dict[str, Any], name: str, default: int, minimum: int) -> int:
    value = dto.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise invalid_parameter(f"dto.{name}", f"Must be a whole number of at least {minimum}.")
    return value


async def _query(call: ApiCall) -> tuple[list[Account], dict[str, Any]]:
    dto = await call.json_object()
    return _accounts(call, dto.get("AccountIds"), "dto.AccountIds"), dto


def _paged(request: Request, items: list[dict[str, Any]], dto: dict[str, Any], sort: str) -> dict[str, Any]:
    filter_text = request.query_params.get("filter")
    if filter_text:
        predicate = parse_filter(filter_text)
        items = [item for item in items if predicate(item)]
    items = sort_items(items, str(dto.get("SortField") or sort), bool(dto.get("Desc", False)))
    number = _number(dto, "PageNumber", 0, 0)
    chunk, result = page(request, items, number, _number(dto, "PageSize", DTO_DEFAULT_PAGE_SIZE, 1))
    result["Result"] = chunk
    return result


async def consolidated_balance(call: ApiCall) -> Any:
    body = await call.request.body()
    try:
        ids = json.loads(body) if body else None
    except ValueError:
        raise invalid_parameter("accountIds", "The request body is not valid JSON.") from None
    broker = call.sb.engine.broker
    totals: dict[str, float] = defaultdict(float)
    for account in _accounts(call, ids, "accountIds"):
        for name, value in broker.balances(account).as_map(account, len(broker.open_orders(account.id))).items():
            totals[name] += value
    return {name: round(value, 4) for name, value in totals.items()}


async def consolidated_positions(call: ApiCall) -> Any:
    accounts, dto = await _query(call)
    state, market = call.sb.state, call.sb.market
    items = [
        resources.position(p, account, state, market.quote(p.security_id).last)
        for account in accounts
        for p in account.positions.values()
    ]
    return _paged(call.request, items, dto, "Symbol")


async def consolidated_orders(call: ApiCall) -> Any:
    accounts, dto = await _query(call)
    state = call.sb.state
    ids = {a.id for a in accounts}
    items = [resources.order(o, state) for o in state.orders.values() if o.account_id in ids]
    return _paged(call.request, items, dto, "Id")


def _values(call: ApiCall) -> list[tuple[str, str, float]]:
    """(symbol, security type, market value) of each holding of the path's account."""
    account = call.account()
    state, market = call.sb.state, call.sb.market
    return [
        (p.symbol, state.securities[p.security_id].type, p.quantity * market.quote(p.security_id).last)
        for p in account.positions.values()
    ]


async def top_positions(call: ApiCall) -> Any:
    count = call.query_int("count", required=False, default=TOP_COUNT, minimum=1)
    ranked = sorted(_values(call), key=lambda v: (-v[2], v[0]))[:count]
    return [{"Name": symbol, "MarketValue": round(value, 4)} for symbol, _type, value in ranked]


async def position_groups(call: ApiCall) -> Any:
    groups: dict[str, float] = defaultdict(float)
    for _symbol, kind, value in _values(call):
        groups[kind] += value
    ranked = sorted(groups.items(), key=lambda g: (-g[1], g[0]))
    return [{"Name": kind, "MarketValue": round(value, 4)} for kind, value in ranked]


ENDPOINTS = (
    Endpoint("POST", "/accounts/balance/consolidated", consolidated_balance),
    Endpoint("POST", "/positions/consolidated", consolidated_positions, bucket="positions"),
    Endpoint("POST", "/orders/consolidated", consolidated_orders, bucket="order_queries"),
    Endpoint("GET", "/accounts/{accountId}/positions/top", top_positions, bucket="positions"),
    Endpoint("GET", "/accounts/{accountId}/positions/groups", position_groups, bucket="positions"),
)
