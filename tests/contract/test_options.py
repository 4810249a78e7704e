"""Options against openapi.yaml, both sides: the client's calls (expirations, chain, contract, an
option order and a spread with its Legs) are the spec's operations with its parameter names and
bodies, and the sandbox's answers fit the response schemas."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from bot.core.commands import OptionLeg, OptionOrderRequest
from bot.core.options import chain_filter, option_order_body
from bot.vocabulary.options import OptionContract
from sandbox.server import RunningSandbox
from tests.conftest import CLIENT_TLS
from tests.contract.conftest import Contract


def _spread(expiration: date, low: Decimal, high: Decimal) -> OptionOrderRequest:
    legs = (
        OptionLeg("Buy", OptionContract("AAPL", expiration, "Call", low)),
        OptionLeg("Sell", OptionContract("AAPL", expiration, "Call", high)),
    )
    return OptionOrderRequest("AAPL", 1, legs, "Limit", Decimal("50"))


async def test_option_calls_are_spec_operations_with_answers_that_fit(
    contract: Contract, sb: RunningSandbox, bob: dict[str, str]
) -> None:
    sent: list[tuple[httpx.Request, httpx.Response]] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        sent.append((response.request, response))

    async with httpx.AsyncClient(event_hooks={"response": [keep]}, verify=CLIENT_TLS) as http:
        client = AutoSharesClient(http, base_url=sb.url, app_key=bob["Et-App-Key"])
        api = client.for_user(BearerToken(bob["Authorization"].removeprefix("Bearer ")), 1002)
        expirations = await api.option_expirations("AAPL")
        monthly = next(e.expiration_date for e in expirations if e.expiration_type == "Regular")
        chain = await api.option_chain("AAPL", filter=chain_filter(monthly))
        [block] = chain.expirations
        assert block.expiration == monthly and block.central_strike is not None
        call = next(o for o in block.options if o.right == "Call" and o.strike_price == block.central_strike)
        option = await api.option(call.symbol)
        assert option.id == call.id and option.shares_per_contract == 100
        terms = option.contract("AAPL")
        assert terms is not None and terms.symbol == call.symbol  # the OCC symbol the bot forms
        single = OptionOrderRequest("AAPL", 1, (OptionLeg("Buy", terms),), "Market")
        preview = await api.preview_order(5002, option_order_body(single))
        assert preview.is_successful and preview.cost is not None and preview.cost > 100
        spread = _spread(monthly, terms.strike, terms.strike + 10)
        placed = await api.place_order(5002, option_order_body(spread, client_id="spread-1"))
        assert placed.symbol == "AAPL"
        await api.order(5002, placed.id)

    operations = [contract.operation_of(request) for request, _ in sent]
    assert [op["operationId"] for _, op in operations] == [
        "Securities_GetOptionsExpirations",
        "Securities_GetOptionChain",
        "Securities_GetOptionBySymbol",
        "Orders_PreviewCreateOrder",
        "Orders_PlaceOrder",
        "Orders_GetOrder",
    ]
    for (request, response), (template, operation) in zip(sent, operations, strict=True):
        declared = {p["name"]: p for p in operation["parameters"]}
        queries = {n for n, p in declared.items() if p["in"] == "query"}
        required = {n for n in queries if declared[n].get("required")}
        assert set(request.url.params) <= queries and required <= set(request.url.params), template
        body = next((p for p in operation["parameters"] if p["in"] == "body"), None)
        if body is not None:
            assert not contract.errors(body["schema"], json.loads(request.content)), template
        answer = contract.check_response(request.method, template.removeprefix("/v{version}"), response)
        if template.endswith("/orders/{orderId}"):
            assert [leg["Side"] for leg in answer["Legs"]] == ["Buy", "Sell"]
            # each leg is an order of its own (Id and Status), distinct from the spread's Id
            ids = {leg["Id"] for leg in answer["Legs"]} | {answer["Id"]}
            assert len(ids) == 3 and all(leg["Status"] == answer["Status"] for leg in answer["Legs"])


async def test_sandbox_refuses_what_is_no_option_or_no_spread(
    contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    check = contract.check_response
    missing = await client.get("options/AAPL270115C00201000", headers=bob)  # no such strike
    assert missing.status_code in contract.documented_statuses("GET", "/options/{symbol}")
    assert missing.status_code == 404
    unknown = await client.get("options/expirations", params={"underlying": "NOPE"}, headers=bob)
    assert check("GET", "/options/expirations", unknown) == []
    both_bought = {
        "Symbol": "AAPL",
        "Side": "Buy",
        "Type": "Limit",
        "Price": 3,
        "Quantity": 1,
        "Legs": [
            {"Symbol": "AAPL270115C00200000", "Side": "Buy", "Quantity": 1},
            {"Symbol": "AAPL270115C00210000", "Side": "Buy", "Quantity": 1},
        ],
    }
    refused = check(
        "POST",
        "/accounts/{accountId}/preview/orders",
        await client.post("accounts/5002/preview/orders", json=both_bought, headers=bob),
    )
    assert refused["ErrorDescription"] == "InvalidOrderType"
    malformed = await client.post(
        "accounts/5002/preview/orders", json=both_bought | {"Legs": [{"Side": "Up"}]}, headers=bob
    )
    assert malformed.status_code == 422 and "Legs[0].Symbol" in malformed.text
