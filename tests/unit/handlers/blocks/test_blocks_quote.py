"""Quote and App Home builders, chart helpers, and the symbol cache's ranking of suggestions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.resources import (
    Account,
    Balance,
    ChartHistory,
    Order,
    PriceAlert,
    Quote,
    Security,
    parse,
)
from bot.autoshares.streamer import feed_delay, security_id_of, session_url
from bot.core import charts
from bot.core.errors import UnknownSymbolError
from bot.core.securities import SecurityCache
from bot.core.views import HomeData, QuoteRow
from bot.devkit import blockkit
from bot.devkit.driver import buttons
from handlers import charts as drawing
from handlers import errors
from handlers.blocks.home import home_view, unlinked_home_view
from handlers.blocks.quote import (
    PrivateChart,
    ShareRequest,
    parse_share_value,
    quote_message,
    quote_price,
    share_value,
)
from storage.links import Link

EQUITY_BODY = {"Id": 1, "Symbol": "AAPL", "Description": "Apple <Inc.>", "Exchange": "NASDAQ", "Currency": "USD"}
EQUITY = Security.model_validate(EQUITY_BODY)
QUOTE_BODY = {
    "SecurityId": 1,
    "Price": 231.25,
    "Last": 231.0,
    "Bid": 231.2,
    "Ask": 231.3,
    "Low": 228.1,
    "High": 232.0,
    "Change": 1.75,
    "ChangePc": 0.7625,
    "Volume": 5_230_000,
    "Timestamp": "2024-05-01T14:30:05.000Z",
}
QUOTE = Quote.model_validate(QUOTE_BODY)


def quote(**changes: Any) -> Quote:
    return Quote.model_validate({**QUOTE_BODY, **changes})


def valid(message: dict[str, Any], *, view: bool = False) -> dict[str, Any]:
    assert blockkit.problems(message["blocks"], view=view) == []
    return message


# -- quotes -------------------------------------------------------------------------------------


def test_quote_row_has_every_figure() -> None:
    message = valid(quote_message([QuoteRow("AAPL", EQUITY, QUOTE)], delayed=True))
    text = str(message["blocks"])
    assert "*AAPL*  Apple &lt;Inc.&gt; · NASDAQ" in text
    assert "*$231.25*  :small_red_triangle: +$1.75 (+0.76%)" in text
    assert "Bid $231.20 · Ask $231.30 · Day $228.10–$232.00 · Vol 5.2M" in text
    assert "as of <!date^1714573805^{date_short_pretty} {time_secs}|2024-05-01 14:30:05 UTC>" in text
    assert "delayed data" in text
    assert message["text"] == "AAPL $231.25 (+0.76%)"
    assert [(b["action_id"], b["value"]) for b in buttons(message["blocks"])] == [("quote_share", "AAPL")]


def test_price_falls_back_to_last_when_zero() -> None:
    assert quote_price(Quote.model_validate({"Price": 0, "Last": 12.5})) == Decimal("12.5")
    assert quote_price(Quote.model_validate({"Last": 12.5})) == Decimal("12.5")
    assert quote_price(Quote.model_validate({"Price": 13, "Last": 12.5})) == 13
    message = quote_message([QuoteRow("AAPL", EQUITY, quote(Price=0))])
    assert "*$231.00*" in str(message["blocks"])


def test_falling_price_and_unknown_delay() -> None:
    falling = quote(Change=-2.5, ChangePc=-1.07)
    message = valid(quote_message([QuoteRow("AAPL", EQUITY, falling)], delayed=None))
    text = str(message["blocks"])
    assert ":small_red_triangle_down: -$2.50 (-1.07%)" in text
    assert "may be delayed" in text
    assert "real-time data" in str(quote_message([QuoteRow("AAPL", EQUITY, QUOTE)], delayed=False))


def test_missing_quote_unknown_symbols_and_suggestions() -> None:
    rows = [QuoteRow("AAPL", EQUITY, None)]
    unknown = {"APPL": [Security.model_validate({"Id": 1, "Symbol": "AAPL", "Description": "Apple Inc."})], "ZZ<Z": []}
    message = valid(quote_message(rows, unknown))
    text = str(message["blocks"])
    assert "No quote arrived in time" in text
    assert "no such symbol as *APPL* at AutoShares. Closest matches: *AAPL* (Apple Inc.)." in text
    assert "*ZZ&lt;Z* at AutoShares. Check the ticker" in text
    assert buttons(message["blocks"]) == []  # nothing quoted, nothing to share
    assert message["text"] == "AAPL: no quote · APPL: no such symbol · ZZ&lt;Z: no such symbol"


def test_shared_copy_names_the_sharer_and_has_no_button() -> None:
    rows = [QuoteRow("AAPL", EQUITY, QUOTE)]
    shared = valid(quote_message(rows, shared_by="U0BOB"))
    assert "Shared by <@U0BOB>" in str(shared["blocks"])
    assert buttons(shared["blocks"]) == []
    odd = quote_message(rows, shared_by="<!channel>")
    assert "<!channel>" not in str(odd["blocks"]) and "Shared by someone" in str(odd["blocks"])


def test_ten_quotes_with_a_chart_note_fit_one_message() -> None:
    rows = [
        QuoteRow(f"S{i}", Security.model_validate({**EQUITY_BODY, "Description": "x" * 500}), QUOTE)
        for i in range(10)
    ]
    message = valid(quote_message(rows, chart_note="`" + "▁" * 40 + "`"))
    assert buttons(message["blocks"])[0]["value"] == ",".join(f"S{i}" for i in range(10))


CHART_ID = "a" * 16 + "B-_" + "9" * 13  # the form of secrets.token_urlsafe(24)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "aapl",
        "AAPL,<!channel>",
        ",".join(["A"] * 11),
        "AAPL;MSFT",
        f"AAPL;1y;{CHART_ID};more",
        f"AAPL;2y;{CHART_ID}",
        "AAPL;1y;short",
        f"AAPL;1y;{CHART_ID[:-1]}!",
        f";1y;{CHART_ID}",
        "AAPL;1y",
    ],
)
def test_share_values_are_checked(value: str) -> None:
    with pytest.raises(ValueError):
        parse_share_value(value)


def test_share_value_round_trip() -> None:
    assert parse_share_value(share_value(["AAPL", "BRK.B"])) == ShareRequest(["AAPL", "BRK.B"])
    chart = PrivateChart(CHART_ID, "AAPL", "1y")
    assert share_value(["AAPL", "BRK.B"], chart) == f"AAPL,BRK.B;1y;{CHART_ID}"
    assert parse_share_value(share_value(["AAPL", "BRK.B"], chart)) == ShareRequest(
        ["AAPL", "BRK.B"], chart_range="1y", chart_id=CHART_ID
    )
    assert share_value(["MSFT", "AAPL"], chart) == "MSFT,AAPL"  # a chart is always of the first symbol


def test_private_chart_is_an_image_block_and_rides_on_share() -> None:
    rows = [QuoteRow("AAPL", EQUITY, QUOTE)]
    url = "https://bot.example.org/charts/x.png?exp=1&sig=ab"
    message = valid(quote_message(rows, chart=PrivateChart(CHART_ID, "AAPL", "5d", image_url=url)))
    [image] = [b for b in message["blocks"] if b["type"] == "image"]
    assert image["image_url"] == url
    assert image["alt_text"] == "Price chart of AAPL over 5 days"
    assert image["title"]["text"] == "AAPL over 5 days"
    assert buttons(message["blocks"])[0]["value"] == f"AAPL;5d;{CHART_ID}"
    # Shown as a sparkline instead: no image, Share still carries the chart.
    note = valid(quote_message(rows, chart=PrivateChart(CHART_ID, "AAPL", "5d"), chart_note="`▁▂`"))
    assert [b["type"] for b in note["blocks"]] == ["section", "section", "actions"]
    assert buttons(note["blocks"])[0]["value"] == f"AAPL;5d;{CHART_ID}"
    # The public copy has neither.
    shared = quote_message(rows, shared_by="U0BOB")
    assert "image" not in str(shared["blocks"]) and buttons(shared["blocks"]) == []


# -- streamer helpers ---------------------------------------------------------------------------


def test_streamer_address_helpers() -> None:
    assert feed_delay("Delayed") is True and feed_delay("RealTime") is False and feed_delay("Quote") is None
    assert (
        session_url({"Url": "wss://q.example:9995", "SessionId": "abc"})
        == "wss://q.example:9995?SessionId=abc"
    )
    assert (
        session_url({"Url": "ws://h/streamer?SessionId=x", "SessionId": "x"}) == "ws://h/streamer?SessionId=x"
    )
    assert security_id_of({"Key": "7"}) == 7 and security_id_of({"SecurityId": 3, "Key": 9}) == 3
    assert security_id_of({"Symbol": "AAPL"}) is None


# -- charts -------------------------------------------------------------------------------------


def test_history_request_per_range() -> None:
    request = charts.history_request("AAPL", "6m", end=1_700_000_000)
    assert request == {
        "Security": {"Symbol": "AAPL"},
        "SecurityHistorySettings": {
            "Period": "Day",
            "Interval": 1,
            "CandlesCount": 183,
            "StartDate": 1_700_000_000 - 182 * 86_400,
            "EndDate": 1_700_000_000,
            "IncludeNonMarketData": False,
        },
    }
    assert set(charts.RANGES) == {"1d", "5d", "1m", "6m", "1y"}
    assert all(spec.candles <= 1000 for spec in charts.RANGES.values())


def test_series_is_trimmed_to_the_range() -> None:
    day = 86_400
    candles = [charts.Candle(t * day, 1, 1, 1, 1, 0) for t in range(40)]
    kept = charts.within_range(candles, "1m")
    assert len(kept) == 30 and kept[0].time == 10 * day and kept[-1].time == 39 * day
    assert charts.within_range([], "1d") == []


def test_candles_are_read_sorted_and_bad_ones_skipped() -> None:
    model = {
        "SecurityHistory": [
            [
                {"Time": 200, "Open": 2, "High": 3, "Low": 1, "Close": 2.5, "Volume": 10},
                {"DateTime": "1970-01-01T00:01:40Z", "Close": 1.5},
                {"Time": 300},
                "junk",
            ]
        ]
    }
    found = charts.candles_from(parse(ChartHistory, model, "PUT /history/symbols"))
    assert [(c.time, c.close) for c in found] == [(100, 1.5), (200, 2.5)]
    assert found[0].high == 1.5  # missing figures fall back to the close
    assert charts.candles_from(parse(ChartHistory, {}, "PUT /history/symbols")) == []
    assert charts.candles_from(None) == []


def test_sparkline() -> None:
    assert drawing.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert drawing.sparkline([5, 5, 5]) == "▅▅▅"
    assert drawing.sparkline([]) == ""
    long = drawing.sparkline(list(range(500)), width=40)
    assert len(long) == 40 and long[0] == "▁" and long[-1] == "█"


def test_render_png() -> None:
    candles = [charts.Candle(1_700_000_000 + i * 300, 10, 11, 9, 10 + (i % 5), 100) for i in range(78)]
    png = drawing.render_png("AAPL", candles, "1d")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    with pytest.raises(ValueError):
        drawing.render_png("AAPL", [], "1d")


# -- symbol cache -------------------------------------------------------------------------------


class ListingApi:
    """Answers like AutoShares' securities endpoints over a fixed listing (a collaborator of the
    cache under test, not the cache)."""

    def __init__(self, listing: list[dict[str, Any]]) -> None:
        self.listing = {s["Symbol"]: s for s in listing}
        self.equity_calls = 0

    async def equity(self, symbol: str) -> Security:
        from bot.autoshares.errors import AutoSharesNotFound

        self.equity_calls += 1
        if symbol not in self.listing:
            raise AutoSharesNotFound("404", status=404)
        return Security.model_validate(self.listing[symbol])

    async def lookup(self, mask: str, count: int = 5) -> list[Security]:
        return [
            Security.model_validate(s)
            for s in self.listing.values()
            if s["Symbol"].startswith(mask) or mask in s["Description"].upper()
        ][:count]


LISTING = [
    {"Id": 1, "Symbol": "AAPL", "Description": "Apple Inc."},
    {"Id": 5, "Symbol": "AMZN", "Description": "Amazon.com, Inc."},
    {"Id": 33, "Symbol": "AMD", "Description": "Advanced Micro Devices, Inc."},
    {"Id": 2, "Symbol": "MSFT", "Description": "Microsoft Corporation"},
]


async def test_cache_hits_expire_and_misses_suggest() -> None:
    now = [0.0]
    cache = SecurityCache(ttl=60, miss_ttl=10, clock=lambda: now[0])
    api = ListingApi(LISTING)
    assert (await cache.equity(api, "aapl")).id == 1  # type: ignore[arg-type]
    assert (await cache.equity(api, "AAPL")).id == 1  # type: ignore[arg-type]
    assert api.equity_calls == 1
    now[0] = 61
    await cache.equity(api, "AAPL")  # type: ignore[arg-type]
    assert api.equity_calls == 2
    with pytest.raises(UnknownSymbolError) as raised:
        await cache.equity(api, "APPL")  # type: ignore[arg-type]
    assert [s.symbol for s in raised.value.suggestions][0] == "AAPL"
    assert "There is no such symbol as APPL" in errors.sentence(raised.value)


async def test_resolve_keeps_order_and_shares_concurrent_fetches() -> None:
    cache = SecurityCache()
    api = ListingApi(LISTING)
    resolution = await cache.resolve(api, ["MSFT", "AAPL", "MSFT", "NOPE"])  # type: ignore[arg-type]
    assert list(resolution.found) == ["MSFT", "AAPL"]
    assert list(resolution.unknown) == ["NOPE"]
    assert api.equity_calls == 3


async def test_suggestions_match_company_names() -> None:
    cache = SecurityCache()
    found = await cache.closest(ListingApi(LISTING), "amazon")  # type: ignore[arg-type]
    assert found[0].symbol == "AMZN"


# -- App Home -----------------------------------------------------------------------------------


def link(**changes: Any) -> Link:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    values: dict[str, Any] = dict(
        team_id="T",
        slack_user_id="U1",
        autoshares_user_id=1002,
        autoshares_login="bob<!here>",
        email=None,
        display_name=None,
        access_token="a",
        refresh_token="r",
        token_expires_at=now + timedelta(hours=1),
        scopes="",
        linked_at=now,
        needs_relink=False,
        default_account_id=5002,
        agreements_outstanding=0,
    )
    values.update(changes)
    return Link(**values)


def test_home_for_a_linked_user() -> None:
    data = HomeData(
        link=link(agreements_outstanding=2),
        account=Account.model_validate({"Id": 5002, "Alias": "Bob's cash account", "Currency": "USD"}),
        balances=Balance.model_validate({"BuyingPower": 1000, "Cash": 1000, "Equity": 1200}),
        orders=[
            Order.model_validate(
                {
                    "Id": 9,
                    "Side": "Buy",
                    "Quantity": 3,
                    "Symbol": "AAPL",
                    "Type": "Limit",
                    "Price": 150,
                    "Status": "New",
                }
            )
        ],
        alerts=[
            PriceAlert.model_validate(
                {
                    "Id": 4,
                    "Symbol": "MSFT",
                    "Operator": "GTEQ",
                    "Field": "Last",
                    "Argument": 500,
                    "ExpirationDate": 0,
                }
            )
        ],
    )
    view = valid(home_view(data), view=True)
    text = str(view["blocks"])
    assert "<!here>" not in text and "Linked as *bob&lt;!here&gt;*" in text
    assert "2 agreements are waiting" in text
    assert "*Buying power*\\n$1,000.00" in text
    assert "*Buy 3 AAPL* · limit $150.00" in text and "New" in text and "#9" in text
    assert "*MSFT* last price at or above *$500.00* · #4" in text
    assert [b["action_id"] for b in buttons(view["blocks"])] == ["home_refresh", "home_unlink"]


def test_home_parts_that_failed_say_so() -> None:
    data = HomeData(link=link(), account=None, orders=None, alerts=None, problems=["accounts"])
    text = str(valid(home_view(data), view=True)["blocks"])
    assert "Could not load your accounts right now" in text
    assert "Could not load open orders right now" in text
    assert "Could not load your alerts right now" in text


def test_home_lists_are_capped() -> None:
    order = Order.model_validate(
        {"Id": 1, "Side": "Sell", "Quantity": 1, "Symbol": "F", "Type": "Market", "Status": "New"}
    )
    data = HomeData(
        link=link(),
        account=Account.model_validate({"Id": 1}),
        balances=Balance.model_validate({}),
        orders=[order] * 30,
        alerts=[],
    )
    text = str(valid(home_view(data), view=True)["blocks"])
    assert "and 20 more" in text and "No active alerts" in text


def test_home_for_relink_and_unlinked() -> None:
    data = HomeData(link=link(needs_relink=True), relink_url="https://bot.example/autoshares/login?state=s")
    view = valid(home_view(data), view=True)
    assert "has expired" in str(view["blocks"]) and "Default account" not in str(view["blocks"])
    assert buttons(view["blocks"])[0]["url"].endswith("state=s")
    unlinked = valid(unlinked_home_view("https://bot.example/l", notice="Bye."), view=True)
    assert unlinked["type"] == "home"
    assert [b["action_id"] for b in buttons(unlinked["blocks"])] == ["link_open"]
