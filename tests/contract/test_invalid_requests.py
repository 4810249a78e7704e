"""Requests the spec calls invalid get a documented 4xx naming the problem."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.contract.conftest import Contract

ORDER = {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1}
ALERT = {"Operator": "GTEQ", "Field": "Last", "Argument": 300.0, "SecurityId": 1, "ExpirationDate": 0}

#: A valid request per operation with required query parameters: template -> (path, params).
VALID_QUERIES: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("GET", "/accounts/{accountId}/positions"): (
        "accounts/5002/positions",
        {"pageNumber": 0, "pageSize": 5, "sortField": "Symbol", "desc": "false"},
    ),
    ("GET", "/accounts/{accountId}/orders"): ("accounts/5002/orders", {"pageNumber": 0, "pageSize": 5}),
    ("GET", "/users/{userId}/pricealerts"): (
        "users/@me/pricealerts",
        {"pageSize": 5, "pageNumber": 0, "sortBy": "Id", "isDesc": "false"},
    ),
    ("GET", "/equities/lookup"): ("equities/lookup", {"mask": "AA", "count": 5}),
    ("PUT", "/accounts/{accountId}/users/{userId}"): ("accounts/5002/users/1002", {"accessType": "Owner"}),
}


def required_query_parameters(contract: Contract, method: str, template: str) -> list[str]:
    return [
        p["name"]
        for p in contract.operation(method, template)["parameters"]
        if p["in"] == "query" and p.get("required")
    ]


@pytest.mark.parametrize(("method", "template"), list(VALID_QUERIES))
async def test_each_required_query_parameter_is_enforced(
    contract: Contract,
    client: httpx.AsyncClient,
    bob: dict[str, str],
    method: str,
    template: str,
) -> None:
    path, params = VALID_QUERIES[(method, template)]
    required = required_query_parameters(contract, method, template)
    assert set(required) <= set(params), "the valid request must carry every required parameter"
    ok = await client.request(method, path, params=params, headers=bob)
    assert ok.status_code == 200, ok.text
    for name in required:
        response = await client.request(
            method, path, params={k: v for k, v in params.items() if k != name}, headers=bob
        )
        assert response.status_code == 422, name
        assert response.status_code in contract.documented_statuses(method, template)
        assert name in response.json()["ModelState"]


#: The watchlist operations with required query parameters: template -> (path, params, body);
#: ``{id}`` is a watchlist the test creates first.
WATCHLIST_QUERIES: dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any] | None]] = {
    ("GET", "/users/{userId}/watchlists"): ("users/@me/watchlists", {"includeSecurities": "true"}, None),
    ("POST", "/users/{userId}/watchlists"): (
        "users/@me/watchlists",
        {"resultIncludeSecurities": "false"},
        {"Name": "Another"},
    ),
    ("GET", "/users/{userId}/watchlists/{watchlistId}"): (
        "users/@me/watchlists/{id}",
        {"includeSecurities": "false"},
        None,
    ),
    ("PUT", "/users/{userId}/watchlists/{watchlistId}/name"): (
        "users/@me/watchlists/{id}/name",
        {"name": "Renamed"},
        None,
    ),
}


@pytest.mark.parametrize(("method", "template"), list(WATCHLIST_QUERIES))
async def test_each_required_watchlist_query_parameter_is_enforced(
    contract: Contract,
    client: httpx.AsyncClient,
    bob: dict[str, str],
    method: str,
    template: str,
) -> None:
    created = await client.post(
        "users/@me/watchlists",
        params={"resultIncludeSecurities": "false"},
        json={"Name": "Slack"},
        headers=bob,
    )
    path, params, body = WATCHLIST_QUERIES[(method, template)]
    path = path.replace("{id}", str(created.json()["Id"]))
    required = required_query_parameters(contract, method, template)
    assert required and set(required) <= set(params), "the valid request must carry every required parameter"
    for name in required:
        response = await client.request(
            method, path, params={k: v for k, v in params.items() if k != name}, json=body, headers=bob
        )
        assert response.status_code == 422, name
        assert response.status_code in contract.documented_statuses(method, template)
        assert name in response.json()["ModelState"]
    ok = await client.request(method, path, params=params, json=body, headers=bob)
    assert ok.status_code == 200, ok.text


@pytest.mark.parametrize(
    ("method", "template", "path", "body", "field"),
    [
        (
            "POST",
            "/accounts/{accountId}/orders",
            "accounts/5002/orders",
            {k: v for k, v in ORDER.items() if k != "Symbol"},
            "Symbol",
        ),
        ("POST", "/accounts/{accountId}/orders", "accounts/5002/orders", ORDER | {"Side": "Hold"}, "Side"),
        (
            "POST",
            "/accounts/{accountId}/orders",
            "accounts/5002/orders",
            ORDER | {"ExecInst": "Whatever"},
            "ExecInst",
        ),
        (
            "POST",
            "/accounts/{accountId}/preview/orders",
            "accounts/5002/preview/orders",
            ORDER | {"Type": "Instant"},
            "Type",
        ),
        (
            "POST",
            "/users/{userId}/pricealerts",
            "users/@me/pricealerts",
            {k: v for k, v in ALERT.items() if k != "Operator"},
            "Operator",
        ),
        (
            "POST",
            "/users/{userId}/pricealerts",
            "users/@me/pricealerts",
            {k: v for k, v in ALERT.items() if k != "ExpirationDate"},
            "ExpirationDate",
        ),
        (
            "POST",
            "/users/{userId}/pricealerts",
            "users/@me/pricealerts",
            ALERT | {"State": "Paused"},
            "State",
        ),
        (
            "POST",
            "/users/{userId}/watchlists",
            "users/@me/watchlists?resultIncludeSecurities=true",
            {"Securities": [1]},
            "Name",
        ),
        (
            "PUT",
            "/history/symbols",
            "history/symbols",
            {"Security": {"Symbol": "AAPL"}, "SecurityHistorySettings": {"Period": "Decade"}},
            "SecurityHistorySettings.Period",
        ),
    ],
)
async def test_invalid_bodies_are_refused_naming_the_field(
    contract: Contract,
    client: httpx.AsyncClient,
    bob: dict[str, str],
    method: str,
    template: str,
    path: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.request(method, path, json=body, headers=bob)
    assert response.status_code == 422, response.text
    assert response.status_code in contract.documented_statuses(method, template)
    assert field in response.json()["ModelState"] and field in response.json()["Message"]


async def test_invalid_order_filter_is_the_documented_400(
    contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    response = await client.get(
        "accounts/5002/orders",
        headers=bob,
        params={"pageNumber": 0, "pageSize": 5, "filter": "Status startswith 'F'"},
    )
    assert response.status_code == 400
    assert 400 in contract.documented_statuses("GET", "/accounts/{accountId}/orders")
