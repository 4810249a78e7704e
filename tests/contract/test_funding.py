"""New issues and transfers against the spec, both sides: the client's calls are the spec's
operations (path, method, query names, no body) and the sandbox's answers fit the spec's
schemas, its refusals the documented statuses."""

from __future__ import annotations

import json
from typing import Any

import httpx

from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording

OFFERINGS = "/ipo/accounts/{accountId}/offerings/active"
SUBSCRIBE = "/ipo/accounts/{accountId}/offerings/{offeringReference}/subscribe"
UNSUBSCRIBE = "/ipo/accounts/{accountId}/offerings/{offeringReference}/unsubscribe"
TRANSFERS = "/accounts/{accountId}/transfers"


async def _account(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    accounts = (await client.get("users/@me/accounts", headers=headers)).json()
    return int(accounts[0]["Id"])


async def _add_transfer(root: httpx.AsyncClient, account_id: int, **fields: Any) -> dict[str, Any]:
    created = await root.post("_sandbox/transfers", json={"AccountId": account_id, **fields})
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_client_calls_are_the_spec_operations(
    contract: Contract,
    sb: RunningSandbox,
    bob: dict[str, str],
    client: httpx.AsyncClient,
    root_client: httpx.AsyncClient,
) -> None:
    account_id = await _account(client, bob)
    await _add_transfer(root_client, account_id, Amount=250.0)
    async with recording(sb, bob, None) as (api, sent):
        offerings = await api.active_offerings(account_id)
        await api.subscribe_offering(account_id, offerings[0].offering_reference)
        await api.unsubscribe_offering(account_id, offerings[0].offering_reference)
        page = await api.transfers(account_id)
    assert [o.name for o in offerings][:1] == ["Orbital Freight Inc."]
    assert [(t.amount, t.is_deposit, t.status) for t in page.items] == [(250, True, "Pending")]

    operations = [contract.operation_of(request) for request, _ in sent]
    assert [op["operationId"] for _, op in operations] == [
        "Ipo_GetAccountOfferings",
        "Ipo_SubscribeOffering",
        "Ipo_UnsubscribeOffering",
        "Transfers_GetAchRelationshipsPage",
    ]
    for (request, response), (template, operation) in zip(sent, operations, strict=True):
        declared = {p["name"]: p for p in operation["parameters"]}
        queries = {n for n, p in declared.items() if p["in"] == "query"}
        required = {n for n in queries if declared[n].get("required")}
        assert set(request.url.params) <= queries and required <= set(request.url.params), template
        assert not request.content, template
        path = template.removeprefix("/v{version}")
        if response.content:
            contract.check_response(request.method, path, response)
        else:
            assert response.status_code in contract.documented_statuses(request.method, path)


async def test_sandbox_offerings_answers_and_refusals(
    contract: Contract, client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    account_id = await _account(client, bob)
    check = contract.check_response
    base = f"ipo/accounts/{account_id}/offerings"
    listed = check(
        "GET", OFFERINGS, await client.get(f"{base}/active", params={"page": 0, "pageSize": 2}, headers=bob)
    )
    assert (listed["TotalCount"], listed["TotalPage"], len(listed["Items"])) == (3, 2, 2)
    reference = listed["Items"][0]["OfferingReference"]
    assert listed["Items"][0]["IsSubscribed"] is False

    followed = await client.post(f"{base}/{reference}/subscribe", headers=bob)
    assert followed.status_code == 200 and not followed.content
    again = check(
        "GET", OFFERINGS, await client.get(f"{base}/active", params={"page": 0, "pageSize": 5}, headers=bob)
    )
    assert [o["IsSubscribed"] for o in again["Items"]] == [True, False, False]
    assert (await client.post(f"{base}/{reference}/unsubscribe", headers=bob)).status_code == 200

    for path, template in (
        (f"{base}/{reference}/unsubscribe", UNSUBSCRIBE),  # not followed any more
        (f"{base}/NO-SUCH/subscribe", SUBSCRIBE),
    ):
        refused = await client.post(path, headers=bob)
        assert refused.status_code == 409 and 409 in contract.documented_statuses("POST", template)
        assert refused.json()["Message"].startswith("Failed to")
    missing = await client.get(f"{base}/active", params={"pageSize": 5}, headers=bob)
    assert missing.status_code == 422 and 422 in contract.documented_statuses("GET", OFFERINGS)


async def test_sandbox_transfers_answers_and_refusals(
    contract: Contract, client: httpx.AsyncClient, root_client: httpx.AsyncClient, bob: dict[str, str]
) -> None:
    account_id = await _account(client, bob)
    first = await _add_transfer(root_client, account_id, Amount=100.0)
    second = await _add_transfer(root_client, account_id, Amount=40.5, IsDeposit=False, Mechanism="Wire")
    moved = await root_client.post(f"_sandbox/transfers/{first['Id']}", json={"Status": "Completed"})
    assert moved.json()["Status"] == "Completed"
    contract.check_definition("TransferResource", moved.json())

    params = {"pageSize": 1, "pageNumber": 0, "sortBy": "CreatedAt", "isDesc": "true"}
    page = contract.check_response(
        "GET", TRANSFERS, await client.get(f"accounts/{account_id}/transfers", params=params, headers=bob)
    )
    assert [t["Id"] for t in page["Result"]] == [second["Id"]] and page["TotalCount"] == 2
    assert page["NextPageLink"] and page["PreviousPageLink"] == ""
    assert page["Result"][0]["IsDeposit"] is False and page["Result"][0]["Mechanism"] == "Wire"

    wrong = await client.get(
        f"accounts/{account_id}/transfers", params={**params, "sortBy": "Nope"}, headers=bob
    )
    assert wrong.status_code == 400 and 400 in contract.documented_statuses("GET", TRANSFERS)
    partial = {k: v for k, v in params.items() if k != "isDesc"}
    missing = await client.get(f"accounts/{account_id}/transfers", params=partial, headers=bob)
    assert missing.status_code == 422 and json.loads(missing.content)["ModelState"]["isDesc"]
