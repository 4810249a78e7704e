"""The `/watch` grammar: show, add and remove, and the sentences its mistakes get."""

from __future__ import annotations

import pytest

from bot.core.commands import WatchRequest
from handlers.parsing import AutosharesCommand, parse_autoshares, parse_watch
from tests.unit.handlers.parsing.test_parsing import assert_safe_sentence, error_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", WatchRequest()),
        ("   ", WatchRequest()),
        ("list", WatchRequest()),
        ("SHOW", WatchRequest()),
        ("add AAPL", WatchRequest("add", ("AAPL",))),
        ("add aapl msft", WatchRequest("add", ("AAPL", "MSFT"))),
        ("ADD aapl,msft,,tsla", WatchRequest("add", ("AAPL", "MSFT", "TSLA"))),
        ("add $AAPL brk.b AAPL", WatchRequest("add", ("AAPL", "BRK.B"))),
        ("add\u00a0AAPL\u200b", WatchRequest("add", ("AAPL",))),
        ("remove MSFT", WatchRequest("remove", ("MSFT",))),
        ("remove msft, nvda", WatchRequest("remove", ("MSFT", "NVDA"))),
        ("delete TSLA", WatchRequest("remove", ("TSLA",))),
        (
            "add " + " ".join(f"S{i}" for i in range(10)),
            WatchRequest("add", tuple(f"S{i}" for i in range(10))),
        ),
    ],
)
def test_watch_parses(text: str, expected: WatchRequest) -> None:
    assert parse_watch(text) == expected


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "AAPL",
            "`AAPL` is not a /watch action; use add or remove with symbols, or nothing to see your "
            "watchlist. Try `/watch add AAPL`.",
        ),
        ("$msft", "`$msft` is not a /watch action; use add or remove with symbols, or nothing to see your watchlist. Try `/watch add MSFT`."),
        ("clear", "`clear` is not a /watch action; use add or remove with symbols, or nothing to see your watchlist. Try `/watch add AAPL MSFT`."),
        ("add", "Name at least one symbol to add. Try `/watch add AAPL MSFT`."),
        ("remove ,", "Name at least one symbol to remove. Try `/watch remove AAPL MSFT`."),
        ("add AAPL 12x!", "`12x!` is not a valid symbol; use a ticker such as AAPL or BRK.B. Try `/watch add AAPL MSFT`."),
        ("remove &lt;!channel&gt;", "`&lt;!channel&gt;` is not a valid symbol; use a ticker such as AAPL or BRK.B. Try `/watch remove AAPL MSFT`."),
        (
            "add " + " ".join(f"S{i}" for i in range(11)),
            "You can add at most 10 symbols at once, not 11. Try `/watch add AAPL MSFT`.",
        ),
        ("list AAPL", "`AAPL` is not understood after list. Try `/watch list`."),
        ("@here", "`@\u200bhere` is not a /watch action; use add or remove with symbols, or nothing to see your watchlist. Try `/watch add AAPL MSFT`."),
    ],
)  # fmt: skip
def test_watch_errors_say_what_and_what_to_try(text: str, sentence: str) -> None:
    message = str(error_of(parse_watch, text))
    assert message == sentence
    assert_safe_sentence(message)


def test_autoshares_watch_means_what_watch_means() -> None:
    assert parse_autoshares("watch") == AutosharesCommand("watch", WatchRequest())
    assert parse_autoshares("watch add aapl") == AutosharesCommand("watch", WatchRequest("add", ("AAPL",)))
    assert parse_autoshares("WATCH remove MSFT") == AutosharesCommand(
        "watch", WatchRequest("remove", ("MSFT",))
    )
    message = str(error_of(parse_autoshares, "watch add"))
    assert message == "Name at least one symbol to add. Try `/autoshares watch add AAPL MSFT`."


def test_unknown_subcommand_names_watch() -> None:
    assert "watch" in str(error_of(parse_autoshares, "wach"))
