"""The client's portfolio calls (account history, history compare, news, corporate actions, an
alert's edit) are the spec's operations:
path, method, query parameter names, request body, and answers that fit the response schemas,
asked of the sandbox over HTTP after a fill; and the sandbox refuses what the spec calls invalid."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from bot.autoshares.resources import compare_body
from bot.autoshares.resources.alerts import price_alert_body
from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording


async def test_every_portfolio_call_is_a_spec_operation(
    contract: Contract, sb: RunningSandbox, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    order = {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 2, "TimeInForce": "Day"}
    placed = await client.post("accounts/5002/orders", json=order, headers=bob)
    assert placed.status_code == 200, placed.text
    now = datetime.now(UTC)
    async with recording(sb, bob, 1002) as (api, sent):
        values = await api.account_history(5002, now - timedelta(days=7), now)
        start = int((now - timedelta(days=7)).timestamp())
        compared = await api.compare(
            compare_body(
                ["AAPL", "SPY"], period="Day", interval=1, candles=9, start=start, end=int(now.timestamp())
            )
        )
    assert 7 <= len(values) <= 8 and values[0].value == 100_000
    balances = (await client.get("accounts/5002/info", headers=bob)).json()
    assert float(values[-1].value) == balances["Equity"]  # today's value is the account's equity
    assert [len(s) for s in compared.series] == [9, 9]

    assert [contract.check_call(request, response) for request, response in sent] == [
        "UserAccounts_GetAccountHistory",
        "HistoricalTradeData_GetChartCompareData",
    ]


async def test_the_sandbox_refuses_invalid_history_requests(
    contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    params = {"startDate": "2026-11-01T00:00:00Z", "endDate": "2026-12-01T00:00:00Z", "step": 1}
    for name in params:
        missing = await client.get(
            "accounts/5002/history", params={k: v for k, v in params.items() if k != name}, headers=bob
        )
        assert missing.status_code == 422 and name in missing.json()["ModelState"]
    backwards = await client.get(
        "accounts/5002/history", params={**params, "startDate": "2026-12-02T00:00:00Z"}, headers=bob
    )
    assert backwards.status_code == 422
    other = await client.get("accounts/5001/history", params=params, headers=bob)
    assert other.status_code in contract.documented_statuses("GET", "/accounts/{accountId}/history")
    assert other.status_code == 403
    unknown = await client.put("history/compare", json={"Securities": [{"Symbol": "NOPE"}]}, headers=bob)
    assert unknown.status_code == 409 and unknown.status_code in contract.documented_statuses(
        "PUT", "/history/compare"
    )
    empty = await client.put("history/compare", json={"Securities": []}, headers=bob)
    assert empty.status_code == 422


async def test_every_news_call_is_a_spec_operation(
    contract: Contract, sb: RunningSandbox, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    published = await client.post(
        sb.url + "_sandbox/corporate-actions",
        json={"Symbol": "AAPL", "Type": "Dividend", "Data": {"Amount": "0.25", "PayDate": "2026-12-20"}},
    )
    assert published.status_code == 200, published.text
    async with recording(sb, bob, 1002) as (api, sent):
        news = await api.news("AAPL")
        [action] = await api.corporate_actions("AAPL")
    assert news and all(item.header and item.moment for item in news)
    assert (action.type, action.data["Amount"]) == ("Dividend", "0.25")
    operations = [contract.operation_of(request) for request, _ in sent]
    assert [op["operationId"] for _, op in operations] == ["News_GetNews", "News_GetCorporateActions"]
    for (request, response), (template, operation) in zip(sent, operations, strict=True):
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert set(request.url.params) == declared == {"symbol"}, template
        assert not request.content
        contract.check_response(request.method, template.removeprefix("/v{version}"), response)
    for path in ("news", "news/corporate-actions"):
        missing = await client.get(path, headers=bob)
        assert missing.status_code == 422 and "symbol" in missing.json()["ModelState"]
        unknown = await client.get(path, params={"symbol": "NOPE"}, headers=bob)
        assert unknown.status_code == 409 and 409 in contract.documented_statuses("GET", "/" + path)


async def test_editing_an_alert_is_the_specs_modify_operation(
    contract: Contract, sb: RunningSandbox, bob: dict[str, str]
) -> None:
    async with recording(sb, bob, 1002) as (api, sent):
        body = price_alert_body(
            operator="GTEQ", field="Last", argument=Decimal(300), security_id=1, expiration=0
        )
        made = await api.create_alert(body)
        edited = await api.update_alert(made.id, body | {"Argument": 310.0, "Operator": "LTEQ"})
    assert (edited.id, edited.argument, edited.operator and edited.operator.value) == (made.id, 310, "LTEQ")
    request, response = sent[-1]
    template, operation = contract.operation_of(request)
    assert operation["operationId"] == "PriceAlerts_ModifyPriceAlertTrigger"
    schema = next(p for p in operation["parameters"] if p["in"] == "body")["schema"]
    assert not contract.errors(schema, json.loads(request.content))
    contract.check_response("PUT", template.removeprefix("/v{version}"), response)
