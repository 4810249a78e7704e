"""Every sandbox response body the bot uses validates against openapi.yaml."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from sandbox.api import enums, funds
from sandbox.api.endpoints import all_endpoints
from tests.contract.conftest import Contract
from tests.sandbox.conftest import get_code

POSITIONS: dict[str, str | int] = {"pageNumber": 0, "pageSize": 10, "sortField": "Symbol", "desc": "false"}
ALERTS: dict[str, str | int] = {"pageSize": 10, "pageNumber": 0, "sortBy": "Id", "isDesc": "false"}


def test_every_sandbox_endpoint_is_in_the_spec(contract: Contract) -> None:
    for endpoint in all_endpoints():
        operation = contract.operation(endpoint.method, endpoint.path)
        assert operation["responses"]["200"], endpoint


@pytest.mark.parametrize(
    ("constant", "definition", "prop"),
    [
        (enums.ORDER_SIDES, "CreateOrderResource", "Side"),
        (enums.ORDER_TYPES, "CreateOrderResource", "Type"),
        (enums.TIME_IN_FORCE, "CreateOrderResource", "TimeInforce"),
        (enums.EXEC_INST, "CreateOrderResource", "ExecInst"),
        (enums.ORDER_STATUSES, "OrderResource", "Status"),
        (enums.ACCESS_TYPES, "UserAccountModel", "AccessType"),
        (enums.ALERT_STATES, "PriceAlertEditableModel", "State"),
        (funds.QUANTITY_QUALIFIERS, "BuyMutualFundResource", "QuantityQualifier"),
        (funds.QUANTITY_QUALIFIERS, "SellMutualFundResource", "QuantityQualifier"),
    ],
)
def test_enums_match_the_spec(
    contract: Contract, constant: tuple[str, ...], definition: str, prop: str
) -> None:
    assert list(constant) == contract.definitions[definition]["properties"][prop]["enum"]


async def test_user_account_and_security_reads(
    contract: Contract, client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    check = contract.check_response
    check("GET", "/users/{userId}/info", await client.get("users/@me/info", headers=alice))
    agreements = check(
        "GET", "/users/{userId}/agreements", await client.get("users/@me/agreements", headers=alice)
    )
    assert len(agreements) == 1
    signed = await client.post(f"users/@me/agreements/{agreements[0]['Id']}/sign", headers=alice)
    assert signed.status_code in contract.documented_statuses(
        "POST", "/users/{userId}/agreements/{agreementId}/sign"
    )
    accounts = check("GET", "/users/{userId}/accounts", await client.get("users/@me/accounts", headers=alice))
    assert accounts[0]["Id"] == 5001
    check(
        "PUT",
        "/accounts/{accountId}/users/{userId}",
        await client.put("accounts/5001/users/1002", params={"accessType": "Full"}, headers=alice),
    )
    check("PUT", "/accounts/{accountId}/select", await client.put("accounts/5001/select", headers=bob))
    balances = check(
        "GET", "/accounts/{accountId}/info", await client.get("accounts/5001/info", headers=alice)
    )
    assert balances["Cash"] > 0
    check("GET", "/equities/{symbol}", await client.get("equities/AAPL", headers=bob))
    found = check(
        "GET",
        "/equities/lookup",
        await client.get("equities/lookup", params={"mask": "A", "count": 50}, headers=bob),
    )
    assert len(found) == 50
    streamers = check("GET", "/streamers", await client.get("streamers", headers=bob))
    assert streamers["QuoteAddresses"][0]["SessionId"]
    chart = check(
        "PUT",
        "/history/symbols",
        await client.put(
            "history/symbols",
            headers=bob,
            json={
                "Security": {"Symbol": "AAPL"},
                "SecurityHistorySettings": {"Period": "Hour", "Interval": 1, "CandlesCount": 10},
            },
        ),
    )
    assert len(chart["SecurityHistory"][0]) == 10


async def test_order_bodies(
    contract: Contract,
    client: httpx.AsyncClient,
    root_client: httpx.AsyncClient,
    bob: dict[str, str],
) -> None:
    check = contract.check_response
    await root_client.post("_sandbox/prices", json={"Symbol": "AAPL", "Last": 210.0})
    market = {
        "Symbol": "AAPL",
        "Side": "Buy",
        "Type": "Market",
        "Quantity": 5,
        "TimeInforce": "Day",
        "ClientId": "k-1",
        "Comment": "contract",
    }
    good = check(
        "POST",
        "/accounts/{accountId}/preview/orders",
        await client.post("accounts/5002/preview/orders", json=market, headers=bob),
    )
    assert good["IsSuccessful"] is True
    bad = check(
        "POST",
        "/accounts/{accountId}/preview/orders",
        await client.post("accounts/5002/preview/orders", headers=bob, json=market | {"Symbol": "NOPE"}),
    )
    assert bad["ErrorDescription"] == "SymbolNotFound"

    filled = check(
        "POST",
        "/accounts/{accountId}/orders",
        await client.post("accounts/5002/orders", json=market, headers=bob),
    )
    assert filled["Status"] == "Filled"
    resting = check(
        "POST",
        "/accounts/{accountId}/orders",
        await client.post(
            "accounts/5002/orders",
            headers=bob,
            json={
                "Symbol": "AAPL",
                "Side": "Sell",
                "Type": "StopLimit",
                "Quantity": 5,
                "StopPrice": 200,
                "Price": 199,
                "TimeInforce": "GoodTillCancel",
            },
        ),
    )
    assert resting["Status"] == "New"
    rejected = check(
        "POST",
        "/accounts/{accountId}/orders",
        await client.post(
            "accounts/5002/orders", headers=bob, json=market | {"ClientId": "k-2", "Quantity": 100000}
        ),
    )
    assert rejected["Status"] == "Rejected"
    check(
        "GET",
        "/accounts/{accountId}/orders/{orderId}",
        await client.get(f"accounts/5002/orders/{filled['Id']}", headers=bob),
    )
    listed = check(
        "GET",
        "/accounts/{accountId}/orders",
        await client.get("accounts/5002/orders", params={"pageNumber": 0, "pageSize": 2}, headers=bob),
    )
    assert listed["TotalCount"] == 3
    check(
        "DELETE",
        "/accounts/{accountId}/orders/{orderId}",
        await client.delete(f"accounts/5002/orders/{resting['Id']}", headers=bob),
    )
    positions = check(
        "GET",
        "/accounts/{accountId}/positions",
        await client.get("accounts/5002/positions", params=POSITIONS, headers=bob),
    )
    assert positions["Result"][0]["Quantity"] == 5


async def test_price_alert_bodies(contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    check = contract.check_response
    body = {
        "Operator": "GTEQ",
        "Field": "Last",
        "Argument": 300.0,
        "SecurityId": 1,
        "ExpirationDate": int(time.time()) + 86400,
        "State": "New",
    }
    created = check(
        "POST",
        "/users/{userId}/pricealerts",
        await client.post("users/@me/pricealerts", json=body, headers=bob),
    )
    path = f"users/@me/pricealerts/{created['Id']}"
    check("GET", "/users/{userId}/pricealerts/{alertId}", await client.get(path, headers=bob))
    check(
        "PUT",
        "/users/{userId}/pricealerts/{alertId}",
        await client.put(path, json=body | {"Operator": "LTEQ"}, headers=bob),
    )
    listed = check(
        "GET",
        "/users/{userId}/pricealerts",
        await client.get("users/@me/pricealerts", params=ALERTS, headers=bob),
    )
    assert listed["TotalCount"] == 1
    check("DELETE", "/users/{userId}/pricealerts/{alertId}", await client.delete(path, headers=bob))


async def test_watchlist_bodies(contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    """Every watchlist operation, its answers and its documented conflicts."""
    check = contract.check_response
    listed = "/users/{userId}/watchlists"
    one = listed + "/{watchlistId}"
    created = check(
        "POST",
        listed,
        await client.post(
            "users/@me/watchlists",
            params={"resultIncludeSecurities": "true"},
            json={"Name": "Slack", "Securities": [1, 8]},
            headers=bob,
        ),
    )
    assert [s["Symbol"] for s in created["SecurityList"]] == ["AAPL", "SPY"]
    clash = check(
        "POST",
        listed,
        await client.post(
            "users/@me/watchlists",
            params={"resultIncludeSecurities": "false"},
            json={"Name": "Slack"},
            headers=bob,
        ),
    )
    assert clash["Id"] == created["Id"]
    unknown = check(
        "POST",
        listed,
        await client.post(
            "users/@me/watchlists",
            params={"resultIncludeSecurities": "true"},
            json={"Name": "New", "Securities": [1, 999]},
            headers=bob,
        ),
    )
    assert "Id" not in unknown
    for include in ("true", "false"):
        check(
            "GET",
            listed,
            await client.get("users/@me/watchlists", params={"includeSecurities": include}, headers=bob),
        )
    path = f"users/@me/watchlists/{created['Id']}"
    check("GET", one, await client.get(path, params={"includeSecurities": "true"}, headers=bob))
    check(
        "PUT",
        one + "/securities",
        await client.put(f"{path}/securities", json={"Symbol": "MSFT"}, headers=bob),
    )
    check(
        "DELETE",
        one + "/securities",
        await client.request("DELETE", f"{path}/securities", json={"Symbol": "MSFT"}, headers=bob),
    )
    check("PUT", one + "/securities/{securityId}", await client.put(f"{path}/securities/3", headers=bob))
    removed = check(
        "DELETE", one + "/securities/{securityId}", await client.delete(f"{path}/securities/3", headers=bob)
    )
    assert [s["Symbol"] for s in removed["SecurityList"]] == ["AAPL", "SPY"]
    renamed = check(
        "PUT", one + "/name", await client.put(f"{path}/name", params={"name": "Mine"}, headers=bob)
    )
    assert renamed == {"m_Item1": created["Id"], "m_Item2": "Mine"}
    for method, template, where in (
        ("GET", one, "users/@me/watchlists/999"),
        ("DELETE", one + "/securities/{securityId}", f"{path}/securities/3"),
        ("PUT", one + "/securities/{securityId}", f"{path}/securities/999"),
    ):
        response = await client.request(method, where, params={"includeSecurities": "true"}, headers=bob)
        assert response.status_code == 409 and 409 in contract.documented_statuses(method, template)
    deleted = await client.delete(path, headers=bob)
    assert deleted.status_code == 204 and 204 in contract.documented_statuses("DELETE", one)


async def test_streamer_frames_match_models(
    contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    url = (await client.get("streamers", headers=bob)).json()["QuoteAddresses"][0]["Url"]
    frames: dict[str, dict[str, Any]] = {}
    async with connect(url) as ws:
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Quote", "Keys": ["1"]}}))
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Order", "Keys": ["5002"]}}))
        await ws.send(json.dumps({"Subscribe": {"EntityType": "Position", "Keys": ["5002"]}}))
        while "Quote" not in frames or frames.get("Ack", {}).get("SubscriptionType") != "Position":
            frame = json.loads(await ws.recv())
            frames[frame["EntityType"]] = frame
        await client.post(
            "accounts/5002/orders",
            headers=bob,
            json={"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1},
        )
        while "Order" not in frames or "Position" not in frames:
            frame = json.loads(await ws.recv())
            frames[frame["EntityType"]] = frame
    for entity, definition in (
        ("Quote", "QuoteModel"),
        ("Order", "OrderResource"),
        ("Position", "PositionResource"),
    ):
        body = {k: v for k, v in frames[entity].items() if k != "EntityType"}
        contract.check_definition(definition, body)


async def test_etna_login_bodies(contract: Contract, root_client: httpx.AsyncClient) -> None:
    key = {"Et-App-Key": "sandbox-app-key"}
    ok = await root_client.post("token", headers=key | {"Username": "bob", "Password": "sandbox"})
    assert contract.check_response("POST", "/token", ok)["State"] == "Succeeded"
    failed = await root_client.post("token", headers=key | {"Username": "bob", "Password": "x"})
    assert contract.check_response("POST", "/token", failed)["State"] == "Failed"


async def test_token_takes_an_oauth_code_and_redirect_uri(
    contract: Contract, root_client: httpx.AsyncClient
) -> None:
    """The spec's /token headers OAuthCode + RedirectUri: the SSO page's exchange after the OIDC
    callback. The code is the one /authorize issued; it works once, for its redirect_uri."""
    parameters = {p["name"] for p in contract.operation("POST", "/token")["parameters"]}
    assert {"OAuthCode", "RedirectUri", "Et-App-Key"} <= parameters
    code = await get_code(root_client, "bob")
    key = {"Et-App-Key": "sandbox-app-key"}
    headers = key | {"OAuthCode": code.code, "RedirectUri": code.redirect_uri}
    wrong_uri = await root_client.post("token", headers=headers | {"RedirectUri": "http://127.0.0.1/other"})
    assert contract.check_response("POST", "/token", wrong_uri) == {
        "State": "Failed",
        "Step": "OAuthCode",
        "Reason": "Invalid, expired or used code.",
    }
    ok = await root_client.post("token", headers=headers)
    token = contract.check_response("POST", "/token", ok)["Token"]
    me = await root_client.get("v1.0/users/@me/info", headers=key | {"Authorization": f"Bearer {token}"})
    assert me.json()["Login"] == "bob"
    again = await root_client.post("token", headers=headers)
    assert contract.check_response("POST", "/token", again)["State"] == "Failed"
    wrong_key = await root_client.post("token", headers=headers | {"Et-App-Key": "nope"})
    assert wrong_key.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"Statuss": "New"},
        {"Status": "Done"},
        {"Id": "7"},
        {"Id": 2**40},
        {"CreateDate": "yesterday"},
        {"CreateDate": "2024-01-01T00:00:00"},
        {"Quantity": None},
    ],
)
def test_validator_catches_wrong_bodies(contract: Contract, body: dict[str, Any]) -> None:
    """The checks above mean something: misspelled names, bad enums, types, formats fail."""
    assert contract.errors({"$ref": "#/definitions/OrderResource"}, body)
