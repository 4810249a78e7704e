"""Orders against the simulated market: fills, rejections, idempotency, cancellation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from sandbox import SandboxConfig
from tests.sandbox.conftest import make_config

BOB_ACCOUNT = "v1.0/accounts/5002"


async def set_price(client: httpx.AsyncClient, symbol: str, last: float) -> dict[str, Any]:
    response = await client.post("_sandbox/prices", json={"Symbol": symbol, "Last": last})
    assert response.status_code == 200, response.text
    return response.json()


async def place(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await client.post(f"{BOB_ACCOUNT}/orders", json=body, headers=headers)


async def position_of(client: httpx.AsyncClient, headers: dict[str, str], symbol: str) -> Any:
    result = (
        await client.get(
            f"{BOB_ACCOUNT}/positions",
            params={"pageNumber": 0, "pageSize": 50, "sortField": "Symbol", "desc": "false"},
            headers=headers,
        )
    ).json()
    return next((p for p in result["Result"] if p["Symbol"] == symbol), None)


async def test_limit_buy_fills_exactly_when_price_crosses(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await set_price(client, "AAPL", 210.0)
    order = (
        await place(
            client,
            bob,
            Symbol="AAPL",
            Side="Buy",
            Type="Limit",
            Quantity=10,
            Price=200,
            TimeInforce="GoodTillCancel",
        )
    ).json()
    assert order["Status"] == "New" and order["LeavesQuantity"] == 10
    moved = await set_price(client, "AAPL", 200.01)
    assert moved["FilledOrderIds"] == []
    current = (await client.get(f"{BOB_ACCOUNT}/orders/{order['Id']}", headers=bob)).json()
    assert current["Status"] == "New" and current["ExecutedQuantity"] == 0
    assert await position_of(client, bob, "AAPL") is None

    moved = await set_price(client, "AAPL", 200.0)
    assert moved["FilledOrderIds"] == [order["Id"]]
    filled = (await client.get(f"{BOB_ACCOUNT}/orders/{order['Id']}", headers=bob)).json()
    assert filled["Status"] == "Filled"
    assert filled["ExecutedQuantity"] == 10 and filled["AveragePrice"] == 200.0
    position = await position_of(client, bob, "AAPL")
    assert position["Quantity"] == 10 and position["AverageOpenPrice"] == 200.0
    balances = (await client.get(f"{BOB_ACCOUNT}/info", headers=bob)).json()
    assert balances["Cash"] == 100_000 - 2_000


async def test_market_order_fills_at_ask_and_sell_realizes_profit(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    quote = (await set_price(client, "MSFT", 400.0))["Quotes"][0]
    bought = (await place(client, bob, Symbol="MSFT", Side="Buy", Type="Market", Quantity=5)).json()
    assert bought["Status"] == "Filled" and bought["AveragePrice"] == quote["Ask"]
    await set_price(client, "MSFT", 420.0)
    sell_limit = (
        await place(client, bob, Symbol="MSFT", Side="Sell", Type="Limit", Quantity=5, Price=421)
    ).json()
    assert sell_limit["Status"] == "New"
    await set_price(client, "MSFT", 421.5)
    sold = (await client.get(f"{BOB_ACCOUNT}/orders/{sell_limit['Id']}", headers=bob)).json()
    assert sold["Status"] == "Filled" and sold["AveragePrice"] == 421.5
    assert await position_of(client, bob, "MSFT") is None
    balances = (await client.get(f"{BOB_ACCOUNT}/info", headers=bob)).json()
    assert balances["RealizedPL"] == pytest.approx(5 * (421.5 - quote["Ask"]), abs=0.01)


async def test_stop_sell_triggers_when_price_falls_through(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await set_price(client, "TSLA", 250.0)
    await place(client, bob, Symbol="TSLA", Side="Buy", Type="Market", Quantity=4)
    stop = (
        await place(
            client,
            bob,
            Symbol="TSLA",
            Side="Sell",
            Type="Stop",
            Quantity=4,
            StopPrice=240,
            TimeInforce="GoodTillCancel",
        )
    ).json()
    assert (await set_price(client, "TSLA", 240.5))["FilledOrderIds"] == []
    assert (await set_price(client, "TSLA", 239.0))["FilledOrderIds"] == [stop["Id"]]


async def test_same_client_id_returns_the_first_order(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    body = {"Symbol": "NVDA", "Side": "Buy", "Type": "Market", "Quantity": 3, "ClientId": "po-42"}
    first = (await place(client, bob, **body)).json()
    second = (await place(client, bob, **(body | {"Quantity": 7}))).json()
    assert second["Id"] == first["Id"] and second["Quantity"] == 3
    assert second["ClientId"] == "po-42"
    listed = (
        await client.get(f"{BOB_ACCOUNT}/orders", params={"pageNumber": 0, "pageSize": 10}, headers=bob)
    ).json()
    assert listed["TotalCount"] == 1
    stats = (await client.get("_sandbox/stats")).json()
    assert stats["OrdersPlaced"] == 1 and stats["PlaceOrderCalls"] == 2


async def test_fail_next_order_answers_500_after_accepting(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await client.post("_sandbox/faults", json={"FailNextOrders": 1})
    body = {"Symbol": "AMZN", "Side": "Buy", "Type": "Market", "Quantity": 2, "ClientId": "once"}
    failed = await place(client, bob, **body)
    assert failed.status_code == 500
    orders = (await client.get("_sandbox/orders")).json()
    assert [o["ClientId"] for o in orders] == ["once"]
    retried = await place(client, bob, **body)
    assert retried.status_code == 200 and retried.json()["Id"] == orders[0]["Id"]
    assert (await client.get("_sandbox/stats")).json()["OrdersPlaced"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"Symbol": "ZZZZQ", "Side": "Buy", "Type": "Market", "Quantity": 1}, "SymbolNotFound"),
        ({"Symbol": "AAPL", "Side": "Sell", "Type": "Market", "Quantity": 1}, "InsufficientShares"),
        (
            {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 10_000},
            "DayTradingBuyingPowerExceeded",
        ),
        (
            {
                "Symbol": "AAPL",
                "Side": "Buy",
                "Type": "Market",
                "Quantity": 1,
                "TimeInforce": "GoodTillCancel",
            },
            "InvalidOrderType",
        ),
        ({"Symbol": "AAPL", "Side": "Buy", "Type": "TrailingStop", "Quantity": 1}, "InvalidOrderType"),
        (  # extended-hours orders must be limit orders (pages/orders/extended-hours.md)
            {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1, "ExtendedHours": "PRE"},
            "InvalidOrderType",
        ),
        ({"Symbol": "AAPL", "Side": "Buy", "Type": "Limit", "Quantity": 1}, "QuotePriceIsInvalid"),
        (
            {"Symbol": "AAPL", "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": 1},
            "QuotePriceIsInvalid",
        ),
    ],
)
async def test_documented_rejections(
    client: httpx.AsyncClient, bob: dict[str, str], body: dict[str, Any], code: str
) -> None:
    preview = (await client.post(f"{BOB_ACCOUNT}/preview/orders", json=body, headers=bob)).json()
    assert preview["IsSuccessful"] is False and preview["ErrorDescription"] == code
    order = (await place(client, bob, **body)).json()
    assert order["Status"] == "Rejected" and order["Description"] == code
    assert order["ErrorDescriptionText"]


async def test_market_closed_and_unsigned_agreements_block_trading(
    client: httpx.AsyncClient, bob: dict[str, str], alice: dict[str, str]
) -> None:
    body = {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1}
    restricted = (await client.post("v1.0/accounts/5001/orders", json=body, headers=alice)).json()
    assert restricted["Description"] == "AccountRestricted"
    agreement = (await client.get("v1.0/users/@me/agreements", headers=alice)).json()[0]
    await client.post(f"v1.0/users/@me/agreements/{agreement['Id']}/sign", headers=alice)
    allowed = (await client.post("v1.0/accounts/5001/orders", json=body, headers=alice)).json()
    assert allowed["Status"] == "Filled"

    await client.post("_sandbox/clock", json={"Open": False})
    closed = (await place(client, bob, **body)).json()
    assert closed["Description"] == "MarketClosed"
    await client.post("_sandbox/clock", json={"Mode": "always"})
    assert (await place(client, bob, **body)).json()["Status"] == "Filled"


async def test_preview_reports_cost_and_commission(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await set_price(client, "KO", 70.0)
    body = {"Symbol": "KO", "Side": "Buy", "Type": "Limit", "Quantity": 10, "Price": 69.5}
    preview = (await client.post(f"{BOB_ACCOUNT}/preview/orders", json=body, headers=bob)).json()
    assert preview["IsSuccessful"] is True and "ErrorDescription" not in preview
    assert preview["Cost"] == 695.0 and preview["Commission"] == 0
    assert preview["Quotes"][0]["Symbol"] == "KO"


async def test_cancel_open_order_then_conflict(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await set_price(client, "META", 560.0)
    order = (await place(client, bob, Symbol="META", Side="Buy", Type="Limit", Quantity=1, Price=500)).json()
    cancelled = await client.delete(f"{BOB_ACCOUNT}/orders/{order['Id']}", headers=bob)
    assert cancelled.status_code == 200 and cancelled.json()["Status"] == "Canceled"
    again = await client.delete(f"{BOB_ACCOUNT}/orders/{order['Id']}", headers=bob)
    assert again.status_code == 409
    filled = (await place(client, bob, Symbol="META", Side="Buy", Type="Market", Quantity=1)).json()
    refused = await client.delete(f"{BOB_ACCOUNT}/orders/{filled['Id']}", headers=bob)
    assert refused.status_code == 409 and "Filled" in refused.json()["Message"]
    assert (await set_price(client, "META", 499.0))["FilledOrderIds"] == []


async def test_order_list_filter_and_paging(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await set_price(client, "F", 10.0)
    for price in (9.0, 9.5):
        await place(client, bob, Symbol="F", Side="Buy", Type="Limit", Quantity=1, Price=price)
    await place(client, bob, Symbol="F", Side="Buy", Type="Market", Quantity=1)
    open_orders = (
        await client.get(
            f"{BOB_ACCOUNT}/orders",
            params={
                "pageNumber": 0,
                "pageSize": 1,
                "filter": "Status in ('New','PartiallyFilled')",
                "sortField": "Price",
                "desc": "true",
            },
            headers=bob,
        )
    ).json()
    assert open_orders["TotalCount"] == 2
    assert open_orders["Result"][0]["Price"] == 9.5 and open_orders["NextPageLink"]
    bad = await client.get(
        f"{BOB_ACCOUNT}/orders", params={"pageNumber": 0, "pageSize": 5, "filter": "Status ~ 1"}, headers=bob
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"Symbol": "AAPL", "Type": "Market", "Quantity": 1}, "Side"),
        ({"Symbol": "AAPL", "Side": "Buy", "Type": "Fancy", "Quantity": 1}, "Type"),
        ({"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": "1"}, "Quantity"),
        ({"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 0}, "Quantity"),
        ({"Side": "Buy", "Type": "Market", "Quantity": 1}, "Symbol"),
        (
            {"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1, "TimeInforce": "Sometimes"},
            "TimeInforce",
        ),
    ],
)
async def test_invalid_order_bodies_get_422_naming_the_field(
    client: httpx.AsyncClient, bob: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = await place(client, bob, **body)
    assert response.status_code == 422
    assert field in response.json()["ModelState"]
    assert (await client.get("_sandbox/orders")).json() == []


class TestPartialFills:
    @pytest.fixture
    def sandbox_config(self) -> SandboxConfig:
        return make_config(fill_liquidity=5)

    async def test_big_order_fills_in_parts(self, client: httpx.AsyncClient, bob: dict[str, str]) -> None:
        await set_price(client, "F", 10.0)
        order = (await place(client, bob, Symbol="F", Side="Buy", Type="Market", Quantity=12)).json()
        assert order["Status"] == "PartiallyFilled" and order["ExecutedQuantity"] == 5
        await set_price(client, "F", 10.02)
        await set_price(client, "F", 10.04)
        done = (await client.get(f"{BOB_ACCOUNT}/orders/{order['Id']}", headers=bob)).json()
        assert done["Status"] == "Filled" and done["ExecutedQuantity"] == 12
        kinds = [d["Type"] for d in (await client.get("_sandbox/webhooks")).json()["Deliveries"]]
        assert kinds == [
            "order.created",
            "order.partial_fill",
            "position.opened",
            "order.partial_fill",
            "order.filled",
        ]
        [last_part, filled] = [
            d["Payload"]["data"]
            for d in (await client.get("_sandbox/webhooks")).json()["Deliveries"]
            if d["Type"] in ("order.partial_fill", "order.filled")
        ][1:]
        assert (last_part["filledQuantity"], last_part["remainingQuantity"], last_part["status"]) == (
            10,
            2,
            "PartiallyFilled",
        )
        assert (filled["filledQuantity"], filled["status"]) == (12, "Filled")


@pytest.mark.parametrize("value", ["PRE", "POST", "REGPRE", "REGPOST", "ALL", "PREREG", "PREPOST", "REG", ""])
async def test_documented_extended_hours_values_are_taken(
    client: httpx.AsyncClient, bob: dict[str, str], value: str
) -> None:
    await set_price(client, "AAPL", 210.0)
    body = {
        "Symbol": "AAPL",
        "Side": "Buy",
        "Type": "Limit",
        "Quantity": 1,
        "Price": 200,
        "ExtendedHours": value,
    }
    order = (await place(client, bob, **body)).json()
    assert order["Status"] == "New"
    assert order.get("ExtendedHours", "") == value


@pytest.mark.parametrize("value", ["PreAndPost", "pre", "EXTENDED", "REGULAR"])
async def test_undocumented_extended_hours_values_are_refused(
    client: httpx.AsyncClient, bob: dict[str, str], value: str
) -> None:
    body = {
        "Symbol": "AAPL",
        "Side": "Buy",
        "Type": "Limit",
        "Quantity": 1,
        "Price": 200,
        "ExtendedHours": value,
    }
    for path in ("preview/orders", "orders"):
        response = await client.post(f"{BOB_ACCOUNT}/{path}", json=body, headers=bob)
        assert response.status_code == 422, response.text
        assert "ExtendedHours" in response.text
    assert (await client.get("_sandbox/orders")).json() == []


async def test_order_filter_takes_the_documented_grammar(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    """The forms of the Get Filtered Orders page: numeric statuses, ``=``, dates between #…#."""
    await set_price(client, "F", 10.0)
    open_order = (await place(client, bob, Symbol="F", Side="Buy", Type="Limit", Quantity=1, Price=9)).json()
    filled = (await place(client, bob, Symbol="F", Side="Buy", Type="Market", Quantity=1)).json()
    cancelled = (await place(client, bob, Symbol="F", Side="Buy", Type="Limit", Quantity=1, Price=9.5)).json()
    await client.delete(f"{BOB_ACCOUNT}/orders/{cancelled['Id']}", headers=bob)
    security = open_order["SecurityId"]

    async def ids(filter_text: str) -> list[int]:
        params = {"pageNumber": 0, "pageSize": 10, "filter": filter_text}
        response = await client.get(f"{BOB_ACCOUNT}/orders", params=params, headers=bob)
        assert response.status_code == 200, response.text
        return sorted(order["Id"] for order in response.json()["Result"])

    assert await ids("Status in (0,1,4,5,7)") == [open_order["Id"], cancelled["Id"]]
    assert await ids("Status in (0)") == [open_order["Id"]]
    assert await ids(f"SecurityId = {security} and Status in (0,1,2,3,4,5,6,7,8,9,20)") == sorted(
        [open_order["Id"], filled["Id"], cancelled["Id"]]
    )
    assert await ids("CreateDate between #2019-03-13T18:31:42# and #2019-03-17T18:31:42#") == []
    assert len(await ids("CreateDate >= #2019-03-13T18:31:42#")) == 3
    assert await ids("Status in ('Filled')") == [filled["Id"]]  # names, as the bot's fallback asks
    for unsupported in (f"ClientId = 'none' or Id = {filled['Id']}", "Status in (0", "Status like 'N%'"):
        params = {"pageNumber": 0, "pageSize": 10, "filter": unsupported}
        assert (await client.get(f"{BOB_ACCOUNT}/orders", params=params, headers=bob)).status_code == 400
