"""`/autoshares activity`: its grammar, the one filter a request becomes, and its Block Kit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.autoshares.resources import Account, Activity
from bot.core.activity import activity_filter, period_start, report_filename
from bot.core.commands import ActivityRequest
from bot.core.views import ActivityPage
from bot.devkit import blockkit
from bot.devkit.driver import buttons
from handlers.blocks.activity import activity_message, page_value, parse_page_value
from handlers.parsing import ParseError, parse_autoshares

NOW = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("activity", ActivityRequest("30d", "all")),
        ("activity 7d", ActivityRequest("7d", "all")),
        ("activity dividends YTD", ActivityRequest("ytd", "dividends")),
        ("activity fee 30d account 12", ActivityRequest("30d", "fees", 12)),
        ("activity account 12", ActivityRequest("30d", "all", 12)),
    ],
)
def test_grammar_takes_period_and_kind_in_either_order(text: str, expected: ActivityRequest) -> None:
    assert parse_autoshares(text).args == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("activity 90d", "`90d` is not understood after activity"),
        ("activity 7d ytd", "Give one period, not 7d and `ytd`"),
        ("activity trades fees", "Give one kind of activity"),
        ("activity account 12 trades", "is not understood after the account id"),
    ],
)
def test_grammar_says_what_is_wrong_and_what_to_try(text: str, says: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_autoshares(text)
    assert says in str(caught.value) and "Try `/autoshares activity" in str(caught.value)


def test_filter_and_period_are_written_once_for_page_and_report() -> None:
    assert period_start("7d", NOW) == datetime(2026, 11, 30, tzinfo=UTC)
    assert period_start("ytd", NOW) == datetime(2026, 1, 1, tzinfo=UTC)
    since = period_start("30d", NOW)
    assert activity_filter(ActivityRequest("30d", "all"), since) == "Date >= #2026-11-07T00:00:00Z#"
    assert activity_filter(ActivityRequest("30d", "fees"), since) == (
        "Date >= #2026-11-07T00:00:00Z# and Type in ('Commission', 'Clearing')"
    )
    assert report_filename(5002, ActivityRequest("ytd", "trades"), NOW) == (
        "autoshares-5002-activity-ytd-trades-2026-12-07.csv"
    )


def test_buttons_carry_the_request_and_stale_values_are_refused() -> None:
    request = ActivityRequest("ytd", "dividends", 5002)
    assert parse_page_value(page_value(5002, request, 3)) == (request, 3)
    for stale in ("5002:ytd:dividends", "5002:1y:all:0", "0:7d:all:0", "x:7d:all:0", "\u0663:7d:all:0", "5002:7d:all:+1"):
        with pytest.raises(ValueError):
            parse_page_value(stale)


def test_message_shows_each_entry_and_only_the_buttons_that_lead_somewhere() -> None:
    account = Account.model_validate({"Id": 5002, "Alias": "Bob's cash account", "Currency": "USD"})
    trade = Activity.model_validate(
        {"Id": 1, "Date": "2026-12-07T14:30:00Z", "Type": "OrderExecution", "Symbol": "AAPL",
         "Description": "Bought 3 AAPL @ 200.00", "Quantity": 3, "Price": 200, "Value": -600}
    )
    dividend = Activity.model_validate(
        {"Id": 2, "Date": "2026-12-06T10:00:00Z", "Type": "Payment", "MarginType": "Dividend", "Value": 1.5}
    )
    found = ActivityPage(5002, account, ActivityRequest("30d", "all"), NOW, [trade, dividend], 1, 2, 5, True)
    message = activity_message(found)
    text = str(message["blocks"])
    assert blockkit.problems(message["blocks"]) == []
    assert "*Trade* · *AAPL* · Dec 7, 2026" in text and "Bought 3 sh @ $200.00 · amount -$600.00" in text
    assert "*Dividend* · Dec 6, 2026" in text and "amount +$1.50" in text
    assert "5 entries, page 2 of 3" in text
    ids = [b["action_id"] for b in buttons(message["blocks"])]
    assert ids == ["activity_previous", "activity_next", "activity_export"]
    empty = activity_message(ActivityPage(5002, account, ActivityRequest("7d", "fees"), NOW, [], 0, 10, 0, False))
    assert "nothing yet" in empty["text"] and not buttons(empty["blocks"])
