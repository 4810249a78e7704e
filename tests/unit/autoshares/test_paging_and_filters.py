"""List answers and order filters as AutoShares' pages show them, with the older forms as fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.paging import read_page
from bot.autoshares.resources import OPEN_STATUS_NAMES
from bot.core.orders import OPEN_FILTER, OPEN_FILTERS, _recent_orders, find_by_client_id, open_orders


@pytest.mark.parametrize(
    ("body", "page", "expected"),
    [
        # the documentation's first page: a link onwards, an empty link back
        (
            {"Result": [1, 2], "NextPageLink": "https://x/orders?pageNumber=1", "PreviousPageLink": ""},
            0,
            (2, True),
        ),
        # the documentation's last page: empty links both ways
        ({"Result": [1], "NextPageLink": "", "PreviousPageLink": "", "TotalCount": 1}, 0, (1, False)),
        # the Pagination page and the older sandbox: null links, or none at all
        ({"Result": [1, 2], "NextPageLink": None, "PreviousPageLink": None}, 0, (2, False)),
        ({"Result": [1, 2], "TotalCount": 5}, 0, (2, True)),
        ({"Result": [1, 2], "TotalCount": 4}, 1, (2, False)),
        ({"Result": [1, 2]}, 0, (2, True)),  # a full page, nothing else said: ask for the next
        ({"Result": [1]}, 0, (1, False)),
        ([1, 2], 0, (2, True)),  # a bare list, as the Pagination page's loop allows
        ([1], 0, (1, False)),
        (None, 0, (0, False)),
        ({"Result": [], "NextPageLink": "https://x"}, 0, (0, False)),
    ],
)
def test_read_page(body: Any, page: int, expected: tuple[int, bool]) -> None:
    found = read_page(body, page, 2)
    assert (len(found.items), found.has_next) == expected


def test_open_filter_is_first_asked_with_numeric_statuses() -> None:
    # New 0, PartiallyFilled 1, PendingCancel 6, Suspended 9, PendingNew 10, AcceptedForBidding 13,
    # PendingReplace 14 (Get Filtered Orders page), Held 16 (the spec enum's order)
    assert OPEN_FILTERS[0] == "Status in (0,1,6,9,10,13,14,16)"
    assert OPEN_FILTERS[1].startswith("Status in ('AcceptedForBidding', ")


ORDERS = [
    {"Id": 1, "Status": "Filled", "ClientId": "c-1"},
    {"Id": 2, "Status": "New", "ClientId": "c-2"},
    {"Id": 3, "Status": "PartiallyFilled", "ClientId": "c'3"},
]


def api_answering(answer: Callable[[httpx.Request], httpx.Response], seen: list[str]) -> UserApi:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params.get("filter", ""))
        return answer(request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = AutoSharesClient(http, base_url="https://api.example/", app_key="key")
    return client.for_user(BearerToken("token"), 7)


def page_of(items: list[dict[str, Any]]) -> httpx.Response:
    return httpx.Response(
        200, json={"Result": items, "NextPageLink": "", "PreviousPageLink": "", "TotalCount": len(items)}
    )


async def test_open_orders_fall_back_to_status_names_when_numbers_are_refused() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        text = request.url.params.get("filter", "")
        if "(0" in text:
            return httpx.Response(400, json={"Message": "The filter query is invalid."})
        return page_of([o for o in ORDERS if o["Status"] != "Filled"])

    found = await open_orders(api_answering(answer, seen), 5002)
    assert [o.id for o in found] == [3, 2]
    assert seen == list(OPEN_FILTERS)


async def test_open_orders_are_read_page_by_page_when_no_filter_is_taken() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("filter"):
            return httpx.Response(422, json={"Message": "filter not supported"})
        return page_of(ORDERS)

    found = await open_orders(api_answering(answer, seen), 5002)
    assert [o.id for o in found] == [3, 2]
    assert seen == [*OPEN_FILTERS, ""]


async def test_client_id_is_looked_up_with_the_documented_operator_first() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        text = request.url.params.get("filter", "")
        return page_of([o for o in ORDERS if text.endswith("'c''3'") and o["Id"] == 3])

    found = await find_by_client_id(api_answering(answer, seen), 5002, "c'3")
    assert found is not None and found.id == 3
    assert seen == ["ClientId = 'c''3'"]


async def test_one_filter_form_can_still_be_given_alone() -> None:
    seen: list[str] = []
    api = api_answering(lambda request: page_of(ORDERS[1:2]), seen)
    assert [o.id for o in await _recent_orders(api, 5002, filters=(OPEN_FILTER,))] == [2]
    assert seen == [OPEN_FILTERS[0]]


async def test_open_orders_are_the_open_statuses_whatever_the_filter_answered() -> None:
    """AutoShares may answer a filter with more than it asked for: only the open statuses are
    kept, read by name or by number."""
    seen: list[str] = []
    mixed = [
        {"Id": 4, "Symbol": "A", "Status": 6},  # PendingCancel, by number
        {"Id": 5, "Symbol": "B", "Status": "Replaced"},
        {"Id": 6, "Symbol": "C", "Status": "held"},
        {"Id": 7, "Symbol": "D", "Status": 2},  # Filled
    ]
    found = await open_orders(api_answering(lambda request: page_of(mixed), seen), 5002)
    assert [(o.id, o.status.name) for o in found] == [(6, "Held"), (4, "PendingCancel")]


def test_the_open_filter_names_exactly_the_open_statuses() -> None:
    assert OPEN_FILTERS[0] == "Status in (0,1,6,9,10,13,14,16)"
    assert sorted(OPEN_STATUS_NAMES) == sorted(
        name.strip("'") for name in OPEN_FILTERS[1].removeprefix("Status in (").removesuffix(")").split(", ")
    )
