"""Replacing a working order, both sides of the contract: the sandbox's two PUT operations answer
the spec's shapes and statuses, and the client's calls are those operations with a body that
fits ModifyOrderResource."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.autoshares import errors as e
from bot.autoshares.resources import OrderChange
from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording

PREVIEW = "/accounts/{accountId}/preview/orders/{orderId}"
REPLACE = "/accounts/{accountId}/orders/{orderId}"
RESTING = {
    "Symbol": "AAPL",
    "Side": "Buy",
    "Type": "Limit",
    "Quantity": 5,
    "Price": 150,
    "TimeInforce": "Day",
}


async def _place(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    placed = await client.post("accounts/5002/orders", json=body, headers=headers)
    assert placed.status_code == 200, placed.text
    return dict(placed.json())


async def test_sandbox_replaces_a_working_order_in_place_and_refuses_a_finished_one(
    contract: Contract, client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    check = contract.check_response
    await root_client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 210.0})
    resting = await _place(client, bob, RESTING)
    change = {"Id": resting["Id"], "Quantity": 3, "Price": 151.5, "ClientId": "change-1"}
    path = f"accounts/5002/orders/{resting['Id']}"

    preview = check(
        "PUT",
        PREVIEW,
        await client.put(f"accounts/5002/preview/orders/{resting['Id']}", json=change, headers=bob),
    )
    assert preview["IsSuccessful"] is True and preview["OrderId"] == resting["Id"]
    assert preview["Cost"] == pytest.approx(3 * 151.5)

    replaced = check("PUT", REPLACE, await client.put(path, json=change, headers=bob))
    assert (replaced["Id"], replaced["Quantity"], replaced["Price"]) == (resting["Id"], 3, 151.5)
    assert replaced["ClientId"] == "change-1" and replaced["Status"] == "New"
    again = check("PUT", REPLACE, await client.put(path, json=change, headers=bob))
    assert again["Id"] == resting["Id"] and again["Quantity"] == 3  # the same change stands once
    read = check("GET", REPLACE, await client.get(path, headers=bob))
    assert (read["Quantity"], read["Price"]) == (3, 151.5)

    wrong_id = await client.put(path, json=change | {"Id": resting["Id"] + 1, "ClientId": "c2"}, headers=bob)
    assert wrong_id.status_code == 422 and "Id" in wrong_id.json()["ModelState"]
    bad_enum = await client.put(path, json=change | {"TimeInForce": "Forever", "ClientId": "c3"}, headers=bob)
    assert bad_enum.status_code == 422 and "TimeInForce" in bad_enum.json()["ModelState"]

    filled = await _place(client, bob, {**RESTING, "Type": "Market", "Price": None, "Quantity": 1})
    assert filled["Status"] == "Filled"
    finished = {"Id": filled["Id"], "Quantity": 2, "ClientId": "change-2"}
    refused = await client.put(f"accounts/5002/orders/{filled['Id']}", json=finished, headers=bob)
    assert refused.status_code == 409 and refused.status_code in contract.documented_statuses("PUT", REPLACE)
    assert "Filled" in refused.json()["Message"]
    late = check(
        "PUT",
        PREVIEW,
        await client.put(f"accounts/5002/preview/orders/{filled['Id']}", json=finished, headers=bob),
    )
    assert late["IsSuccessful"] is False and late["ErrorDescription"] == "OrderNotReplaceable"


async def test_client_replace_calls_are_the_spec_operations(
    contract: Contract,
    sb: RunningSandbox,
    client: httpx.AsyncClient,
    root_client: httpx.AsyncClient,
    bob: dict[str, str],
) -> None:
    await root_client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 210.0})
    resting = await _place(client, bob, RESTING)
    filled = await _place(client, bob, {**RESTING, "Type": "Market", "Price": None, "Quantity": 1})
    async with recording(sb, bob, 1002) as (api, sent):
        change = OrderChange(
            id=resting["Id"], type="Limit", quantity=4, price=152, time_in_force="Day", client_id="c-9"
        )
        preview = await api.preview_replace(5002, resting["Id"], change.body())
        order = await api.replace_order(5002, resting["Id"], change.body())
        with pytest.raises(e.AutoSharesConflict):
            await api.replace_order(5002, filled["Id"], OrderChange(id=filled["Id"], quantity=3).body())
    assert preview.is_successful and preview.order_id == resting["Id"] and preview.cost == 608
    assert (order.id, order.quantity, order.price, order.client_id) == (resting["Id"], 4, 152, "c-9")

    operations = [contract.operation_of(request) for request, _ in sent]
    assert [op["operationId"] for _, op in operations] == [
        "Orders_PreviewModifyOrder",
        "Orders_ReplaceOrder",
        "Orders_ReplaceOrder",
    ]
    for (request, response), (template, operation) in zip(sent, operations, strict=True):
        assert request.headers["Et-App-Key"] and request.headers["Authorization"].startswith("Bearer ")
        [body] = [p for p in operation["parameters"] if p["in"] == "body"]
        assert not contract.errors(body["schema"], json.loads(request.content)), template
        if response.status_code == 200:
            contract.check_response(request.method, template.removeprefix("/v{version}"), response)
        else:
            assert response.status_code in contract.documented_statuses("PUT", REPLACE)
