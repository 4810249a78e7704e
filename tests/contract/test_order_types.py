"""Order types, order details and order limits against openapi.yaml, both sides: the bodies
the bot builds for every `/order` form are CreateOrderResources, its new calls are the spec's
operations, and the sandbox answers them with the spec's shapes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from bot.autoshares.resources import OrderTicket
from bot.core.commands import OrderRequest
from bot.core.orders import order_body
from handlers.parsing import parse_order
from sandbox.server import RunningSandbox
from tests.conftest import CLIENT_TLS
from tests.contract.conftest import Contract

FORMS = [
    "sell 10 AAPL trail 2%",
    "sell 10 AAPL trail $1.50 gtc",
    "sell 10 AAPL trail 2% limit-offset 0.50",
    "buy 10 AAPL limit 180 take-profit 200 stop-loss 170",
    "buy 10 AAPL limit 180 stop-loss 170",
    "buy $500 AAPL",
    "short 10 TSLA limit 250",
    "cover 10 TSLA",
    "buy 10 AAPL limit 180 ioc",
    "buy 10 AAPL fok aon",
    "buy 10 AAPL limit 180 gtd 2099-01-15",
]


@pytest.mark.parametrize("text", FORMS)
def test_every_order_form_is_a_create_order_resource(contract: Contract, text: str) -> None:
    request = parse_order(text)
    assert isinstance(request, OrderRequest)
    body = order_body(request, client_id="c-1")
    contract.check_definition("CreateOrderResource", body)
    for leg in body.get("Legs", []):
        contract.check_definition("CreateOrderResource", leg)
    assert OrderTicket.read(body).body() == body  # stored and read back unchanged


def test_the_spec_spells_the_percentage_as_the_bot_sends_it(contract: Contract) -> None:
    properties = contract.definitions["CreateOrderResource"]["properties"]
    request = parse_order("sell 10 AAPL trail 2%")
    assert isinstance(request, OrderRequest)
    sent = order_body(request)["TrailingStopAmountType"]
    assert sent in properties["TrailingStopAmountType"]["enum"] and sent == "Persentage"


async def test_new_calls_are_spec_operations_answered_in_the_spec_shapes(
    contract: Contract, sb: RunningSandbox, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await root_client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 200.0})
    sent: list[tuple[httpx.Request, httpx.Response]] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        sent.append((response.request, response))

    bracket = parse_order("buy 5 AAPL limit 199 take-profit 220 stop-loss 190")
    trailing = parse_order("sell 1 AAPL trail 2% gtc")
    dollars = parse_order("buy $300 AAPL")
    expiring = parse_order("buy 1 AAPL limit 150 gtd 2099-01-15 aon")
    async with httpx.AsyncClient(event_hooks={"response": [keep]}, verify=CLIENT_TLS) as http:
        client = AutoSharesClient(http, base_url=sb.url, app_key=bob["Et-App-Key"])
        api = client.for_user(BearerToken(bob["Authorization"].removeprefix("Bearer ")), 1002)
        placed = []
        for request in (dollars, trailing, bracket, expiring):
            assert isinstance(request, OrderRequest)
            body = order_body(request, client_id=f"c-{len(placed)}")
            assert (await api.preview_order(5002, body)).is_successful
            placed.append(await api.place_order(5002, body))
        details = await api.order_details(5002, placed[0].id)
        limits = await api.order_limits(5002, "AAPL")
        priced = await api.order_limits(5002, "AAPL", price=placed[0].average_price)
    assert [order.status.name for order in placed] == ["Filled", "New", "New", "New"]
    assert placed[1].trailing_stop_amount_type is not None and placed[1].stop_price is not None
    assert [leg.parent_id for leg in placed[2].legs] == [placed[2].id] * 3
    assert placed[3].expire_date and placed[3].exec_inst is not None
    executions = [line for line in details if line.is_execution]
    assert len(executions) == 1 and executions[0].last_quantity == placed[0].executed_quantity
    assert (
        limits.symbol == "AAPL"
        and (limits.buy_limit or 0) > 0
        and priced.buy_price == placed[0].average_price
    )

    operations = [contract.operation_of(request) for request, _ in sent]
    names = [op["operationId"] for _, op in operations]
    assert names[-3:] == ["Orders_GetOrderDetails", "Orders_GetOrderLimits", "Orders_GetOrderLimits"]
    for (request, response), (template, operation) in zip(sent, operations, strict=True):
        declared = {p["name"]: p for p in operation["parameters"]}
        queries = {n for n, p in declared.items() if p["in"] == "query"}
        assert set(request.url.params) <= queries, template
        body_param = next((p for p in operation["parameters"] if p["in"] == "body"), None)
        if body_param is not None:
            assert not contract.errors(body_param["schema"], json.loads(request.content)), template
        contract.check_response(request.method, template.removeprefix("/v{version}"), response)


async def test_sandbox_answers_order_details_and_limits_in_the_spec_shapes(
    contract: Contract, client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    check = contract.check_response
    await root_client.post("_sandbox/prices", json={"Symbol": "MSFT", "Last": 400.0})
    resting: dict[str, Any] = {"Symbol": "MSFT", "Side": "Buy", "Type": "Limit", "Quantity": 2, "Price": 390}
    order = check(
        "POST",
        "/accounts/{accountId}/orders",
        await client.post("accounts/5002/orders", json=resting, headers=bob),
    )
    await client.delete(f"accounts/5002/orders/{order['Id']}", headers=bob)
    lines = check(
        "GET",
        "/accounts/{accountId}/orders/{orderId}/details",
        await client.get(f"accounts/5002/orders/{order['Id']}/details", headers=bob),
    )
    assert [line["Status"] for line in lines] == ["New", "Canceled"]
    check(
        "GET",
        "/accounts/{accountId}/preview/limits/{symbol}",
        await client.get("accounts/5002/preview/limits/MSFT", params={"price": 0}, headers=bob),
    )
    refused = await client.get("accounts/5002/preview/limits/NOPE", headers=bob)
    assert refused.status_code in contract.documented_statuses(
        "GET", "/accounts/{accountId}/preview/limits/{symbol}"
    )
    invalid = await client.post(
        "accounts/5002/orders", headers=bob, json=resting | {"Legs": [resting | {"Price": "x"}]}
    )
    assert invalid.status_code == 422 and "Legs[0].Price" in invalid.json()["ModelState"]
