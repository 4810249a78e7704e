"""News: the story's time in seconds or milliseconds, the headlines message, the Read value,
and the article modal (escaped, cut into sections Slack takes)."""

from __future__ import annotations

import re

import pytest

from bot.autoshares.resources import NewsItem, parse
from bot.core.news import newest_first
from bot.devkit import blockkit
from handlers.blocks.common import escape
from handlers.blocks.news import (
    article_view,
    escaped_chunks,
    headline_line,
    news_message,
    parse_read_value,
    read_value,
)


def story(news_id: int, date: int | None, header: str = "Headline", content: str = "Text") -> NewsItem:
    return parse(
        NewsItem,
        {"NewsId": news_id, "Header": header, "Date": date, "Source": "Wire", "Content": content},
        "t",
    )


def test_a_story_time_is_read_in_seconds_or_milliseconds_and_sorted_newest_first() -> None:
    assert story(1, 1_796_083_200).moment == story(2, 1_796_083_200_000).moment == 1_796_083_200
    assert story(3, None).moment is None
    assert [s.news_id for s in newest_first([story(1, 10), story(2, None), story(3, 30)])] == [3, 1, 2]


def test_headlines_are_escaped_and_each_has_a_read_button_that_round_trips() -> None:
    items = [story(7, 1_796_083_200, header="<!channel> rally"), story(8, 1_796_000_000)]
    message = news_message("AAPL", items)
    text = str([b["text"] for b in message["blocks"] if b["type"] == "section"])
    assert "&lt;!channel&gt; rally" in text and "<!channel>" not in text
    assert message["text"] == "Latest news for AAPL: &lt;!channel&gt; rally"  # the notification too
    assert "Wire · <!date^1796083200^" in text
    assert blockkit.problems(message["blocks"]) == []
    assert parse_read_value(read_value("AAPL", items[0])) == ("AAPL", 7)
    for forged in ("AAPL", "AAPL;x", "<@U1>;7", ";7"):
        with pytest.raises(ValueError):
            parse_read_value(forged)
    assert "no news for *AAPL*" in str(news_message("AAPL", [])["blocks"])
    assert headline_line(items[0]).startswith(":newspaper: &lt;!channel&gt; rally — Wire")
    forged = news_message("AAPL", [story(9, None, header="Split\n\nSandbox Wire · Today")])
    assert forged["blocks"][1]["text"]["text"].startswith("*Split Sandbox Wire · Today*\nWire · ")


def test_a_long_story_is_cut_into_sections_of_a_modal() -> None:
    view = article_view("AAPL", story(1, 1_796_083_200, content="word " * 2000))
    assert view["type"] == "modal" and view["title"]["text"] == "AAPL news"
    assert blockkit.problems(view["blocks"], view=True) == []
    assert len([b for b in view["blocks"] if b["type"] == "section"]) == 1 + 4
    # Escaping lengthens a story full of & < >: each section still fits, and nothing is dropped.
    view = article_view("AAPL", story(2, None, content="R&D <up> " * 1000))
    texts = [b["text"]["text"] for b in view["blocks"][1:] if b["type"] == "section"]
    assert all(len(t) <= 2900 for t in texts) and "…" not in "".join(texts)
    assert "".join(texts) == ("R&amp;D &lt;up&gt; " * 1000).strip()
    for size in range(5, 12):  # whatever the size, no escape is cut in two
        pieces = escaped_chunks("a&&<b>" * 9, size, 100)
        assert "".join(pieces) == escape("a&&<b>" * 9) and all(len(p) <= size for p in pieces)
        assert all(not re.search(r"&[a-z]*$", p) for p in pieces)
