"""The order types and instructions beyond limit and stop: trailing stops, brackets, dollar
amounts, short and cover, ioc/fok/gtd/aon and `/order show`: what parses, what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.core.commands import OrderRequest, OrderShowCommand
from handlers.parsing import ParseError, order_text, parse_order

D = Decimal


def order(text: str) -> OrderRequest:
    parsed = parse_order(text)
    assert isinstance(parsed, OrderRequest)
    return parsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sell 10 AAPL trail 2%", {"order_type": "TrailingStop", "trail": D(2), "trail_unit": "percent"}),
        (
            "sell 10 AAPL trail $1.50 gtc",
            {
                "order_type": "TrailingStop",
                "trail": D("1.50"),
                "trail_unit": "amount",
                "time_in_force": "GoodTillCancel",
            },
        ),
        ("sell 10 AAPL trail 1.5", {"trail": D("1.5"), "trail_unit": "amount"}),
        (
            "sell 10 AAPL trail 2% limit-offset 0.50",
            {"order_type": "TrailingStopLimit", "limit_offset": D("0.50")},
        ),
        (
            "buy 10 AAPL limit 180 take-profit 200 stop-loss 170",
            {"order_type": "Limit", "limit_price": D(180), "take_profit": D(200), "stop_loss": D(170)},
        ),
        ("buy 10 AAPL take-profit 200", {"order_type": "Market", "take_profit": D(200), "stop_loss": None}),
        ("short 5 TSLA limit 250 stop-loss 270", {"side": "SellShort", "stop_loss": D(270)}),
        ("buy $500 AAPL", {"quantity": 0, "cash_amount": D(500), "order_type": "Market"}),
        ("sell $250.50 MSFT", {"side": "Sell", "cash_amount": D("250.50")}),
        ("short 10 TSLA limit 250", {"side": "SellShort", "limit_price": D(250)}),
        ("cover 10 TSLA", {"side": "BuyToCover", "order_type": "Market"}),
        ("buy 10 AAPL limit 180 ioc", {"time_in_force": "ImmediateOrCancel"}),
        ("buy 10 AAPL FOK", {"time_in_force": "FillOrKill", "order_type": "Market"}),
        (
            "buy 10 AAPL limit 180 gtd 2099-01-15",
            {"time_in_force": "GoodTillDate", "expire_date": date(2099, 1, 15)},
        ),
        ("buy 10 AAPL aon limit 180", {"all_or_none": True}),
    ],
)
def test_new_order_forms_parse(text: str, expected: dict[str, Any]) -> None:
    request = order(text)
    for name, value in expected.items():
        assert getattr(request, name) == value, name
    assert parse_order(order_text(request)) == request


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("sell 10 AAPL trail", "`trail` needs a distance"),
        ("sell 10 AAPL trail 0%", "above 0% and below 100%"),
        ("sell 10 AAPL trail 100%", "above 0% and below 100%"),
        ("sell 10 AAPL trail $2%", "a percent such as 2% or dollars"),
        ("sell 10 AAPL trail 2% limit 170", "A trailing stop sets its own stop"),
        ("sell 10 AAPL limit-offset 0.5", "add trail before it"),
        ("sell 10 AAPL trail 2% trail 3%", "`trail` appears twice"),
        ("buy 10 AAPL limit 180 take-profit 170", "take-profit must be above the limit price 180"),
        ("buy 10 AAPL limit 180 stop-loss 190", "stop-loss must be below the limit price 180"),
        ("short 10 TSLA limit 250 take-profit 260", "take-profit must be below the limit price 250"),
        ("buy 10 AAPL take-profit 170 stop-loss 180", "take-profit must be above the stop-loss"),
        ("buy 10 AAPL stop 180 take-profit 200", "A bracket's entry is a market or limit order"),
        ("buy $0 AAPL", "dollar amount must be"),
        ("buy $500 AAPL limit 3", "A dollar amount is traded at the market"),
        ("short $500 AAPL", "A dollar amount works with buy or sell"),
        ("buy $500 AAPL aon", "A dollar amount is a day order"),
        ("buy 10 AAPL gtd 2099-01-15", "Market orders cannot be good-till-date"),
        ("buy 10 AAPL limit 1 gtd 15/01/2027", "is not a date"),
        ("buy 10 AAPL limit 1 gtd 2099-02-30", "`2099-02-30` is not a date"),
        ("buy 10 AAPL limit 1 gtd 2020-01-02", "The last day `2020-01-02` has already passed; give today or a later day"),
        ("buy 10 AAPL limit 1 gtd", "`gtd` needs a date"),
        ("buy 10 AAPL limit 1 ioc gtc", "Choose one of day, gtc, ioc, fok or gtd"),
        ("show", "Say which order to show"),
        ("show abc", "order id must be a whole number"),
    ],
)
def test_new_order_forms_are_refused_with_one_sentence_and_an_example(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_order(text)
    message = str(raised.value)
    assert fragment in message
    assert message.count("Try `/order ") == 1


def test_show_reads_an_order_id_and_an_account() -> None:
    assert parse_order("show 42") == OrderShowCommand(42)
    assert parse_order("show 42 account 5001") == OrderShowCommand(42, 5001)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buy $500.123 AAPL", "The dollar amount can have at most 2 decimal places, not `$500.123`. Try `/order buy $500 AAPL`."),
        ("buy $0 AAPL", "The dollar amount must be above zero, not `$0`. Try `/order buy $500 AAPL`."),
        ("sell 10 AAPL trail 2.125%",
         "A trailing percent must be above 0% and below 100% with at most 2 decimal places, not `2.125%`. "
         "Try `/order sell 10 AAPL trail 2%`."),
        ("sell 10 AAPL trail $0", "The trailing distance must be above zero, not `$0`. Try `/order sell 10 AAPL trail 2%`."),
        ("show -1", "The order id must be a whole number such as 12, not `-1`. Try `/order show 12345`."),
        ("cancel 1e3", "The order id must be a whole number such as 12, not `1e3`. Try `/order cancel 12345`."),
        ("buy 1 AAPL 2099-01-15 0 call",
         "The strike must be above zero, not `0`. Try `/order buy 1 AAPL 2027-01-15 200 call limit 5.10`."),
        ("spread 0 AAPL 2099-01-15 buy 200 call sell 210 call",
         "Quantity must be a whole number of contracts above zero, not `0`. "
         "Try `/order spread AAPL 2027-01-15 buy 200 call sell 210 call limit 3.20`."),
    ],
)  # fmt: skip
def test_odd_numbers_are_refused_with_the_example_of_what_was_typed(text: str, expected: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_order(text)
    assert str(raised.value) == expected


def test_a_passed_good_till_dates_example_is_itself_an_order_the_grammar_takes() -> None:
    with pytest.raises(ParseError) as raised:
        parse_order("buy 10 AAPL limit 1 gtd 2020-01-02")
    example = str(raised.value).split("Try `/order ")[1].rstrip("`.")
    request = order(example)
    assert request.time_in_force == "GoodTillDate" and request.expire_date is not None
