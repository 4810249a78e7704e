"""`/watch` end to end: the user's own AutoShares watchlist (the one their other AutoShares apps
see, read here over the spec's endpoints with a sign-in of its own), added to and removed from,
shown with price, day change and a sparkline, unknown symbols, a full list, a create race, a
viewer, and App Home's Watchlist section."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import CLIENT_TLS, RunningBot
from tests.sandbox.conftest import api_headers, exchange, get_code
from tests.scenario.steps import command, hold_autoshares, release_autoshares, until_autoshares_holds
from tests.scenario.test_home import open_home

BOB = "U0BOB"
OWNER = "U0OWNER"
SPARKLINE = re.compile(r"`[▁▂▃▄▅▆▇█]{2,}`")
WATCHLISTS = "users/@me/watchlists"
WITH_SECURITIES = {"includeSecurities": "true"}


@pytest.fixture
async def other_app(bot: RunningBot) -> AsyncIterator[httpx.AsyncClient]:
    """Another AutoShares app of Bob's: its own sign-in, calling the trading API as the spec says."""
    async with httpx.AsyncClient(base_url=bot.sandbox.url, trust_env=False, verify=CLIENT_TLS) as root:
        token = (await exchange(root, await get_code(root, "bob"))).json()["access_token"]
    async with httpx.AsyncClient(
        base_url=bot.sandbox.api_url, headers=api_headers(token), trust_env=False, verify=CLIENT_TLS
    ) as client:
        yield client


async def watchlists(other_app: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await other_app.get(WATCHLISTS, params=WITH_SECURITIES)
    assert response.status_code == 200, response.text
    return list(response.json())


def symbols(watchlist: dict[str, Any]) -> list[str]:
    return [s["Symbol"] for s in watchlist["SecurityList"]]


def text_of(message: dict[str, Any]) -> str:
    return str(message["blocks"])


def lines(blocks: list[dict[str, Any]]) -> list[str]:
    """Every line of the sections' text."""
    return [line for b in blocks if b.get("type") == "section" for line in b["text"]["text"].split("\n")]


async def test_add_puts_the_securities_on_the_users_autoshares_watchlist(
    bot: RunningBot, other_app: httpx.AsyncClient
) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "add aapl MSFT", user=BOB, slash="/watch")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Added AAPL and MSFT to your watchlist."
    assert "It holds 2 of 50 symbols" in text_of(reply)
    [watchlist] = await watchlists(other_app)
    assert watchlist["Name"] == "Slack" and symbols(watchlist) == ["AAPL", "MSFT"]
    again = await command(bot, "add MSFT TSLA", user=BOB, slash="/watch")
    assert again["text"] == "Added TSLA to your watchlist. MSFT was already on your watchlist."
    [watchlist] = await watchlists(other_app)
    assert symbols(watchlist) == ["AAPL", "MSFT", "TSLA"]
    assert [(w["UserId"], w["Name"]) for w in await bot.admin("GET", "_sandbox/watchlists")] == [
        (1002, "Slack")
    ]


async def test_watch_shows_the_watchlist_another_autoshares_app_made(
    bot: RunningBot, other_app: httpx.AsyncClient
) -> None:
    made = await other_app.post(
        WATCHLISTS, params={"resultIncludeSecurities": "true"}, json={"Name": "Slack", "Securities": [3, 4]}
    )
    assert made.status_code == 200
    await other_app.post(
        WATCHLISTS, params={"resultIncludeSecurities": "false"}, json={"Name": "Tech", "Securities": [7]}
    )
    await bot.link(BOB, "bob")
    shown = text_of(await command(bot, "", user=BOB, slash="/watch"))
    assert "*TSLA*" in shown and "*NVDA*" in shown and "*META*" not in shown
    assert shown.index("*TSLA*") < shown.index("*NVDA*")
    await command(bot, "add AAPL", user=BOB, slash="/watch")
    lists = {w["Name"]: w for w in await watchlists(other_app)}
    assert set(lists) == {"Slack", "Tech"} and lists["Slack"]["Id"] == made.json()["Id"]
    assert symbols(lists["Slack"]) == ["TSLA", "NVDA", "AAPL"]  # the same list, in order
    assert symbols(lists["Tech"]) == ["META"]


