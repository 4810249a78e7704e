"""Every account at once and an account's holdings by size and kind, both sides: the sandbox's
answers to the consolidated balance, positions and orders and to positions top and groups fit
the spec and add up across accounts, and the client's calls are those operations, with the
spec's body and query parameter names."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording


async def two_accounts_with_holdings(
    sb: RunningSandbox, client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    """Bob may trade Alice's account too; he buys 2 AAPL (at 100) in his and 4 SPY (at 50) in hers,
    and leaves a limit order (at 90) open in his."""
    sb.sandbox.state.accounts[5001].users[1002] = "Full"
    await root_client.post(
        "_sandbox/prices",
        json=[{"Symbol": "AAPL", "Last": 100.0, "Ask": 100.0}, {"Symbol": "SPY", "Last": 50.0, "Ask": 50.0}],
    )
    buys = (
        (5002, {"Symbol": "AAPL", "Quantity": 2, "Type": "Market"}),
        (5001, {"Symbol": "SPY", "Quantity": 4, "Type": "Market"}),
        (5002, {"Symbol": "AAPL", "Quantity": 1, "Type": "Limit", "Price": 90}),
    )
    for account_id, order in buys:
        body = order | {"Side": "Buy", "TimeInforce": "Day"}
        assert (await client.post(f"accounts/{account_id}/orders", json=body, headers=bob)).status_code == 200


async def test_sandbox_consolidated_and_grouped_answers_fit_the_spec_and_add_up(
    contract: Contract,
    sb: RunningSandbox,
    client: httpx.AsyncClient,
    root_client: httpx.AsyncClient,
    bob: dict[str, str],
) -> None:
    await two_accounts_with_holdings(sb, client, root_client, bob)
    check = contract.check_response
    each = [
        check("GET", "/accounts/{accountId}/info", await client.get(f"accounts/{a}/info", headers=bob))
        for a in (5001, 5002)
    ]
    summed = check(
        "POST",
        "/accounts/balance/consolidated",
        await client.post("accounts/balance/consolidated", json=[5001, 5002], headers=bob),
    )
    assert summed["Equity"] == round(each[0]["Equity"] + each[1]["Equity"], 4) and summed["Cash"] < 200_000
    query = {"AccountIds": [5001, 5002], "PageNumber": 0, "PageSize": 1, "SortField": "Symbol", "Desc": False}
    positions = check(
        "POST",
        "/positions/consolidated",
        await client.post("positions/consolidated", json=query, headers=bob),
    )
    assert positions["TotalCount"] == 2 and positions["NextPageLink"]
    assert [(p["Symbol"], p["AccountId"], p["SecurityType"]) for p in positions["Result"]] == [
        ("AAPL", 5002, "CommonStock")
    ]
    orders = check(
        "POST",
        "/orders/consolidated",
        await client.post(
            "orders/consolidated",
            params={"filter": "Status in (0)"},
            json=query | {"PageSize": 10},
            headers=bob,
        ),
    )
    assert [(o["AccountId"], o["Status"]) for o in orders["Result"]] == [(5002, "New")]
    top = check(
        "GET",
        "/accounts/{accountId}/positions/top",
        await client.get("accounts/5002/positions/top", params={"count": 1}, headers=bob),
    )
    assert top == [{"Name": "AAPL", "MarketValue": 200.0}]
    groups = check(
        "GET",
        "/accounts/{accountId}/positions/groups",
        await client.get("accounts/5001/positions/groups", headers=bob),
    )
    assert groups == [{"Name": "ETF", "MarketValue": 200.0}]
    foreign = await client.post(
        "positions/consolidated", json=query | {"AccountIds": [5001, 9999]}, headers=bob
    )
    assert foreign.status_code == 403
    assert (
        await client.post("accounts/balance/consolidated", json={"Ids": 1}, headers=bob)
    ).status_code == 422


async def test_client_holdings_calls_are_spec_operations(
    contract: Contract,
    sb: RunningSandbox,
    client: httpx.AsyncClient,
    root_client: httpx.AsyncClient,
    bob: dict[str, str],
) -> None:
    await two_accounts_with_holdings(sb, client, root_client, bob)
    async with recording(sb, bob, 1002) as (api, calls):
        balance = await api.consolidated_balance([5001, 5002])
        positions = await api.consolidated_positions([5001, 5002])
        orders = await api.consolidated_orders([5001, 5002], filter="Status in (0)")
        top = await api.top_positions(5002, count=3)
        groups = await api.position_groups(5001)
    sent = [request for request, _ in calls]
    assert balance.equity is not None and balance.equity > 0
    assert [(p.symbol, p.account_id, p.security_type) for p in positions.items] == [
        ("AAPL", 5002, "CommonStock"),
        ("SPY", 5001, "ETF"),
    ]
    assert [(o.account_id, o.symbol) for o in orders.items] == [(5002, "AAPL")]
    assert [(g.name, g.market_value) for g in top] == [("AAPL", Decimal("200"))]
    assert [(g.name, g.market_value) for g in groups] == [("ETF", Decimal("200"))]
    assert [contract.operation_of(r)[1]["operationId"] for r in sent] == [
        "UserAccounts_GetConsolidatedBalance",
        "Positions_GetConsolidatedPositions",
        "Orders_GetOrdersConsolidated",
        "Positions_GetTopPositions",
        "Positions_GetPositions",
    ]
    for request in sent:
        template, operation = contract.operation_of(request)
        queries = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert set(request.url.params) <= queries, template
        body = next((p for p in operation["parameters"] if p["in"] == "body"), None)
        if body is not None:
            assert not contract.errors(body["schema"], json.loads(request.content)), template
        else:
            assert not request.content, template
