"""The trading API's gatekeeping and read endpoints."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import api_headers

DENIED = {"Message": "Authorization has been denied for this request."}
BAD_KEY = {"error": "Application key is not defined or does not exist"}
POSITIONS: dict[str, str | int] = {"pageNumber": 0, "pageSize": 10, "sortField": "Symbol", "desc": "false"}


async def test_wrong_or_missing_app_key_gets_403_documented_body(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    for headers in (bob | {"Et-App-Key": "wrong"}, {"Authorization": bob["Authorization"]}):
        response = await client.get("v1.0/users/@me/info", headers=headers)
        assert response.status_code == 403
        assert response.json() == BAD_KEY


async def test_missing_unknown_or_expired_token_gets_401(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    for headers in ({"Et-App-Key": "sandbox-app-key"}, api_headers("made-up")):
        response = await client.get("v1.0/users/@me/info", headers=headers)
        assert response.status_code == 401 and response.json() == DENIED
    assert (await client.get("v1.0/users/@me/info", headers=bob)).status_code == 200
    await client.post("_sandbox/faults", json={"ExpireTokens": True})
    expired = await client.get("v1.0/users/@me/info", headers=bob)
    assert expired.status_code == 401 and expired.json() == DENIED


async def test_user_info_by_me_and_by_id(client: httpx.AsyncClient, alice: dict[str, str]) -> None:
    me = (await client.get("v1.0/users/@me/info", headers=alice)).json()
    assert me["UserId"] == 1001 and me["Login"] == "alice" and me["Email"] == "alice@example.com"
    same = (await client.get("v1.0/users/1001/info", headers=alice)).json()
    assert same == me
    assert (await client.get("v1.0/users/1002/info", headers=alice)).status_code == 403


async def test_spec_path_forms_are_accepted(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    for path in ("v1.0/users/@me/info", "v{version}/users/@me/info", "api/v1.0/users/@me/info"):
        response = await client.get(path, headers=bob)
        assert response.status_code == 200, path
        assert response.json()["UserId"] == 1002
    assert (await client.get("v2.0/users/@me/info", headers=bob)).status_code == 404


async def test_another_users_account_is_refused(client: httpx.AsyncClient, alice: dict[str, str]) -> None:
    for method, path in (
        ("GET", "v1.0/accounts/5002/info"),
        ("GET", "v1.0/accounts/5002/positions"),
        ("GET", "v1.0/accounts/5002/orders/1"),
        ("PUT", "v1.0/accounts/5002/select"),
        ("GET", "v1.0/users/1002/accounts"),
    ):
        response = await client.request(method, path, headers=alice, params=POSITIONS)
        assert response.status_code == 403, path
    order = await client.post(
        "v1.0/accounts/5002/orders",
        headers=alice,
        json={"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1},
    )
    assert order.status_code == 403
    assert (await client.get("_sandbox/orders")).json() == []


async def test_agreements_listed_until_signed(
    client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    assert (await client.get("v1.0/users/@me/agreements", headers=bob)).json() == []
    [agreement] = (await client.get("v1.0/users/@me/agreements", headers=alice)).json()
    assert agreement["Type"] == "Platform" and agreement["CanSkip"] is False
    assert agreement["Title"] and agreement["Version"]
    signed = await client.post(f"v1.0/users/1001/agreements/{agreement['Id']}/sign", headers=alice)
    assert signed.status_code == 200
    assert (await client.get("v1.0/users/@me/agreements", headers=alice)).json() == []
    missing = await client.post("v1.0/users/@me/agreements/999/sign", headers=alice)
    assert missing.status_code == 404


async def test_accounts_bind_and_select(
    client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    [own] = (await client.get("v1.0/users/@me/accounts", headers=bob)).json()
    assert own["Id"] == 5002 and own["AccessType"] == "Owner" and own["MarginType"] == "Cash"
    assert own["Owners"][0]["Login"] == "bob"
    bound = await client.put(
        "v1.0/accounts/5001/users/1002", headers=alice, params={"accessType": "ReadOnly"}
    )
    assert bound.status_code == 200
    assert bound.json() == {"UserModel": bound.json()["UserModel"], "AccountAccessType": "ReadOnly"}
    accounts = (await client.get("v1.0/users/@me/accounts", headers=bob)).json()
    assert [(a["Id"], a["AccessType"]) for a in accounts] == [(5001, "ReadOnly"), (5002, "Owner")]
    assert (await client.get("v1.0/accounts/5001/info", headers=bob)).status_code == 200
    trade = await client.post(
        "v1.0/accounts/5001/orders",
        headers=bob,
        json={"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1},
    )
    assert trade.status_code == 403
    assert (await client.put("v1.0/accounts/5001/select", headers=bob)).status_code == 200
    bad_type = await client.put(
        "v1.0/accounts/5001/users/1002", headers=alice, params={"accessType": "Admin"}
    )
    assert bad_type.status_code == 422


async def test_balances_are_a_flat_number_map(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    balances = (await client.get("v1.0/accounts/5002/info", headers=bob)).json()
    assert balances["Cash"] == 100_000 and balances["BuyingPower"] == 100_000
    assert all(isinstance(value, int | float) for value in balances.values())


async def test_positions_paging_sorting_and_required_parameters(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    for symbol in ("MSFT", "AAPL", "KO"):
        await client.post(
            "v1.0/accounts/5002/orders",
            headers=bob,
            json={"Symbol": symbol, "Side": "Buy", "Type": "Market", "Quantity": 1},
        )
    first = (
        await client.get("v1.0/accounts/5002/positions", headers=bob, params=POSITIONS | {"pageSize": 2})
    ).json()
    assert [p["Symbol"] for p in first["Result"]] == ["AAPL", "KO"]
    # The first page says so with an empty PreviousPageLink, the last with an empty NextPageLink
    # (the documentation's examples: Get Filtered Orders, Get Transactions).
    assert first["TotalCount"] == 3 and first["NextPageLink"] and first["PreviousPageLink"] == ""
    second = (await client.get(first["NextPageLink"], headers=bob)).json()
    assert [p["Symbol"] for p in second["Result"]] == ["MSFT"]
    assert second["PreviousPageLink"] and second["NextPageLink"] == ""
    desc = (
        await client.get("v1.0/accounts/5002/positions", headers=bob, params=POSITIONS | {"desc": "true"})
    ).json()
    assert [p["Symbol"] for p in desc["Result"]] == ["MSFT", "KO", "AAPL"]
    for missing in ("pageNumber", "pageSize", "sortField", "desc"):
        params = {k: v for k, v in POSITIONS.items() if k != missing}
        response = await client.get("v1.0/accounts/5002/positions", headers=bob, params=params)
        assert response.status_code == 422 and missing in response.json()["ModelState"]
    unknown = await client.get(
        "v1.0/accounts/5002/positions", headers=bob, params=POSITIONS | {"sortField": "Nope"}
    )
    assert unknown.status_code == 422


async def test_equities_by_symbol_id_and_lookup(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    aapl = (await client.get("v1.0/equities/aapl", headers=bob)).json()
    assert aapl["Id"] == 1 and aapl["Symbol"] == "AAPL" and aapl["Type"] == "CommonStock"
    assert (await client.get("v1.0/equities/1", headers=bob)).json()["Symbol"] == "AAPL"
    missing = await client.get("v1.0/equities/NOPE", headers=bob)
    assert missing.status_code == 404 and "NOPE" in missing.json()["Message"]
    found = (
        await client.get("v1.0/equities/lookup", headers=bob, params={"mask": "goog", "count": 5})
    ).json()
    assert [e["Symbol"] for e in found] == ["GOOG", "GOOGL"]
    by_name = (
        await client.get("v1.0/equities/lookup", headers=bob, params={"mask": "tesla", "count": 5})
    ).json()
    assert [e["Symbol"] for e in by_name] == ["TSLA"]
    assert (await client.get("v1.0/equities/lookup", headers=bob, params={"mask": "a"})).status_code == 422


@pytest.mark.parametrize("period", ["Minute", "Day"])
async def test_history_candles_end_at_the_live_price(
    client: httpx.AsyncClient, bob: dict[str, str], period: str
) -> None:
    await client.post("_sandbox/prices", json={"Symbol": "NVDA", "Last": 140.0})
    body = {
        "Security": {"Symbol": "NVDA"},
        "SecurityHistorySettings": {"Period": period, "CandlesCount": 30, "Interval": 1},
    }
    chart = (await client.put("v1.0/history/symbols", headers=bob, json=body)).json()
    [series] = chart["SecurityHistory"]
    assert len(series) == 30 and series[-1]["Close"] == 140.0
    assert all(
        c["Low"] <= min(c["Open"], c["Close"]) <= max(c["Open"], c["Close"]) <= c["High"] for c in series
    )
    assert [c["Time"] for c in series] == sorted(c["Time"] for c in series)
    unknown = await client.put("v1.0/history/symbols", headers=bob, json={"Security": {"Symbol": "NOPE"}})
    assert unknown.status_code == 409
    invalid = await client.put("v1.0/history/symbols", headers=bob, json={})
    assert invalid.status_code == 422 and "Security" in invalid.json()["ModelState"]


async def test_malformed_json_body_is_422(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    response = await client.post("v1.0/accounts/5002/orders", headers=bob, content=b"{nope")
    assert response.status_code == 422 and "JSON" in response.json()["Message"]


async def test_bind_account_by_username(
    client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    bound = await client.put("v1.0/accounts/5001/username/bob", headers=alice, params={"accessType": "Full"})
    assert bound.status_code == 200 and bound.json()["UserModel"]["Login"] == "bob"
    assert 5001 in [a["Id"] for a in (await client.get("v1.0/users/@me/accounts", headers=bob)).json()]
    unknown = await client.put(
        "v1.0/accounts/5001/username/nobody", headers=alice, params={"accessType": "Full"}
    )
    assert unknown.status_code == 404