async def test_remove_takes_them_off_and_says_what_was_not_there(
    bot: RunningBot, other_app: httpx.AsyncClient
) -> None:
    await bot.link(BOB, "bob")
    await command(bot, "add AAPL MSFT NVDA", user=BOB, slash="/watch")
    reply = await command(bot, "remove msft, NOPE nvda", user=BOB, slash="/watch")
    assert reply["text"] == "Removed MSFT and NVDA from your watchlist. NOPE was not on your watchlist."
    assert "It holds 1 of 50 symbols" in text_of(reply)
    [watchlist] = await watchlists(other_app)
    assert symbols(watchlist) == ["AAPL"]
    nothing = await command(bot, "watch remove TSLA", user=BOB)
    assert nothing["text"] == "Nothing changed. TSLA was not on your watchlist."


async def test_watch_shows_last_price_day_change_and_a_sparkline(bot: RunningBot) -> None:
    await bot.admin("POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 231.25})
    aapl = await bot.admin("GET", "_sandbox/prices/AAPL")
    msft = await bot.admin("GET", "_sandbox/prices/MSFT")
    await bot.link(BOB, "bob")
    await command(bot, "add AAPL MSFT", user=BOB, slash="/watch")
    reply = await command(bot, "", user=BOB, slash="/watch")
    assert reply["response_type"] == "ephemeral"
    text = text_of(reply)
    assert "*Your watchlist* · 2 of 50 symbols" in text
    for symbol, quote in (("AAPL", aapl), ("MSFT", msft)):
        change = quote["Change"]
        moved = f"{'+' if change > 0 else '-'}${abs(change):,.2f} ({quote['ChangePc']:+.2f}%)"
        line = next(line for line in lines(reply["blocks"]) if line.startswith(f"*{symbol}*"))
        assert f"*{symbol}*  ${quote['Last']:,.2f}  " in line and moved in line, line
        assert SPARKLINE.search(line), line
    assert reply["text"].startswith(f"Watchlist: AAPL $231.25 ({aapl['ChangePc']:+.2f}%) · MSFT $")
    assert "the same in your other AutoShares apps" in text


async def test_history_failing_costs_the_sparkline_not_the_answer(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await command(bot, "add AAPL", user=BOB, slash="/watch")
    await bot.admin(
        "POST", "_sandbox/faults", json={"Rewrite": {"PUT /v1.0/history/symbols": {"_status": 500}}}
    )
    reply = await command(bot, "list", user=BOB, slash="/watch")
    text = text_of(reply)
    assert "*AAPL*  $" in text and not SPARKLINE.search(text)


async def test_an_empty_watchlist_says_how_to_fill_it(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "", user=BOB, slash="/watch")
    assert reply["text"] == "Your watchlist is empty."
    assert "`/watch add AAPL MSFT`" in text_of(reply)
    assert await bot.admin("GET", "_sandbox/watchlists") == []  # showing creates nothing


async def test_unknown_symbol_adds_nothing_and_suggests(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    reply = await command(bot, "add AAPL APPL", user=BOB, slash="/watch")
    assert reply["text"].startswith("There is no such symbol as APPL at AutoShares. Closest matches: ")
    assert "AAPL" in reply["text"]
    assert await bot.admin("GET", "_sandbox/watchlists") == []


async def test_a_full_watchlist_refuses_more(bot: RunningBot, other_app: httpx.AsyncClient) -> None:
    await other_app.post(
        WATCHLISTS,
        params={"resultIncludeSecurities": "false"},
        json={"Name": "Slack", "Securities": list(range(1, 50))},
    )
    await bot.link(BOB, "bob")
    refused = await command(bot, "add GME AMC", user=BOB, slash="/watch")  # securities 63 and 62
    assert refused["text"] == (
        "Your watchlist holds 49 of its 50 symbols, so only 1 more fit. "
        "Remove some with `/watch remove AAPL`, then try again."
    )
    [watchlist] = await watchlists(other_app)
    assert len(watchlist["SecurityList"]) == 49
    assert (await command(bot, "add GME", user=BOB, slash="/watch"))["text"] == "Added GME to your watchlist."


async def test_two_first_adds_at_once_make_one_watchlist(
    bot: RunningBot, other_app: httpx.AsyncClient
) -> None:
    await bot.link(BOB, "bob")
    await command(bot, "AAPL MSFT", user=BOB, slash="/quote")  # both symbols known to the bot now
    await hold_autoshares(bot)
    before = len(bot.slack.by_method("response_url"))
    for symbol in ("AAPL", "MSFT"):
        assert (await bot.driver.command("/watch", f"add {symbol}", user=BOB)).status_code == 200
    await until_autoshares_holds(bot, 2)  # both looked for the watchlist, and neither found it yet
    await release_autoshares(bot)
    answers = await bot.slack.wait_for("response_url", count=before + 2)
    assert sorted(a.args["text"] for a in answers[before:]) == [
        "Added AAPL to your watchlist.",
        "Added MSFT to your watchlist.",
    ]
    stats = (await bot.admin("GET", "_sandbox/stats"))["ApiRequests"]
    assert stats["POST /v1.0/users/{userId}/watchlists"] == 2  # one created it, one met the 409
    [watchlist] = await watchlists(other_app)
    assert sorted(symbols(watchlist)) == ["AAPL", "MSFT"]


async def test_a_viewer_keeps_a_watchlist(bot: RunningBot, other_app: httpx.AsyncClient) -> None:
    bot.slack.workspace_admins.add(OWNER)
    await bot.link(BOB, "bob")
    made = await command(bot, f"admin role <@{BOB}> viewer", user=OWNER)
    assert f"<@{BOB}> is now viewer" in made["text"]
    assert (await command(bot, "add AAPL", user=BOB, slash="/watch"))[
        "text"
    ] == "Added AAPL to your watchlist."
    assert "*AAPL*" in text_of(await command(bot, "", user=BOB, slash="/watch"))
    assert symbols((await watchlists(other_app))[0]) == ["AAPL"]


async def test_not_linked_is_told_to_link(bot: RunningBot) -> None:
    reply = await command(bot, "add AAPL", user="U0STRANGER", slash="/watch")
    assert (
        reply["text"]
        == "Your Slack account is not linked to AutoShares yet. Run `/autoshares link` to connect it."
    )


async def test_app_home_shows_the_watchlist(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    empty = await open_home(bot, BOB)
    assert "*Watchlist*" in str(empty["blocks"]) and "Your watchlist is empty." in str(empty["blocks"])
    await command(bot, "add NVDA AAPL", user=BOB, slash="/watch")
    quote = await bot.admin("GET", "_sandbox/prices/NVDA")
    view = await open_home(bot, BOB)
    shown = lines(view["blocks"])
    first, second = shown[shown.index("*Watchlist*") + 1 :][:2]
    assert first.startswith(f"*NVDA*  ${quote['Last']:,.2f}  ") and f"({quote['ChangePc']:+.2f}%)" in first
    assert SPARKLINE.search(first) and second.startswith("*AAPL*  $") and SPARKLINE.search(second)


async def test_app_home_keeps_the_rest_when_watchlists_fail(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin(
        "POST", "_sandbox/faults", json={"Rewrite": {"GET /v1.0/users/1002/watchlists": {"_status": 500}}}
    )
    view = await open_home(bot, BOB)
    text = str(view["blocks"])
    assert "_Could not load your watchlist right now._" in text
    assert "Bob's cash account (5002)" in text and "No open orders." in text
