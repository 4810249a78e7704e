"""handlers.parsing.activity: what it accepts, and each refusal as a sentence with an example."""

from __future__ import annotations

import pytest

from bot.core.commands import ActivityRequest
from handlers.parsing import ParseError, parse_autoshares
from handlers.parsing.activity import ACTIVITY_EXAMPLE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("activity", ActivityRequest("30d", "all")),
        ("activity 7d", ActivityRequest("7d", "all")),
        ("activity dividends YTD", ActivityRequest("ytd", "dividends")),
        ("ACTIVITY Trade 7D", ActivityRequest("7d", "trades")),
        ("activity dividend", ActivityRequest("30d", "dividends")),
        ("activity fee 30d account 12", ActivityRequest("30d", "fees", 12)),
        ("activity 7d account 12", ActivityRequest("7d", "all", 12)),
        ("activity account 12", ActivityRequest("30d", "all", 12)),
        ("activity all ytd", ActivityRequest("ytd", "all")),
    ],
)
def test_period_and_kind_in_either_order_each_defaulting(text: str, expected: ActivityRequest) -> None:
    parsed = parse_autoshares(text)
    assert (parsed.name, parsed.args) == ("activity", expected)


def test_the_example_it_offers_is_itself_accepted() -> None:
    assert parse_autoshares(ACTIVITY_EXAMPLE).args == ActivityRequest("30d", "trades")


@pytest.mark.parametrize(
    ("text", "sentence", "example"),
    [
        (
            "activity 90d",
            "`90d` is not understood after activity; give a period (7d, 30d or ytd) "
            "and a kind (trades, dividends, fees or all).",
            ACTIVITY_EXAMPLE,
        ),
        ("activity 7d ytd", "Give one period, not 7d and `ytd`.", ACTIVITY_EXAMPLE),
        ("activity trades fee", "Give one kind of activity, not trades and `fee`.", ACTIVITY_EXAMPLE),
        ("activity all all", "Give one kind of activity, not all and `all`.", ACTIVITY_EXAMPLE),
        ("activity account", "`account` needs an account id after it.", "activity 30d account 12"),
        (
            "activity 7d account abc",
            "The account id must be a whole number such as 12, not `abc`.",
            "activity 30d account 12",
        ),
        ("activity account 0", "The account id must be a whole number such as 12, not `0`.", "activity 30d account 12"),
        ("activity account 12 trades", "`trades` is not understood after the account id.", "activity 30d account 12"),
    ],
)
def test_each_refusal_is_one_sentence_and_an_example(text: str, sentence: str, example: str) -> None:
    with pytest.raises(ParseError) as refused:
        parse_autoshares(text)
    assert str(refused.value) == f"{sentence} Try `/autoshares {example}`."
    assert parse_autoshares(example).name == "activity"  # the example given works as typed


def test_a_refused_word_is_echoed_safely() -> None:
    with pytest.raises(ParseError) as refused:
        parse_autoshares("activity <@U1>")
    said = str(refused.value)
    assert "<@U1>" not in said and said.startswith("`&lt;@\u200bU1&gt;` is not understood after activity")
