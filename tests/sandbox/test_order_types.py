"""Order types beyond limit and stop against the simulated market: trailing stops that follow
the price, brackets whose exits activate and cancel each other, dollar amounts, shorts, an
order's details and the account's limits for a symbol."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandbox.test_orders import BOB_ACCOUNT, place, position_of, set_price


async def get(client: httpx.AsyncClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = await client.get(f"{BOB_ACCOUNT}/{path}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_trailing_stop_follows_the_price_and_sells_when_it_turns(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await set_price(client, "AAPL", 200.0)
    await place(client, bob, Symbol="AAPL", Side="Buy", Type="Market", Quantity=10)
    trail = (
        await place(
            client, bob, Symbol="AAPL", Side="Sell", Type="TrailingStop", Quantity=10,
            TrailingStopAmountType="Persentage", TrailingStopAmount=5, TimeInforce="GoodTillCancel",
        )
    ).json()
    assert trail["Status"] == "New" and trail["StopPrice"] == 190.0
    assert trail["TrailingStopAmountType"] == "Persentage" and trail["TrailingStopAmount"] == 5
    await set_price(client, "AAPL", 220.0)
    assert (await get(client, bob, f"orders/{trail['Id']}"))["StopPrice"] == 209.0
    moved = await set_price(client, "AAPL", 210.0)  # above the stop: still waiting
    assert moved["FilledOrderIds"] == []
    moved = await set_price(client, "AAPL", 208.5)
    assert moved["FilledOrderIds"] == [trail["Id"]]
    assert await position_of(client, bob, "AAPL") is None

    limited = (
        await place(
            client, bob, Symbol="AAPL", Side="Buy", Type="TrailingStopLimit", Quantity=1,
            TrailingStopAmountType="Absolute", TrailingStopAmount=2,
            TrailingLimitAmountType="Absolute", TrailingLimitAmount=0.5,
        )
    ).json()
    assert limited["StopPrice"] == 210.5 and limited["TrailingLimitAmount"] == 0.5
    missing = (await place(client, bob, Symbol="AAPL", Side="Sell", Type="TrailingStop", Quantity=1)).json()
    assert missing["Status"] == "Rejected" and missing["Description"] == "InvalidOrderType"


async def test_bracket_entry_releases_exits_and_the_first_to_fill_cancels_the_other(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    await set_price(client, "MSFT", 400.0)
    legs = [
        {"Symbol": "MSFT", "Side": "Buy", "Type": "Limit", "Quantity": 5, "Price": 395},
        {"Symbol": "MSFT", "Side": "Sell", "Type": "Limit", "Quantity": 5, "Price": 420, "TimeInforce": "GoodTillCancel"},
        {"Symbol": "MSFT", "Side": "Sell", "Type": "Stop", "Quantity": 5, "StopPrice": 380, "TimeInforce": "GoodTillCancel"},
    ]
    parent = (
        await place(
            client, bob, Symbol="MSFT", Side="Buy", Type="OneTriggerOneCancelOther", Quantity=5,
            ClientId="bracket-1", Legs=legs,
        )
    ).json()
    entry, profit, loss = parent["Legs"]
    assert parent["Status"] == "New" and {leg["ParentId"] for leg in parent["Legs"]} == {parent["Id"]}
    assert (entry["Status"], profit["Status"], loss["Status"]) == ("New", "Held", "Held")
    await set_price(client, "MSFT", 421.0)  # exits are held until the entry fills
    assert (await get(client, bob, f"orders/{profit['Id']}"))["Status"] == "Held"
    moved = await set_price(client, "MSFT", 395.0)
    assert moved["FilledOrderIds"] == [entry["Id"]]
    assert (await get(client, bob, f"orders/{loss['Id']}"))["Status"] == "New"
    moved = await set_price(client, "MSFT", 420.0)
    assert profit["Id"] in moved["FilledOrderIds"]
    after = await get(client, bob, f"orders/{parent['Id']}")
    assert after["Status"] == "Filled" and after["ExecutedQuantity"] == 5 and after["AveragePrice"] == 395.0
    assert [leg["Status"] for leg in after["Legs"]] == ["Filled", "Filled", "Canceled"]
    assert await position_of(client, bob, "MSFT") is None

    wrong = (
        await place(client, bob, Symbol="MSFT", Side="Buy", Type="OneTriggerOther", Quantity=5, Legs=legs)
    ).json()
    assert wrong["Status"] == "Rejected" and "takes 2 Legs" in wrong["ErrorDescriptionText"]
    second = (
        await place(client, bob, Symbol="MSFT", Side="Buy", Type="OneTriggerOther", Quantity=5, Legs=legs[:2])
    ).json()
    # a replace carries no Legs: neither the bracket nor its legs change in place
    for order_id in (second["Id"], second["Legs"][0]["Id"]):
        change = {"Id": order_id, "Quantity": 6}
        preview = await client.put(f"{BOB_ACCOUNT}/preview/orders/{order_id}", headers=bob, json=change)
        assert preview.json()["IsSuccessful"] is False and preview.json()["ErrorDescription"] == "InvalidOrderType"
        refused = await client.put(f"{BOB_ACCOUNT}/orders/{order_id}", headers=bob, json=change)
        assert refused.status_code == 409 and "cannot be replaced" in refused.text
    cancelled = (await client.delete(f"{BOB_ACCOUNT}/orders/{second['Id']}", headers=bob)).json()
    assert cancelled["Status"] == "Canceled"
    assert [leg["Status"] for leg in cancelled["Legs"]] == ["Canceled", "Canceled"]


async def test_dollar_amount_short_cover_details_and_limits(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    quote = (await set_price(client, "TSLA", 250.0))["Quotes"][0]
    dollars = (
        await place(client, bob, Symbol="TSLA", Side="Buy", Type="Market", Quantity=500, ExecInst="CashAmountOrder")
    ).json()
    assert dollars["Status"] == "Filled" and dollars["Quantity"] == 500
    assert abs(dollars["ExecutedQuantity"] * dollars["AveragePrice"] - 500) < 0.01
    assert dollars["ExecutedQuantity"] == round(500 / quote["Ask"], 6) or dollars["ExecutedQuantity"] < 500 / quote["Ask"]
    details = await get(client, bob, f"orders/{dollars['Id']}/details")
    assert [line["IsRequest"] for line in details] == [True, False]
    assert details[1]["ExecId"] and details[1]["LastQuantity"] == dollars["ExecutedQuantity"]
    assert details[1]["LastPrice"] == quote["Ask"] and isinstance(details[1]["TransactionDate"], int)

    await place(client, bob, Symbol="TSLA", Side="Sell", Type="Market", Quantity=dollars["ExecutedQuantity"])
    short = (await place(client, bob, Symbol="TSLA", Side="SellShort", Type="Limit", Quantity=10, Price=249)).json()
    assert short["Status"] == "Filled"
    assert (await position_of(client, bob, "TSLA"))["Quantity"] == -10
    limits = await get(client, bob, "preview/limits/TSLA")
    assert limits["Symbol"] == "TSLA" and limits["BuyPrice"] == quote["Ask"] and limits["BuyLimit"] > 0
    priced = await get(client, bob, "preview/limits/TSLA", price=100)
    assert priced["BuyPrice"] == 100 and priced["BuyLimit"] >= limits["BuyLimit"]
    cover = (await place(client, bob, Symbol="TSLA", Side="BuyToCover", Type="Market", Quantity=10)).json()
    assert cover["Status"] == "Filled" and await position_of(client, bob, "TSLA") is None
    unknown = await client.get(f"{BOB_ACCOUNT}/preview/limits/NOPE", headers=bob)
    assert unknown.status_code == 422
