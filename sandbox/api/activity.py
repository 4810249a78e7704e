"""An account's activity (``Transactions`` in the spec): fills, commissions, dividends and fees.

GET /accounts/{accountId}/activity?pageSize&pageNumber&sortBy&isAsc[&filter]        PagingResult[TransactionMapModel]
GET /accounts/{accountId}/transactions?pageSize&pageNumber&sortBy&isDesc[&checkCode&filter]   the same
GET /accounts/{accountId}/activity/report?sortBy&isAsc&reportEnum[&filter]           string[]: CSV lines
GET /accounts/{accountId}/transaction/report?sortBy&isDesc&reportEnum[&checkCode&filter]      the same

Every listed parameter but ``filter`` and ``checkCode`` is required, as in the spec. ``filter`` is
the orders' grammar (``Date >= #2026-01-01T00:00:00Z# and Type = 'OrderExecution'``) over
TransactionMapModel properties (400 when invalid); ``sortBy`` is any of those properties
(422 for another). The activity endpoints sort ascending when ``isAsc`` is true, as the name says;
only ``CsvReport`` reports are drawn (422 for the others).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sandbox.api import resources
from sandbox.api.errors import invalid_parameter
from sandbox.api.filters import parse_filter
from sandbox.api.paging import page
from sandbox.api.routing import ApiCall, Endpoint

REPORT_KINDS = ("NotReport", "CsvReport", "PdfReport")
REPORT_COLUMNS = ("Date", "Type", "MarginType", "Symbol", "Description", "Quantity", "Price", "Value")


def _items(
    call: ApiCall, sort_param: str, order_param: str, *, descending_flag: bool
) -> list[dict[str, Any]]:
    """The account's transactions as TransactionMapModel dicts, filtered and sorted as asked."""
    account = call.account()
    sort_by = call.query_str(sort_param, required=True)
    flag = call.query_bool(order_param, required=True)
    call.query_bool("checkCode", required=False)
    filter_text = call.query_str("filter", required=False)
    items = [
        resources.transaction(t) for t in call.sb.state.transactions.values() if t.account_id == account.id
    ]
    if filter_text:
        predicate = parse_filter(filter_text)
        items = [item for item in items if predicate(item)]
    names = {name.lower(): name for name in (*REPORT_COLUMNS, "Id", "AccountId", "SecurityId", "OrderId")}
    key = names.get(sort_by.lower())
    if key is None:
        raise invalid_parameter(sort_param, f"The sort field '{sort_by}' is not supported.")
    descending = flag if descending_flag else not flag
    # Ties (and the missing) keep the order they happened in.
    ordered = sorted(items, key=lambda item: item["Id"], reverse=descending)
    return sorted(ordered, key=lambda item: (item.get(key) is None, item.get(key) or 0), reverse=descending)


def _paged(call: ApiCall, items: list[dict[str, Any]]) -> dict[str, Any]:
    page_number = call.query_int("pageNumber", required=True)
    page_size = call.query_int("pageSize", required=True, minimum=1)
    chunk, result = page(call.request, items, page_number, page_size)
    result["Result"] = chunk
    return result


def _report(call: ApiCall, items: list[dict[str, Any]]) -> list[str]:
    kind = call.query_str("reportEnum", required=True)
    if kind not in REPORT_KINDS:
        raise invalid_parameter("reportEnum", f"Must be one of {', '.join(REPORT_KINDS)}.")
    if kind != "CsvReport":
        raise invalid_parameter("reportEnum", "Only CsvReport reports are drawn by the sandbox.")
    lines = []
    for row in [list(REPORT_COLUMNS), *([item.get(c, "") for c in REPORT_COLUMNS] for item in items)]:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(row)
        lines.append(buffer.getvalue())
    return lines


async def get_activity(call: ApiCall) -> Any:
    return _paged(call, _items(call, "sortBy", "isAsc", descending_flag=False))


async def get_transactions(call: ApiCall) -> Any:
    return _paged(call, _items(call, "sortBy", "isDesc", descending_flag=True))


async def get_activity_report(call: ApiCall) -> Any:
    return _report(call, _items(call, "sortBy", "isAsc", descending_flag=False))


async def get_transaction_report(call: ApiCall) -> Any:
    return _report(call, _items(call, "sortBy", "isDesc", descending_flag=True))


ENDPOINTS = (
    Endpoint("GET", "/accounts/{accountId}/activity", get_activity, bucket="order_queries"),
    Endpoint("GET", "/accounts/{accountId}/transactions", get_transactions, bucket="order_queries"),
    Endpoint("GET", "/accounts/{accountId}/activity/report", get_activity_report, bucket="order_queries"),
    Endpoint(
        "GET", "/accounts/{accountId}/transaction/report", get_transaction_report, bucket="order_queries"
    ),
)
