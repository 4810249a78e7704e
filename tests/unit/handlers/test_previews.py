"""Quotes outside slash commands, without Slack: cashtags in a mention, the symbol a quote page
link names, which links of a ``link_shared`` event are unfurled and where, which mentions are
answered, and the cards and answers built for them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.autoshares.resources import Quote, Security
from bot.core.views import QuoteRow
from bot.devkit import blockkit
from handlers.blocks import previews
from handlers.mention import from_a_person, thread_of
from handlers.parsing import MAX_QUOTE_SYMBOLS, cashtags, quote_page_symbol
from handlers.unfurl import quote_links, unfurl_target

DOMAIN = "autoshares.com"


# --------------------------------------------------------------------------- cashtags


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("<@U0BOT> $AAPL and $MSFT", ["AAPL", "MSFT"]),
        ("$aapl, $Msft.", ["AAPL", "MSFT"]),  # any case; trailing punctuation is not the symbol
        ("$BRK.B and $BF-B?", ["BRK.B", "BF-B"]),
        ("($TSLA) $TSLA $tsla", ["TSLA"]),  # distinct, in the order written
        ("how is $NVDA\u200b doing", ["NVDA"]),
        ("no cashtags here", []),
        ("US$5 and $100 and $ AAPL and AAPL", []),  # glued to a word, a number, a lone $
        ("$TOOLONGSYMBOL", []),  # not a ticker
        ("$ÅPL $ſPY", []),  # ASCII only: "ſ".upper() is "S"
        ("$$AAPL", []),
        ("<https://example.com/?q=$AAPL|$MSFT> <@U123|$IBM> $KO", ["KO"]),  # Slack markup skipped
        ("`$SPY`", ["SPY"]),
    ],
)
def test_cashtags(text: str, symbols: list[str]) -> None:
    assert cashtags(text) == symbols


def test_cashtags_keeps_them_all_and_the_caller_picks_how_many() -> None:
    text = " ".join(f"$S{i}" for i in range(MAX_QUOTE_SYMBOLS + 3))
    assert len(cashtags(text)) == MAX_QUOTE_SYMBOLS + 3


# --------------------------------------------------------------------------- quote page links


@pytest.mark.parametrize(
    ("url", "symbol"),
    [
        ("https://autoshares.com/quote/AAPL", "AAPL"),
        ("https://autoshares.com/quote/aapl/", "AAPL"),
        ("http://www.autoshares.com/quote/BRK.B?tab=chart#news", "BRK.B"),
        ("https://AutoShares.com./QUOTE/msft", "MSFT"),
        ("https://autoshares.com/quote/AAPL&amp;x=1", None),  # the path is AAPL&x=1
        ("https://autoshares.com/quote/", None),
        ("https://autoshares.com/quote/AAPL/chart", None),
        ("https://autoshares.com/quotes/AAPL", None),
        ("https://autoshares.com/", None),
        ("https://autoshares.com/quote/%3C!channel%3E", None),
        ("https://autoshares.com/quote/TOOLONGSYMBOL", None),
        ("https://api.autoshares.com/quote/AAPL", None),
        ("https://autoshares.com.evil.example/quote/AAPL", None),
        ("https://evil.example/autoshares.com/quote/AAPL", None),
        ("https://autoshares.com@evil.example/quote/AAPL", None),
        ("ftp://autoshares.com/quote/AAPL", None),
        ("autoshares.com/quote/AAPL", None),
        ("https://[autoshares.com/quote/AAPL", None),
    ],
)
def test_quote_page_symbol(url: str, symbol: str | None) -> None:
    assert quote_page_symbol(url, DOMAIN) == symbol


def test_quote_page_symbol_follows_the_configured_domain() -> None:
    assert quote_page_symbol("https://quotes.acme.example/quote/AAPL", "quotes.acme.example") == "AAPL"
    assert quote_page_symbol("https://autoshares.com/quote/AAPL", "quotes.acme.example") is None


def test_quote_links_keeps_quote_pages_up_to_the_symbol_limit() -> None:
    links: list[Any] = [
        {"domain": DOMAIN, "url": "https://autoshares.com/quote/AAPL"},
        {"domain": DOMAIN, "url": "https://autoshares.com/support"},
        {"domain": DOMAIN, "url": "https://www.autoshares.com/quote/aapl?tab=news"},
        {"domain": DOMAIN},
        "not a link",
        *(
            {"domain": DOMAIN, "url": f"https://autoshares.com/quote/S{i}"}
            for i in range(MAX_QUOTE_SYMBOLS + 2)
        ),
        {"domain": DOMAIN, "url": "https://autoshares.com/quote/AAPL/"},  # a symbol already counted
    ]
    found = quote_links(links, DOMAIN)
    assert set(found.values()) == {"AAPL", *(f"S{i}" for i in range(MAX_QUOTE_SYMBOLS - 1))}
    assert [url for url, symbol in found.items() if symbol == "AAPL"] == [
        "https://autoshares.com/quote/AAPL",
        "https://www.autoshares.com/quote/aapl?tab=news",
        "https://autoshares.com/quote/AAPL/",
    ]
    assert quote_links(None, DOMAIN) == {} and quote_links("x", DOMAIN) == {}


def test_unfurl_target_prefers_the_unfurl_id() -> None:
    posted = {
        "channel": "C1",
        "message_ts": "1.2",
        "unfurl_id": "C1.1.2.ab",
        "source": "conversations_history",
    }
    assert unfurl_target(posted) == {"unfurl_id": "C1.1.2.ab", "source": "conversations_history"}
    composer = {"channel": "COMPOSER", "message_ts": "Uxx-1", "unfurl_id": "Uxx-909b", "source": "composer"}
    assert unfurl_target(composer) == {"unfurl_id": "Uxx-909b", "source": "composer"}
    older = {"channel": "C1", "message_ts": "1.2"}
    assert unfurl_target(older) == {"channel": "C1", "ts": "1.2"}


# --------------------------------------------------------------------------- mentions


@pytest.mark.parametrize(
    ("event", "answered"),
    [
        ({"user": "U1", "text": "$AAPL"}, True),
        ({"user": "U1", "bot_id": "B1"}, False),
        ({"user": "U1", "subtype": "bot_message"}, False),
        ({"bot_id": "B1"}, False),
        ({}, False),
    ],
)
def test_only_people_are_answered(event: dict[str, Any], answered: bool) -> None:
    assert from_a_person(event) is answered


def test_the_answer_goes_to_the_mentions_thread() -> None:
    assert thread_of({"channel": "C1", "ts": "5.6"}) == {"channel": "C1", "thread_ts": "5.6"}
    assert thread_of({"channel": "C1", "ts": "5.6", "thread_ts": "1.2"}) == {
        "channel": "C1",
        "thread_ts": "1.2",
    }


# --------------------------------------------------------------------------- cards


AAPL = QuoteRow(
    "AAPL",
    Security.model_validate(
        {"Id": 1, "Symbol": "AAPL", "Description": "Apple Inc.", "Exchange": "NASDAQ", "Currency": "USD"}
    ),
    Quote.model_validate(
        {
            "Price": 231.25,
            "Change": 1.5,
            "ChangePc": 0.65,
            "Bid": 231.2,
            "Ask": 231.3,
            "Low": 229,
            "High": 232,
            "Volume": 1_000_000,
        }
    ),
)
SUGGESTIONS = {"APPL": [Security.model_validate({"Id": 1, "Symbol": "AAPL", "Description": "Apple Inc."})]}


def test_quote_card_is_the_quote_without_a_share_button() -> None:
    card = previews.quote_card("AAPL", [AAPL], {}, delayed=None)
    assert set(card) == {"blocks"} and not blockkit.problems(card["blocks"])
    text = json.dumps(card)
    assert "*$231.25*" in text and "Bid $231.20" in text
    assert "quote_share" not in text and "Shared by" not in text


def test_quote_card_of_an_unknown_symbol_names_the_closest_matches() -> None:
    card = previews.quote_card("APPL", [AAPL], SUGGESTIONS, delayed=None)
    assert not blockkit.problems(card["blocks"])
    text = json.dumps(card)
    assert "There is no such symbol as *APPL* at AutoShares. Closest matches: *AAPL* (Apple Inc.)" in text
    assert "231.25" not in text


def test_link_needed_card_names_the_symbol_and_the_command() -> None:
    card = previews.link_needed_card("TSLA")
    assert not blockkit.problems(card["blocks"])
    assert "*TSLA* on AutoShares" in json.dumps(card) and "`/autoshares link`" in json.dumps(card)


def test_mention_answer_and_help() -> None:
    answer = previews.mention_answer([AAPL], SUGGESTIONS, delayed=None, left_out=["KO", "PEP"], limit=10)
    assert not blockkit.problems(answer["blocks"])
    text = json.dumps(answer["blocks"])
    assert "*AAPL*" in text and "no such symbol as *APPL*" in text
    assert "I quote up to 10 symbols at once, so I left out $KO, $PEP." in text
    assert "quote_share" not in text
    usage = previews.mention_help(10)
    assert not blockkit.problems(usage["blocks"])
    assert "`@AutoShares $AAPL $MSFT`" in usage["text"] and "up to 10 symbols" in usage["text"]
