"""The client's watchlist calls are the spec's operations: path, method, query parameter names,
request body, and answers that fit the response schemas, asked of the sandbox over HTTP."""

from __future__ import annotations

from sandbox.server import RunningSandbox
from tests.contract.conftest import Contract, recording


async def test_every_watchlist_call_is_a_spec_operation(
    contract: Contract, sb: RunningSandbox, bob: dict[str, str]
) -> None:
    async with recording(sb, bob, 1002) as (api, sent):
        created = await api.create_watchlist("Slack", [1, 2])
        await api.add_security_by_id(created.id, 3)
        await api.remove_security_by_id(created.id, 1)
        await api.watchlist(created.id, include_securities=False)
        [listed] = await api.watchlists()
    assert [s.symbol for s in listed.security_list] == ["MSFT", "TSLA"]

    assert [contract.check_call(request, response) for request, response in sent] == [
        "Watchlists_CreateWatchlist",
        "Watchlists_AddSecurityById",
        "Watchlists_RemoveSecurityById",
        "Watchlists_GetWatchlist",
        "Watchlists_GetUserWatchlists",
    ]
    assert all(r.headers["Et-App-Key"] and r.headers["Authorization"].startswith("Bearer ") for r, _ in sent)
