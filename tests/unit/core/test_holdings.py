"""``bot.core.holdings``: every account at once (order filter fallback included) and an account's top holdings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.paging import Page
from bot.autoshares.resources import Account, Balance, Order, Position, PositionGroup
from bot.core.accounts import AccountService
from bot.core.errors import NoTradingAccount, NotYourAccount
from bot.core.holdings import CONSOLIDATED_ROWS, TOP_COUNT, HoldingsService, consolidated_open_orders
from bot.core.orders import OPEN_FILTERS
from tests.unit.core.conftest import People, StandInApi

CASH = Account.model_validate({"Id": 5001})
MARGIN = Account.model_validate({"Id": 5002})
SUMMED = Balance.model_validate({"Equity": "1500.25", "Cash": "0.75"})
HELD = [
    Position.model_validate({"SecurityId": 1, "AccountId": 5001, "Symbol": "AAPL", "Quantity": "3"}),
    Position.model_validate({"SecurityId": 2, "AccountId": 5002, "Symbol": "MSFT", "Quantity": "1.5"}),
]


def order(order_id: int, status: str) -> Order:
    return Order.model_validate({"Id": order_id, "Status": status, "Symbol": "AAPL"})


ORDERS = [order(3, "New"), order(9, "Filled"), order(7, "PartiallyFilled"), order(4, "Canceled")]


def service(people: People) -> HoldingsService:
    return HoldingsService(people.users, AccountService(people.users, signup_url=None))


def group(name: str, value: str) -> PositionGroup:
    return PositionGroup.model_validate({"Name": name, "MarketValue": value})


# -- consolidated open orders ----------------------------------------------------------------------
async def test_open_orders_are_the_open_ones_newest_first_with_the_documented_filter() -> None:
    api = StandInApi(consolidated_orders=Page(ORDERS, None, False))
    found = await consolidated_open_orders(api, [5001, 5002])  # type: ignore[arg-type]
    assert [o.id for o in found] == [7, 3]
    assert api.called("consolidated_orders") == [
        (([5001, 5002],), {"page_size": CONSOLIDATED_ROWS, "filter": OPEN_FILTERS[0]})
    ]


async def test_a_refused_filter_falls_back_to_the_next_form_then_to_none() -> None:
    def orders(ids: list[int], *, page_size: int, filter: str | None) -> Page[Order]:
        if filter is not None:
            raise e.AutoSharesInvalid("400", status=400, description="bad filter")
        return Page(ORDERS, None, False)  # unfiltered: the terminal ones are dropped here

    api = StandInApi(consolidated_orders=orders)
    found = await consolidated_open_orders(api, [5001])  # type: ignore[arg-type]
    assert [o.id for o in found] == [7, 3]
    assert [kw["filter"] for _, kw in api.called("consolidated_orders")] == [*OPEN_FILTERS, None]


async def test_a_refused_unfiltered_read_is_raised_and_other_failures_are_not_retried() -> None:
    api: Any = StandInApi(consolidated_orders=e.AutoSharesInvalid("400", status=400))
    with pytest.raises(e.AutoSharesInvalid):
        await consolidated_open_orders(api, [5001])
    assert len(api.called("consolidated_orders")) == len(OPEN_FILTERS) + 1

    api = StandInApi(consolidated_orders=e.AutoSharesUnavailable("timeout"))
    with pytest.raises(e.AutoSharesUnavailable):
        await consolidated_open_orders(api, [5001])
    assert len(api.called("consolidated_orders")) == 1


# -- every account at once -------------------------------------------------------------------------
async def test_consolidated_asks_for_every_account_and_keeps_what_autoshares_summed(people: People) -> None:
    api = StandInApi(
        accounts=[CASH, MARGIN],
        consolidated_balance=SUMMED,
        consolidated_positions=Page(HELD, 57, True),
        consolidated_orders=Page(ORDERS, None, False),
    )
    await people.link(api)
    view = await service(people).consolidated("T1", "U1")
    assert list(view.accounts) == [CASH, MARGIN]
    assert view.balances.equity == Decimal("1500.25") and view.balances.cash == Decimal("0.75")
    assert list(view.positions) == HELD and view.positions_total == 57
    assert [o.id for o in view.open_orders] == [7, 3]
    assert api.called("consolidated_balance") == [(([5001, 5002],), {})]
    assert api.called("consolidated_positions") == [(([5001, 5002],), {"page_size": CONSOLIDATED_ROWS})]


async def test_consolidated_with_no_account_asks_nothing_more(people: People) -> None:
    api = StandInApi(accounts=[])
    await people.link(api)
    with pytest.raises(NoTradingAccount):
        await service(people).consolidated("T1", "U1")
    assert api.asked == ["accounts"]


async def test_consolidated_with_nothing_held_and_no_order_is_an_empty_view(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        consolidated_balance=Balance.model_validate({}),
        consolidated_positions=Page([], None, False),
        consolidated_orders=Page([], None, False),
    )
    await people.link(api)
    view = await service(people).consolidated("T1", "U1")
    assert (list(view.positions), view.positions_total, list(view.open_orders)) == ([], None, [])
    assert view.balances.equity is None


async def test_consolidated_fails_as_a_whole_when_the_summed_balance_fails(people: People) -> None:
    api = StandInApi(
        accounts=[CASH],
        consolidated_balance=e.AutoSharesServerError("502", status=502),
        consolidated_positions=Page(HELD, None, False),
        consolidated_orders=Page([], None, False),
    )
    await people.link(api)
    with pytest.raises(e.AutoSharesServerError):
        await service(people).consolidated("T1", "U1")


# -- the top holdings ----------------------------------------------------------------------------
async def test_top_reads_the_default_accounts_top_holdings_and_groups(people: People) -> None:
    top = [group("AAPL", "2250.50"), group("MSFT", "410")]
    groups = [group("CommonStock", "2660.50"), group("Option", "0")]
    api = StandInApi(accounts=[CASH, MARGIN], top_positions=top, position_groups=groups)
    await people.link(api, default_account_id=5002)
    found = await service(people).top("T1", "U1", None)
    assert (found.account_id, found.account) == (5002, MARGIN)
    assert list(found.top) == top and list(found.groups) == groups
    assert found.top[0].market_value == Decimal("2250.50")
    assert api.called("top_positions") == [((5002,), {"count": TOP_COUNT})]
    assert api.called("position_groups") == [((5002,), {})]


async def test_top_of_an_account_with_nothing_held_is_empty(people: People) -> None:
    await people.link(StandInApi(accounts=[CASH], top_positions=[], position_groups=[]))
    found = await service(people).top("T1", "U1", 5001)
    assert (found.account_id, list(found.top), list(found.groups)) == (5001, [], [])


async def test_top_of_an_account_not_the_users_asks_nothing_about_it(people: People) -> None:
    api = StandInApi(accounts=[CASH])
    await people.link(api)
    with pytest.raises(NotYourAccount):
        await service(people).top("T1", "U1", 5002)
    assert api.asked == ["accounts"]
