"""``bot.core.home``: App Home for unlinked, relinking and linked members, each failing part noted, not blanking."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares import errors as e
from bot.autoshares.paging import Page
from bot.autoshares.resources import Account, Balance, Order, Position, PriceAlert, Quote
from bot.core.home import HomeService, UnlinkedHome, is_option_position
from bot.core.market import MarketService
from bot.core.securities import SecurityCache
from bot.core.views import HomeData
from bot.core.watchlists import WatchlistService
from tests.unit.core.conftest import Core, StandInApi

CASH = Account.model_validate({"Id": 5001})
MARGIN = Account.model_validate({"Id": 5002})
STOCK = Position.model_validate({"SecurityId": 1, "Symbol": "AAPL", "SecurityType": "CommonStock"})
CALL = Position.model_validate({"SecurityId": 2, "Symbol": "AAPL270115C00200000"})
PUT = Position.model_validate({"SecurityId": 3, "Symbol": "XYZ", "SecurityType": "OPTION"})
ARMED = PriceAlert.model_validate({"Id": 1, "State": "New", "Symbol": "AAPL"})
UNSTATED = PriceAlert.model_validate({"Id": 2, "Symbol": "MSFT"})  # no state: still watching
FIRED = PriceAlert.model_validate({"Id": 3, "State": "Completed", "Symbol": "AAPL"})


def order(order_id: int, status: str) -> Order:
    return Order.model_validate({"Id": order_id, "Status": status, "Symbol": "AAPL"})


def everything(**changes: Any) -> StandInApi:
    answers: dict[str, Any] = {
        "accounts": [CASH, MARGIN],
        "balances": Balance.model_validate({"Equity": "9876.54"}),
        "orders": Page([order(4, "New"), order(8, "Filled"), order(6, "PartiallyFilled")], None, False),
        "alerts_page": Page([ARMED, FIRED, UNSTATED], None, False),
        "positions": Page([STOCK, CALL, PUT], None, False),
        "watchlists": [],
    }
    return StandInApi(**(answers | changes))


class NoQuotes:
    """The quote streamer: nothing on the (empty) watchlist to quote."""

    delayed = True
    timeout = 8.0

    async def get(self, api: Any, ids: Any, timeout: float | None = None) -> dict[int, Quote]:
        return {}


def home(core: Core, *, watchlists: bool = False) -> HomeService:
    users = core.people.users
    shown = None
    if watchlists:
        shown = WatchlistService(users, MarketService(users, SecurityCache(), NoQuotes()))  # type: ignore[arg-type]
    return HomeService(users, core.linking, core.accounts, core.alerts, shown)


async def linked_home(core: Core, api: StandInApi, *, default: int | None = None, **kwargs: Any) -> HomeData:
    await core.people.link(api, default_account_id=default)
    data = await home(core, **kwargs).build("T1", "U1")
    assert isinstance(data, HomeData)
    return data


def test_an_option_holding_is_known_by_its_type_or_its_symbol() -> None:
    assert is_option_position(CALL) and is_option_position(PUT)
    assert not is_option_position(STOCK)
    assert not is_option_position(Position.model_validate({"SecurityId": 9}))


async def test_someone_unlinked_gets_a_fresh_sign_in_link_and_the_notice(core: Core) -> None:
    first = await home(core).build("T1", "U-new", notice="Unlinked.")
    second = await home(core).build("T1", "U-new")
    assert isinstance(first, UnlinkedHome) and isinstance(second, UnlinkedHome)
    assert first.link_url.startswith("https://bot.test/autoshares/login?state=")
    assert first.notice == "Unlinked." and second.notice is None
    assert first.link_url != second.link_url  # single-use: a new one each time


async def test_someone_who_must_link_again_gets_a_link_and_autoshares_is_not_asked(core: Core) -> None:
    api = StandInApi()  # any call would fail the test
    await core.people.link(api)
    await core.people.links.mark_needs_relink("T1", "U1")
    data = await home(core).build("T1", "U1")
    assert isinstance(data, HomeData)
    assert data.relink_url and data.relink_url.startswith("https://bot.test/autoshares/login?state=")
    assert (data.account, data.orders, data.alerts) == (None, None, None)
    assert api.calls == []


async def test_a_linked_member_sees_the_default_account_and_everything_in_it(core: Core) -> None:
    api = everything()
    data = await linked_home(core, api, default=5002, watchlists=True)
    assert data.problems == [] and data.relink_url is None
    assert data.account == MARGIN
    assert data.balances is not None and data.balances.equity == Decimal("9876.54")
    assert [o.id for o in data.orders or []] == [6, 4]  # open ones, newest first
    assert [a.id for a in data.alerts or []] == [1, 2]  # the fired one is not shown
    assert [p.security_id for p in data.option_positions or []] == [2, 3]
    assert data.watchlist is not None and data.watchlist.total == 0
    assert {args[0] for name, args, _ in api.calls if name in ("balances", "orders", "positions")} == {5002}


async def test_without_a_default_the_first_account_is_shown_and_becomes_the_default(core: Core) -> None:
    data = await linked_home(core, everything())
    assert data.account == CASH
    assert (await core.people.stored()).default_account_id == 5001


async def test_without_any_account_the_tab_still_shows_alerts_and_no_orders(core: Core) -> None:
    api = everything(accounts=[])
    data = await linked_home(core, api)
    assert (data.account, data.balances, data.option_positions) == (None, None, None)
    assert data.orders == [] and [a.id for a in data.alerts or []] == [1, 2]
    assert data.problems == []
    assert not {"balances", "orders", "positions"} & set(api.asked)


async def test_parts_autoshares_cannot_answer_are_noted_and_left_empty(core: Core) -> None:
    down = e.AutoSharesUnavailable("timeout")
    api = everything(balances=e.AutoSharesServerError("500", status=500), orders=down, watchlists=down)
    data = await linked_home(core, api, watchlists=True)
    assert sorted(data.problems) == ["balances", "orders", "watchlist"]
    assert (data.balances, data.orders, data.watchlist) == (None, None, None)
    assert data.account == CASH and [a.id for a in data.alerts or []] == [1, 2]


async def test_accounts_unavailable_leaves_the_account_parts_out(core: Core) -> None:
    api = everything(accounts=e.AutoSharesUnavailable("timeout"))
    data = await linked_home(core, api)
    assert data.problems == ["accounts"]
    assert (data.account, data.orders) == (None, [])
    assert data.alerts is not None


async def test_option_holdings_unavailable_are_left_out_without_a_problem(core: Core) -> None:
    data = await linked_home(core, everything(positions=e.AutoSharesForbidden("403", status=403)))
    assert data.option_positions is None and data.problems == []
    assert data.orders is not None


async def test_no_watchlist_service_shows_no_watchlist_and_notes_nothing(core: Core) -> None:
    api = everything()
    data = await linked_home(core, api)
    assert data.watchlist is None and data.problems == []
    assert "watchlists" not in api.asked


@pytest.mark.parametrize("failing", ["accounts", "alerts_page", "balances", "positions"])
async def test_a_sign_in_that_stopped_working_anywhere_asks_to_link_again(core: Core, failing: str) -> None:
    api = everything(**{failing: e.RelinkRequired("refresh refused")})
    data = await linked_home(core, api)
    assert data.relink_url and data.relink_url.startswith("https://bot.test/autoshares/login?state=")
