"""The mutual fund operations, both sides: every call the client makes is the spec's operation
(path, method, body schema, closed: no property the spec does not name), and every answer the
sandbox gives fits the spec's response schema with a documented status."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx
import pytest

from bot.autoshares import errors as e
from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from bot.autoshares.resources import FundOperation, FundTicket, OrderStatus, QuantityQualifier
from sandbox import SandboxConfig
from sandbox.funds import next_close
from sandbox.server import RunningSandbox
from tests.conftest import CLIENT_TLS
from tests.contract.conftest import Contract

BOB_ACCOUNT = 5002


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Hour-long market steps: a clock advanced to the close takes a few steps, not thousands."""
    return SandboxConfig(tick_seconds=3600, webhook_retry_scale=0.001)


def ticket(operation: FundOperation, symbol: str = "VFIAX", **values: Any) -> FundTicket:
    return FundTicket(fund_operation=operation, symbol=symbol, **values)


async def past_the_close(sb: RunningSandbox, http: httpx.AsyncClient) -> None:
    clock = (await http.get(sb.url + "_sandbox/clock")).json()
    now = datetime.fromisoformat(clock["Now"].replace("Z", "+00:00"))
    seconds = (next_close(now) - now).total_seconds() + 60
    (await http.post(sb.url + "_sandbox/clock", json={"AdvanceSeconds": seconds})).raise_for_status()


async def test_every_mutual_fund_call_is_a_spec_operation_and_every_answer_fits(
    contract: Contract, sb: RunningSandbox, bob: dict[str, str]
) -> None:
    sent: list[tuple[httpx.Request, httpx.Response]] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        if "mutual-funds" in response.request.url.path:
            sent.append((response.request, response))

    async with httpx.AsyncClient(event_hooks={"response": [keep]}, verify=CLIENT_TLS) as http:
        client = AutoSharesClient(http, base_url=sb.url, app_key=bob["Et-App-Key"])
        api = client.for_user(BearerToken(bob["Authorization"].removeprefix("Bearer ")), 1002)
        buy = ticket(
            FundOperation.buy,
            quantity=1000,
            quantity_qualifier=QuantityQualifier.EvenDollar,
            reinvest_dividends=True,
            reinvest_short_term_gains=False,
            reinvest_long_term_gains=False,
        )
        assert (await api.preview_fund(BOB_ACCOUNT, buy)).is_successful
        bought = await api.place_fund(BOB_ACCOUNT, buy)
        assert bought.status == OrderStatus.New
        await past_the_close(sb, http)
        assert (await api.order(BOB_ACCOUNT, bought.id)).status == OrderStatus.Filled

        sell = ticket(FundOperation.sell, quantity=1, quantity_qualifier=QuantityQualifier.Shares)
        assert (await api.preview_fund(BOB_ACCOUNT, sell)).is_successful
        sold = await api.place_fund(BOB_ACCOUNT, sell)
        await api.cancel_fund_order(BOB_ACCOUNT, sold.id)
        with pytest.raises(e.AutoSharesConflict):  # 409: no longer open
            await api.cancel_fund_order(BOB_ACCOUNT, sold.id)
        exchange = ticket(FundOperation.exchange, target_symbol="VTSAX", reinvest_dividends=False)
        assert (await api.preview_fund(BOB_ACCOUNT, exchange)).is_successful
        assert (await api.place_fund(BOB_ACCOUNT, exchange)).status == OrderStatus.New
        liquidate = ticket(FundOperation.liquidate, symbol="VTSAX")
        refused = await api.preview_fund(BOB_ACCOUNT, liquidate)  # nothing held until the close
        assert (refused.is_successful, refused.error_description) == (False, "InsufficientShares")
        not_a_fund = await api.preview_fund(BOB_ACCOUNT, ticket(FundOperation.liquidate, symbol="AAPL"))
        assert not_a_fund.error_description == "InvalidOrderType"
        equity = {"Symbol": "VFIAX", "Side": "Buy", "Type": "Market", "Quantity": 1, "TimeInforce": "Day"}
        assert (await api.preview_order(BOB_ACCOUNT, equity)).error_description == "InvalidOrderType"
        rejected = await api.place_fund(BOB_ACCOUNT, liquidate)
        assert (rejected.status, rejected.description) == (OrderStatus.Rejected, "InsufficientShares")

    assert [contract.operation_of(request)[1]["operationId"] for request, _ in sent] == [
        "MutualFunds_PreviewBuyMutualFund",
        "MutualFunds_PlaceBuyMutualFund",
        "MutualFunds_PreviewSellMutualFund",
        "MutualFunds_PlaceSellMutualFund",
        "MutualFunds_CancelOrder",
        "MutualFunds_CancelOrder",
        "MutualFunds_PreviewExchangeMutualFund",
        "MutualFunds_PlaceExchangeMutualFund",
        "MutualFunds_PreviewLiquidationOfMutualFund",
        "MutualFunds_PreviewLiquidationOfMutualFund",
        "MutualFunds_PlaceLiquidationOfMutualFund",
    ]
    for request, response in sent:
        template, operation = contract.operation_of(request)
        assert request.headers["Et-App-Key"] and request.headers["Authorization"].startswith("Bearer ")
        body = next((p for p in operation["parameters"] if p["in"] == "body"), None)
        if body is not None:
            assert not contract.errors(body["schema"], json.loads(request.content)), template
        else:
            assert not request.content, template
        assert response.status_code in contract.documented_statuses(
            request.method, template[len("/v{version}") :]
        )
        if response.status_code == 200:
            contract.check_response(request.method, template.removeprefix("/v{version}"), response)


#: Bodies that break an operation's contract, and the property each 422 names.
BROKEN_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("buy", {"Quantity": 10}, "Symbol"),
    ("sell", {"Symbol": "VFIAX", "Quantity": 0}, "Quantity"),
    ("sell", {"Symbol": "VFIAX", "Quantity": 1, "QuantityQualifier": "Dollars"}, "QuantityQualifier"),
    ("exchange", {"SourceSymbol": "VFIAX", "ReinvestDividends": "yes"}, "TargetSymbol"),
]


async def test_a_body_that_breaks_the_contract_is_a_documented_422(
    contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    for operation, body, field in BROKEN_BODIES:
        template = f"/accounts/{{clearingNumber}}/orders/mutual-funds/{operation}"
        response = await client.post(
            f"accounts/{BOB_ACCOUNT}/orders/mutual-funds/{operation}", json=body, headers=bob
        )
        assert response.status_code == 422 in contract.documented_statuses("POST", template), body
        assert field in response.json()["ModelState"], body
