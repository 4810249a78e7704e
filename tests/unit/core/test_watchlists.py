"""The watchlist service over a scripted AutoShares (one symbol's history failing, the history
kept a while, the quote feed down, App Home's first rows), and the Block Kit it is shown in."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import pytest

from bot.autoshares.auth import BearerToken
from bot.autoshares.client import AutoSharesClient, UserApi
from bot.autoshares.errors import QuotesUnavailable
from bot.autoshares.resources import Quote, Security, Watchlist
from bot.core.errors import UnknownSymbolError, WatchlistConflict, WatchlistFull
from bot.core.market import MarketService
from bot.core.securities import SecurityCache
from bot.core.users import ActingUser
from bot.core.views import HomeData, WatchChange, WatchlistView, WatchRow
from bot.core.watchlists import WatchlistService, named
from bot.devkit import blockkit
from handlers import errors
from handlers.blocks.home import home_view
from handlers.blocks.watch import watch_change_message, watch_line, watchlist_message
from tests.unit.handlers.blocks.test_blocks_quote import link

AAPL = {"Id": 1, "Symbol": "AAPL", "Currency": "USD"}
MSFT = {"Id": 2, "Symbol": "MSFT", "Currency": "USD"}
QUOTES = {
    1: {"Price": 231.25, "Change": 1.75, "ChangePc": 0.7625},
    2: {"Price": 410.0, "Change": -2.5, "ChangePc": -0.6061},
}


def candles(*closes: float) -> dict[str, Any]:
    return {
        "SecurityHistory": [[{"Time": 1_700_000_000 + 300 * i, "Close": c} for i, c in enumerate(closes)]]
    }


class Scripted:
    """An AutoShares answering the watchlist listing and history; counts history calls."""

    def __init__(self, securities: list[dict[str, Any]], failing: Iterable[str] = ()) -> None:
        self.securities = securities
        self.failing = set(failing)
        self.history_calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/v1.0/users/7/watchlists":
            assert request.url.params["includeSecurities"] == "true"
            other = {"Id": 1, "Name": "Tech", "SecurityList": []}
            return httpx.Response(
                200, json=[other, {"Id": 5, "Name": "slack", "SecurityList": self.securities}]
            )
        if request.method == "PUT" and request.url.path == "/v1.0/history/symbols":
            symbol = json.loads(request.content)["Security"]["Symbol"]
            self.history_calls.append(symbol)
            if symbol in self.failing:
                return httpx.Response(409, json={"Message": "Chart data cannot be provided."})
            return httpx.Response(200, json=candles(100.0, 101.0, 99.5, 102.0))
        return httpx.Response(404, json={"Message": f"unexpected {request.method} {request.url.path}"})


class Streamer:
    timeout = 8.0
    delayed = True

    def __init__(self, failing: bool = False) -> None:
        self.failing = failing

    async def get(self, api: UserApi, ids: Iterable[int], timeout: float | None = None) -> dict[int, Any]:
        if self.failing:
            raise QuotesUnavailable("the feed is down")
        return {i: Quote.model_validate(QUOTES[i]) for i in ids if i in QUOTES}


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


class OneUser:
    """``LinkedUsers`` for one acting user."""

    def __init__(self, user: ActingUser) -> None:
        self.user = user

    async def acting(self, team_id: str, slack_user_id: str) -> ActingUser:
        return self.user


def service(
    script: Callable[[httpx.Request], httpx.Response],
    streamer: Streamer | None = None,
    clock: Clock | None = None,
) -> tuple[WatchlistService, ActingUser]:
    client = AutoSharesClient(
        httpx.AsyncClient(transport=httpx.MockTransport(script)), base_url="https://api.example/", app_key="k"
    )
    api = client.for_user(BearerToken("token"), 7)
    user = ActingUser(link=None, api=api)  # type: ignore[arg-type]
    market = MarketService(None, SecurityCache(), streamer or Streamer())  # type: ignore[arg-type]
    found = WatchlistService(OneUser(user), market, clock=clock or Clock())  # type: ignore[arg-type]
    return found, user


async def test_one_symbols_history_failing_costs_only_its_sparkline() -> None:
    watchlists, user = service(Scripted([AAPL, MSFT], failing={"MSFT"}))
    view = await watchlists.view(user)
    assert view.name == "slack" and view.total == 2 and view.delayed is True and not view.quotes_failed
    aapl, msft = view.rows
    assert (aapl.symbol, aapl.quote, aapl.closes) == (
        "AAPL",
        Quote.model_validate(QUOTES[1]),
        (100.0, 101.0, 99.5, 102.0),
    )
    assert (msft.symbol, msft.quote, msft.closes) == ("MSFT", Quote.model_validate(QUOTES[2]), None)


async def test_history_is_kept_a_while_and_a_failure_is_not() -> None:
    script, clock = Scripted([AAPL, MSFT], failing={"MSFT"}), Clock()
    watchlists, user = service(script, clock=clock)
    await watchlists.view(user)
    await watchlists.view(user)
    assert sorted(script.history_calls) == ["AAPL", "MSFT", "MSFT"]
    clock.now += 301
    await watchlists.view(user)
    assert script.history_calls.count("AAPL") == 2


async def test_the_quote_feed_down_keeps_the_list() -> None:
    watchlists, user = service(Scripted([AAPL]), Streamer(failing=True))
    view = await watchlists.view(user)
    assert view.quotes_failed and view.rows[0].quote is None and view.rows[0].closes


async def test_app_home_rows_are_quoted_and_charted_alone() -> None:
    script = Scripted([AAPL, MSFT])
    watchlists, user = service(script)
    view = await watchlists.view(user, rows=1)
    assert [r.symbol for r in view.rows] == ["AAPL"] and view.total == 2
    assert script.history_calls == ["AAPL"]


def test_the_watchlist_is_found_by_name_case_insensitively_oldest_first() -> None:
    lists = [
        Watchlist.model_validate(w)
        for w in ({"Id": 9, "Name": "SLACK"}, {"Id": 4, "Name": " Slack "}, {"Id": 2, "Name": "Tech"})
    ]
    assert named(lists, "Slack") == lists[1]
    assert named(lists[2:], "Slack") is None


# -- Block Kit ---------------------------------------------------------------------------------------


def row(security: dict[str, Any], closes: tuple[float, ...] | None = (1.0, 2.0, 3.0)) -> WatchRow:
    quote = QUOTES.get(security["Id"])
    found = Security.model_validate(security)
    return WatchRow(found.symbol, found, Quote.model_validate(quote) if quote else None, closes)


def test_a_line_has_price_change_and_a_sparkline_ending_at_the_live_price() -> None:
    assert watch_line(row(AAPL, (230.0, 229.0, 231.0))) == (
        "*AAPL*  $231.25  :small_red_triangle: +$1.75 (+0.76%)  `▄▁▇█`"
    )
    assert watch_line(row(MSFT, None)) == "*MSFT*  $410.00  :small_red_triangle_down: -$2.50 (-0.61%)"
    hostile = Security.model_validate({"Id": 3, "Symbol": "<!here>", "Currency": "USD"})
    assert watch_line(WatchRow("<!here>", hostile, None, None)) == "*&lt;!here&gt;*  _no quote_"


def test_the_watchlist_message() -> None:
    view = WatchlistView("Slack", [row(AAPL), row(MSFT, None)], total=2, limit=50, delayed=None)
    message = watchlist_message(view)
    assert blockkit.problems(message["blocks"]) == []
    text = str(message["blocks"])
    assert "*Your watchlist* · 2 of 50 symbols" in text and "Prices may be delayed" in text
    assert message["text"] == "Watchlist: AAPL $231.25 (+0.76%) · MSFT $410.00 (-0.61%)"
    down = watchlist_message(WatchlistView("Slack", [row(AAPL)], 1, 50, quotes_failed=True))
    assert "Live quotes are unavailable right now" in str(down["blocks"])
    empty = watchlist_message(WatchlistView("Slack", [], 0, 50))
    assert empty["text"] == "Your watchlist is empty."


def test_fifty_symbols_fit_in_one_message() -> None:
    many = [row({"Id": 10 + i, "Symbol": f"S{i}", "Currency": "USD"}) for i in range(50)]
    message = watchlist_message(WatchlistView("Slack", many, 50, 50))
    assert blockkit.problems(message["blocks"]) == []
    assert str(message["blocks"]).count("_no quote_") == 50


def test_change_messages() -> None:
    added = watch_change_message(WatchChange("add", ("AAPL", "MSFT"), ("TSLA",), 3, 50, "Slack"))
    assert added["text"] == "Added AAPL and MSFT to your watchlist. TSLA was already on your watchlist."
    assert "It holds 3 of 50 symbols, in your AutoShares watchlist “Slack”" in str(added["blocks"])
    removed = watch_change_message(WatchChange("remove", (), ("X", "Y"), 0, 50, "Slack"))
    assert removed["text"] == "Nothing changed. X and Y were not on your watchlist."
    assert blockkit.problems(removed["blocks"]) == []


def test_app_home_watchlist_section() -> None:
    view = WatchlistView("Slack", [row(AAPL)], total=12, limit=50)
    home = home_view(HomeData(link=link(), alerts=[], orders=[], watchlist=view))
    assert blockkit.problems(home["blocks"], view=True) == []
    text = str(home["blocks"])
    assert "*Watchlist*" in text and "*AAPL*  $231.25" in text and "…and 11 more: `/watch`" in text
    failed = str(home_view(HomeData(link=link(), problems=["watchlist"]))["blocks"])
    assert "Could not load your watchlist right now" in failed
    without = str(home_view(HomeData(link=link()))["blocks"])
    assert "*Watchlist*" not in without  # a bot built without watchlists shows no section


async def test_a_watchlist_changed_elsewhere_meanwhile_is_a_conflict_in_words() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1.0/equities/TSLA":
            return httpx.Response(200, json={"Id": 3, "Symbol": "TSLA"})
        if request.method == "GET" and request.url.path == "/v1.0/users/7/watchlists":
            return httpx.Response(200, json=[{"Id": 5, "Name": "Slack", "SecurityList": [AAPL]}])
        assert (request.method, request.url.path) == ("PUT", "/v1.0/users/7/watchlists/5/securities/3")
        return httpx.Response(409, json={"Message": "Watchlist 5 is read-only."})

    watchlists, _ = service(answer)
    with pytest.raises(WatchlistConflict) as caught:
        await watchlists.add("T1", "U1", ["TSLA"])
    assert errors.sentence(caught.value) == (
        "AutoShares would not change your watchlist; it may have just been changed in another "
        "AutoShares app. Run `/watch` to see it, then try again."
    )


async def test_full_and_unknown_are_refused_before_anything_changes() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        if request.url.path == "/v1.0/equities/NOPE":
            return httpx.Response(404, json={"Message": "no"})
        if request.url.path == "/v1.0/equities/lookup":
            return httpx.Response(200, json=[{"Id": 4, "Symbol": "NOK"}])
        if request.url.path.startswith("/v1.0/equities/"):
            return httpx.Response(200, json={"Id": 3, "Symbol": request.url.path.rsplit("/", 1)[1]})
        return httpx.Response(200, json=[{"Id": 5, "Name": "Slack", "SecurityList": [AAPL, MSFT]}])

    watchlists, _ = service(answer)
    watchlists.limit = 2
    with pytest.raises(UnknownSymbolError) as unknown:
        await watchlists.add("T1", "U1", ["TSLA", "NOPE"])
    assert unknown.value.symbol == "NOPE" and unknown.value.suggestions[0].symbol == "NOK"
    with pytest.raises(WatchlistFull) as full:
        await watchlists.add("T1", "U1", ["TSLA"])
    assert (full.value.limit, full.value.holding, full.value.adding) == (2, 2, 1)
    assert errors.sentence(full.value).startswith("Your watchlist holds 2 of its 2 symbols, so no more fit.")
    assert not [a for a in asked if not a.startswith("GET ")]  # nothing was written
