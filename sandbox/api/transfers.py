"""Transfers, read only: the deposits and withdrawals of an account.

GET /accounts/{accountId}/transfers?pageSize&pageNumber&sortBy&isDesc   PagingResult[TransferResource]

All four query parameters are required, as the spec says; ``sortBy`` names a property
(CreatedAt, TransferDate, Amount or Status), anything else is the documented 400. Transfers
are created and moved through their statuses by the admin API only.
"""

from __future__ import annotations

from typing import Any

from sandbox.api import resources
from sandbox.api.errors import bad_request
from sandbox.api.paging import page
from sandbox.api.routing import ApiCall, Endpoint
from sandbox.funding import TRANSFER_SORT_FIELDS


async def get_transfers(call: ApiCall) -> Any:
    account = call.account()
    size = call.query_int("pageSize", required=True, minimum=1)
    number = call.query_int("pageNumber", required=True)
    sort_by = call.query_str("sortBy", required=True)
    descending = call.query_bool("isDesc", required=True)
    attribute = TRANSFER_SORT_FIELDS.get(sort_by)
    if attribute is None:
        raise bad_request(f"Transfers cannot be sorted by '{sort_by}'.")
    mine = [t for t in call.sb.state.transfers.values() if t.account_id == account.id]
    mine.sort(key=lambda t: (getattr(t, attribute), t.id), reverse=descending)
    chunk, result = page(call.request, mine, number, size)
    result["Result"] = [resources.transfer(t, account.clearing_account) for t in chunk]
    return result


ENDPOINTS = (Endpoint("GET", "/accounts/{accountId}/transfers", get_transfers),)
