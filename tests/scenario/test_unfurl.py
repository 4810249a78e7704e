"""Ticker previews end to end: a signed ``link_shared`` event for AutoShares quote page links is
answered with one ``chat.unfurl`` whose cards carry the sandbox's market data, fetched with the
sharer's own login, and nothing of their account; other links are left to Slack, an unlinked
sharer gets a card asking them to link, and a retried delivery unfurls once."""

from __future__ import annotations

import json
from typing import Any

from sandbox.state import Position
from tests.conftest import RunningBot
from tests.scenario.steps import hold_autoshares, release_autoshares, until_autoshares_holds

BOB = "U0BOB"
BOB_ACCOUNT = 5002
MESSAGE_TS = "1700000123.000200"


def link_shared(urls: list[str], *, user: str = BOB, source: str = "conversations_history") -> dict[str, Any]:
    """The event Slack sends when ``user`` posts a message with these links in #general."""
    return {
        "type": "link_shared",
        "channel": "C0GENERAL",
        "is_bot_user_member": True,
        "user": user,
        "message_ts": MESSAGE_TS,
        "unfurl_id": f"C0GENERAL.{MESSAGE_TS}.3f2a9c",
        "source": source,
        "links": [{"domain": "autoshares.com", "url": url} for url in urls],
        "event_ts": MESSAGE_TS,
    }


async def api_calls(bot: RunningBot) -> dict[str, int]:
    return dict((await bot.admin("GET", "_sandbox/stats"))["ApiRequests"])


def calls_since(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {endpoint for endpoint, count in after.items() if count > before.get(endpoint, 0)}


def in_general(bot: RunningBot) -> list[Any]:
    """What the bot posted in #general (the DM saying "You are linked" is elsewhere)."""
    return [c for c in bot.slack.by_method("chat.postMessage") if c.args.get("channel") == "C0GENERAL"]


async def share(bot: RunningBot, urls: list[str], *, user: str = BOB) -> None:
    response = await bot.driver.event(link_shared(urls, user=user))
    assert response.status_code == 200


async def test_a_quote_page_link_unfurls_into_a_quote_card_with_market_data_only(bot: RunningBot) -> None:
    await bot.admin(
        "POST", "_sandbox/prices", json={"Symbol": "AAPL", "Last": 231.25, "Bid": 231.2, "Ask": 231.3}
    )
    state = bot.sandbox.sandbox.state
    aapl = next(s for s in state.securities.values() if s.symbol == "AAPL")
    state.accounts[BOB_ACCOUNT].positions[aapl.id] = Position(
        id=state.next_id("position"),
        account_id=BOB_ACCOUNT,
        security_id=aapl.id,
        symbol="AAPL",
        quantity=7919.0,
        average_price=13.57,
    )
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/news", json={"Symbol": "AAPL", "Header": "Apple ships a <b>thing</b>"})
    before = await api_calls(bot)
    aapl_url, msft_url = (
        "https://autoshares.com/quote/AAPL",
        "https://www.autoshares.com/quote/msft/?tab=chart",
    )
    await share(bot, [aapl_url, msft_url, "https://autoshares.com/support"])

    [unfurl] = await bot.slack.wait_for("chat.unfurl")
    # unfurl_id and source name the message (or the composer) the cards attach to
    assert unfurl.args["unfurl_id"] == f"C0GENERAL.{MESSAGE_TS}.3f2a9c"
    assert unfurl.args["source"] == "conversations_history"
    assert set(unfurl.args["unfurls"]) == {aapl_url, msft_url}
    card = json.dumps(unfurl.args["unfurls"][aapl_url])
    assert "*AAPL*  Apple Inc. \\u00b7 NASDAQ" in card
    assert "*$231.25*" in card and "Bid $231.20 \\u00b7 Ask $231.30" in card
    assert "Apple ships a &lt;b&gt;thing&lt;/b&gt;" in card  # the symbol's latest headline, escaped
    assert "*MSFT*  Microsoft Corporation" in json.dumps(unfurl.args["unfurls"][msft_url])
    everything = json.dumps(unfurl.args)
    for private in ("5002", "7919", "7,919", "13.57", "Bob", "100,000", "quote_share", "Shared by"):
        assert private not in everything, private
    # only market data and news were asked of AutoShares: no account, balance or position
    assert calls_since(before, await api_calls(bot)) <= {
        "GET /v1.0/equities/{symbol}",
        "GET /v1.0/streamers",
        "GET /v1.0/news",
    }
    await bot.services.drain()
    assert len(bot.slack.by_method("chat.unfurl")) == 1 and in_general(bot) == []


async def test_links_to_other_domains_and_pages_are_left_to_slack(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    before = await api_calls(bot)
    await share(
        bot,
        [
            "https://autoshares.com/",
            "https://autoshares.com/support",
            "https://autoshares.com/quotes/AAPL",
            "https://autoshares.com/quote/AAPL/chart",
            "https://autoshares.com/quote/%3C!channel%3E",
            "https://api.autoshares.com/quote/AAPL",
            "https://autoshares.com.evil.example/quote/AAPL",
            "https://example.com/quote/AAPL",
            "ftp://autoshares.com/quote/AAPL",
        ],
    )
    await bot.services.drain()
    assert bot.slack.by_method("chat.unfurl") == []
    assert calls_since(before, await api_calls(bot)) == set()


async def test_an_unlinked_sharer_gets_a_card_asking_to_link(bot: RunningBot) -> None:
    before = await api_calls(bot)
    url = "https://autoshares.com/quote/TSLA"
    await share(bot, [url], user="U0NEWCOMER")
    [unfurl] = await bot.slack.wait_for("chat.unfurl")
    card = json.dumps(unfurl.args["unfurls"][url])
    assert "*TSLA* on AutoShares" in card and "Run `/autoshares link` to connect yours." in card
    assert "$" not in card  # no price: nobody's login fetched one
    assert calls_since(before, await api_calls(bot)) == set()


async def test_an_unknown_symbol_page_shows_the_closest_matches(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    url = "https://autoshares.com/quote/APPL"
    await share(bot, [url])
    [unfurl] = await bot.slack.wait_for("chat.unfurl")
    card = json.dumps(unfurl.args["unfurls"][url])
    assert "There is no such symbol as *APPL* at AutoShares. Closest matches: *AAPL* (Apple Inc.)" in card


async def test_a_retried_link_shared_unfurls_once(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    body = json.dumps(bot.driver.event_callback(link_shared(["https://autoshares.com/quote/AAPL"])))
    for retry in range(3):
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        response = await bot.driver.post(body, "application/json", headers=headers)
        assert response.status_code == 200
    await bot.services.drain()
    assert len(bot.slack.by_method("chat.unfurl")) == 1


async def test_the_event_is_acked_before_autoshares_answers(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.services.drain()
    await hold_autoshares(bot)
    await share(bot, ["https://autoshares.com/quote/NVDA"])
    await until_autoshares_holds(bot)
    assert bot.slack.by_method("chat.unfurl") == []
    await release_autoshares(bot)
    [unfurl] = await bot.slack.wait_for("chat.unfurl")
    assert "*NVDA*" in json.dumps(unfurl.args["unfurls"])


async def test_autoshares_failing_leaves_the_link_as_it_is(bot: RunningBot) -> None:
    await bot.link(BOB, "bob")
    await bot.admin("POST", "_sandbox/faults", json={"ErrorRate": 1.0})
    await share(bot, ["https://autoshares.com/quote/AAPL"])
    await bot.services.drain()
    assert bot.slack.by_method("chat.unfurl") == []
    assert in_general(bot) == []  # a failed preview is not worth a message of its own
