"""The client's watchlist calls are the spec's operations: path, method, query parameter names,
request body, and answers that fit the response schemas, asked of the sandbox over HTTP."""

from __future__ import annotations

import json

import httpx

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient
from sandbox.server import RunningSandbox
from tests.conftest import CLIENT_TLS
from tests.contract.conftest import Contract


async def test_every_watchlist_call_is_a_spec_operation(
    contract: Contract, sb: RunningSandbox, bob: dict[str, str]
) -> None:
    sent: list[tuple[httpx.Request, httpx.Response]] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        sent.append((response.request, response))

    async with httpx.AsyncClient(event_hooks={"response": [keep]}, verify=CLIENT_TLS) as http:
        token = bob["Authorization"].removeprefix("Bearer ")
        client = AutoSharesClient(http, base_url=sb.url, app_key=bob["Et-App-Key"])
        api = client.for_user(BearerToken(token), 1002)
        created = await api.create_watchlist("Slack", [1, 2])
        await api.add_security_by_id(created.id, 3)
        await api.remove_security_by_id(created.id, 1)
        await api.watchlist(created.id, include_securities=False)
        [listed] = await api.watchlists()
    assert [s.symbol for s in listed.security_list] == ["MSFT", "TSLA"]

    operations = [contract.operation_of(request) for request, _ in sent]
    assert [op["operationId"] for _, op in operations] == [
        "Watchlists_CreateWatchlist",
        "Watchlists_AddSecurityById",
        "Watchlists_RemoveSecurityById",
        "Watchlists_GetWatchlist",
        "Watchlists_GetUserWatchlists",
    ]
    for (request, response), (template, operation) in zip(sent, operations, strict=True):
        declared = {p["name"]: p for p in operation["parameters"]}
        queries = {n for n, p in declared.items() if p["in"] == "query"}
        required = {n for n in queries if declared[n].get("required")}
        assert set(request.url.params) <= queries and required <= set(request.url.params), template
        assert request.headers["Et-App-Key"] and request.headers["Authorization"].startswith("Bearer ")
        body = next((p for p in operation["parameters"] if p["in"] == "body"), None)
        if body is not None:
            assert not contract.errors(body["schema"], json.loads(request.content)), template
        else:
            assert not request.content, template
        contract.check_response(request.method, template.removeprefix("/v{version}"), response)
