"""Activity and statements, both sides: the client's activity calls are the spec's operations
with its parameter names, and the sandbox's answers to all four Transactions reads (activity,
transactions and their reports) fit the spec, fill and commission, dividend and fee included
(besides the dividend and fee every seeded account starts with)."""

from __future__ import annotations

import csv
from decimal import Decimal

import httpx
import pytest

from bot.autoshares.resources import ActivityType, MarginType
from sandbox.config import SandboxConfig
from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording

MARKET_BUY = {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 5, "TimeInforce": "Day"}


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """A dollar of commission per order, so a fill leaves a Commission transaction too."""
    return SandboxConfig(tick_seconds=0, webhook_retry_scale=0.001, commission=1.0)


async def fill_and_pay(
    client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    """Bob buys 5 AAPL at 210 (a fill and its commission), is paid a dividend, charged a fee."""
    await root_client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 210.0, "Ask": 210.0})
    placed = await client.post("accounts/5002/orders", json=MARKET_BUY, headers=bob)
    assert placed.json()["Status"] == "Filled"
    for kind, amount in (("Dividend", 4.2), ("Fee", 1.5)):
        paid = await root_client.post(
            "_sandbox/transactions",
            json={"AccountId": 5002, "Kind": kind, "Amount": amount, "Symbol": "AAPL"},
        )
        assert paid.status_code == 201


async def test_sandbox_activity_answers_fit_the_spec(
    contract: Contract, client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await fill_and_pay(client, root_client, bob)
    check = contract.check_response
    paging = {"pageSize": 2, "pageNumber": 0, "sortBy": "Date"}
    first = check(
        "GET",
        "/accounts/{accountId}/activity",
        await client.get("accounts/5002/activity", params=paging | {"isAsc": "true"}, headers=bob),
    )
    assert first["TotalCount"] == 6 and first["NextPageLink"] and first["PreviousPageLink"] == ""
    assert [t["Type"] for t in first["Result"]] == ["Payment", "Clearing"]  # the seeded history first
    newest = check(
        "GET",
        "/accounts/{accountId}/transactions",
        await client.get(
            "accounts/5002/transactions",
            params=paging | {"isDesc": "true", "filter": "MarginType = 'Dividend'"},
            headers=bob,
        ),
    )
    assert [(t["Type"], t["Value"]) for t in newest["Result"]] == [("Payment", 4.2), ("Payment", 12.5)]
    report = {"sortBy": "Date", "reportEnum": "CsvReport", "filter": "Type in ('Commission', 'Clearing')"}
    for path, order in (("activity/report", "isAsc"), ("transaction/report", "isDesc")):
        lines = check(
            "GET",
            f"/accounts/{{accountId}}/{path}",
            await client.get(f"accounts/5002/{path}", params=report | {order: "true"}, headers=bob),
        )
        rows = list(csv.DictReader(lines))
        assert sorted(float(r["Value"]) for r in rows) == [-2.0, -1.5, -1.0], path
    bad = await client.get("accounts/5002/activity", params=paging | {"isAsc": "x"}, headers=bob)
    assert bad.status_code == 422
    unparsable = await client.get(
        "accounts/5002/activity", params=paging | {"isAsc": "true", "filter": "Date >>"}, headers=bob
    )
    assert unparsable.status_code == 400
    assert (
        await client.get("accounts/5001/activity", params=paging | {"isAsc": "true"}, headers=bob)
    ).status_code == 403


async def test_client_activity_calls_are_spec_operations(
    contract: Contract,
    sb: RunningSandbox,
    client: httpx.AsyncClient,
    root_client: httpx.AsyncClient,
    bob: dict[str, str],
) -> None:
    await fill_and_pay(client, root_client, bob)
    async with recording(sb, bob, 1002) as (api, calls):
        page = await api.activity(5002, page=0, page_size=3, filter="Date >= #2000-01-01T00:00:00Z#")
        dividends = await api.activity(5002, filter="MarginType = 'Dividend'")
        report = await api.activity_report(5002, filter="Type = 'OrderExecution'")
        newest = await api.transactions(5002, page_size=1)
        other_report = await api.transaction_report(5002, filter="Type = 'OrderExecution'")
    sent = [request for request, _ in calls]
    assert page.total == 6 and page.has_next and len(page.items) == 3
    assert page.items[0].margin_type == MarginType.Cash and page.items[0].type == ActivityType.Clearing
    assert [(d.symbol, d.value) for d in dividends.items] == [
        ("AAPL", Decimal("4.2")),
        ("AAPL", Decimal("12.5")),
    ]
    [trade] = list(csv.DictReader(report.csv.splitlines()))
    assert (trade["Type"], trade["Quantity"], trade["Value"]) == ("OrderExecution", "5.0", "-1050.0")
    assert newest.items == page.items[:1] and other_report == report
    operations = [contract.operation_of(request)[1]["operationId"] for request in sent]
    assert operations == ["Transactions_GetActivityPage"] * 2 + [
        "Transactions_GetActivityReport",
        "Transactions_GetTransactionsPage",
        "Transactions_GetTransactionReport",
    ]
    for request in sent:
        template, operation = contract.operation_of(request)
        queries = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        required = {n for n, p in queries.items() if p.get("required")}
        assert required <= set(request.url.params) <= set(queries), template
        if "reportEnum" in request.url.params:
            assert request.url.params["reportEnum"] in queries["reportEnum"]["enum"]
