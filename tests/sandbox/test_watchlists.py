"""Watchlists: a user's named lists of securities, as every AutoShares app of theirs sees them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

AAPL, MSFT, TSLA = 1, 2, 3
WITH = {"includeSecurities": "true"}
RESULT_WITH = {"resultIncludeSecurities": "true"}


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, securities: list[int] | None = None
) -> dict[str, Any]:
    response = await client.post(
        "v1.0/users/@me/watchlists",
        headers=headers,
        params=RESULT_WITH,
        json={"Name": name, "Securities": securities or []},
    )
    assert response.status_code == 200, response.text
    return response.json()


def symbols(watchlist: dict[str, Any]) -> list[str]:
    return [s["Symbol"] for s in watchlist["SecurityList"]]


async def test_create_list_and_read_one_with_or_without_securities(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    assert (await client.get("v1.0/users/@me/watchlists", headers=bob, params=WITH)).json() == []
    created = await create(client, bob, "Tech", [MSFT, AAPL, MSFT])
    assert created["Name"] == "Tech" and created["Type"] == "UserList" and created["ReadOnly"] is False
    assert symbols(created) == ["MSFT", "AAPL"]  # in the order given, once each
    assert (
        created["SecurityList"][0] | {"Id": MSFT, "Exchange": "NASDAQ", "Currency": "USD"}
        == (created["SecurityList"][0])
    )
    listed = (await client.get("v1.0/users/1002/watchlists", headers=bob, params=WITH)).json()
    assert [w["Id"] for w in listed] == [created["Id"]] and symbols(listed[0]) == ["MSFT", "AAPL"]
    bare = (
        await client.get("v1.0/users/@me/watchlists", headers=bob, params={"includeSecurities": "false"})
    ).json()
    assert "SecurityList" not in bare[0]
    one = await client.get(f"v1.0/users/@me/watchlists/{created['Id']}", headers=bob, params=WITH)
    assert one.status_code == 200 and symbols(one.json()) == ["MSFT", "AAPL"]


async def test_securities_added_and_removed_by_id_and_by_symbol(
    client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    watchlist = await create(client, bob, "Slack")
    path = f"v1.0/users/@me/watchlists/{watchlist['Id']}/securities"
    added = await client.put(f"{path}/{TSLA}", headers=bob)
    assert added.status_code == 200 and symbols(added.json()) == ["TSLA"]
    again = await client.put(f"{path}/{TSLA}", headers=bob)
    assert again.status_code == 200 and symbols(again.json()) == ["TSLA"]  # already there: no change
    by_symbol = await client.put(path, headers=bob, json={"Symbol": "aapl", "Exchange": "NASDAQ"})
    assert symbols(by_symbol.json()) == ["TSLA", "AAPL"]
    removed = await client.request("DELETE", path, headers=bob, json={"Symbol": "TSLA", "Currency": "USD"})
    assert removed.status_code == 200 and symbols(removed.json()) == ["AAPL"]
    by_id = await client.delete(f"{path}/{AAPL}", headers=bob)
    assert by_id.status_code == 200 and symbols(by_id.json()) == []
    admin = (await client.get("_sandbox/watchlists")).json()
    assert [(w["UserId"], w["Name"], w["SecurityList"]) for w in admin] == [(1002, "Slack", [])]


async def test_conflicts_are_409(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    watchlist = await create(client, bob, "Slack", [AAPL])
    path = f"v1.0/users/@me/watchlists/{watchlist['Id']}"
    clash = await client.post(
        "v1.0/users/@me/watchlists", headers=bob, params=RESULT_WITH, json={"Name": "SLACK"}
    )
    assert clash.status_code == 409
    assert clash.json()["Id"] == watchlist["Id"] and symbols(clash.json()) == ["AAPL"]
    unknown_security = await client.post(
        "v1.0/users/@me/watchlists",
        headers=bob,
        params=RESULT_WITH,
        json={"Name": "New", "Securities": [999]},
    )
    assert unknown_security.status_code == 409
    assert "Id" not in unknown_security.json() and "999" in unknown_security.json()["Description"]
    for method, where, body in (
        ("PUT", f"{path}/securities/999", None),
        ("PUT", f"{path}/securities", {"Symbol": "NOPE"}),
        ("PUT", f"{path}/securities", {"Symbol": "AAPL", "Exchange": "NYSE"}),
        ("DELETE", f"{path}/securities/{MSFT}", None),  # not on the list
        ("DELETE", f"{path}/securities", {"Symbol": "MSFT"}),
        ("GET", "v1.0/users/@me/watchlists/777", None),
        ("DELETE", "v1.0/users/@me/watchlists/777", None),
    ):
        response = await client.request(method, where, headers=bob, json=body, params=WITH)
        assert response.status_code == 409, (method, where, response.text)
    other = await create(client, bob, "Other")
    renamed = await client.put(
        f"v1.0/users/@me/watchlists/{other['Id']}/name", headers=bob, params={"name": "slack"}
    )
    assert renamed.status_code == 409
    assert [w["Name"] for w in (await client.get("_sandbox/watchlists")).json()] == ["Slack", "Other"]


async def test_rename_and_delete(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    watchlist = await create(client, bob, "Tech", [AAPL])
    path = f"v1.0/users/@me/watchlists/{watchlist['Id']}"
    renamed = await client.put(f"{path}/name", headers=bob, params={"name": "Big tech"})
    assert renamed.status_code == 200 and renamed.json() == {
        "m_Item1": watchlist["Id"],
        "m_Item2": "Big tech",
    }
    deleted = await client.delete(path, headers=bob)
    assert deleted.status_code == 204 and deleted.content == b""
    assert (await client.get(path, headers=bob, params=WITH)).status_code == 409


async def test_another_users_watchlists_are_out_of_reach(
    client: httpx.AsyncClient, bob: dict[str, str], alice: dict[str, str]
) -> None:
    watchlist = await create(client, bob, "Slack", [AAPL])
    assert (await client.get("v1.0/users/1002/watchlists", headers=alice, params=WITH)).status_code == 403
    assert (await client.get("v1.0/users/@me/watchlists", headers=alice, params=WITH)).json() == []
    for method, where in (
        ("GET", f"v1.0/users/@me/watchlists/{watchlist['Id']}"),
        ("PUT", f"v1.0/users/@me/watchlists/{watchlist['Id']}/securities/{MSFT}"),
        ("DELETE", f"v1.0/users/@me/watchlists/{watchlist['Id']}"),
    ):
        response = await client.request(method, where, headers=alice, params=WITH)
        assert response.status_code == 409, where  # no such watchlist of hers
    assert symbols((await client.get("_sandbox/watchlists")).json()[0]) == ["AAPL"]


async def test_gatekeeping_applies(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    wrong_key = await client.get(
        "v1.0/users/@me/watchlists", headers=bob | {"Et-App-Key": "wrong"}, params=WITH
    )
    assert wrong_key.status_code == 403
    no_token = await client.get(
        "v1.0/users/@me/watchlists", headers={"Et-App-Key": bob["Et-App-Key"]}, params=WITH
    )
    assert no_token.status_code == 401


@pytest.mark.parametrize(
    ("method", "where", "params", "body", "field"),
    [
        ("GET", "", {}, None, "includeSecurities"),
        ("POST", "", {}, {"Name": "A"}, "resultIncludeSecurities"),
        ("POST", "", RESULT_WITH, {"Securities": [1]}, "Name"),
        ("POST", "", RESULT_WITH, {"Name": "   "}, "Name"),
        ("POST", "", RESULT_WITH, {"Name": "x" * 101}, "Name"),
        ("POST", "", RESULT_WITH, {"Name": "A", "Securities": "AAPL"}, "Securities"),
        ("POST", "", RESULT_WITH, {"Name": "A", "Securities": [2**40]}, "Securities"),
        ("GET", "/{id}", {}, None, "includeSecurities"),
        ("GET", "/abc", WITH, None, "watchlistId"),
        ("PUT", "/{id}/name", {}, None, "name"),
        ("PUT", "/{id}/securities", {}, {"Exchange": "NASDAQ"}, "Symbol"),
        ("PUT", "/{id}/securities/x", {}, None, "securityId"),
    ],
)
async def test_malformed_requests_get_422_naming_the_problem(
    client: httpx.AsyncClient,
    bob: dict[str, str],
    method: str,
    where: str,
    params: dict[str, str],
    body: dict[str, Any] | None,
    field: str,
) -> None:
    watchlist = await create(client, bob, "Slack")
    path = "v1.0/users/@me/watchlists" + where.replace("{id}", str(watchlist["Id"]))
    response = await client.request(method, path, headers=bob, params=params, json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["ModelState"]


async def test_watchlists_limited_at_60(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    codes = [
        (await client.get("v1.0/users/@me/watchlists", headers=bob, params=WITH)).status_code
        for _ in range(61)
    ]
    assert codes[:60] == [200] * 60 and codes[60] == 429


async def test_reset_forgets_watchlists(client: httpx.AsyncClient, bob: dict[str, str]) -> None:
    await create(client, bob, "Slack", [AAPL])
    await client.post("_sandbox/reset")
    assert (await client.get("_sandbox/watchlists")).json() == []
