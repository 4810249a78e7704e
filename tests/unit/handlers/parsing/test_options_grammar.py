"""The option forms of `/order`, `/options` and the order ticket with an option symbol."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.core.commands import OptionChainRequest, OptionOrderRequest
from handlers.parsing import ParseError, order_from_fields, parse_autoshares, parse_options, parse_order


def test_a_single_option_names_its_contract_and_terms() -> None:
    order = parse_order("buy 2 AAPL 2027-01-15 200 call limit 5.10 gtc account 12")
    assert isinstance(order, OptionOrderRequest) and not order.is_spread
    [leg] = order.legs
    assert (leg.side, leg.contract.symbol) == ("Buy", "AAPL270115C00200000")
    assert (order.quantity, order.order_type, order.limit_price) == (2, "Limit", Decimal("5.10"))
    assert (order.time_in_force, order.account_id, order.side, order.symbol) == (
        "GoodTillCancel", 12, "Buy", "AAPL270115C00200000"
    )
    put = parse_order("sell 1 $spy 2027-01-15 571.5 PUT")
    assert isinstance(put, OptionOrderRequest)
    assert (put.symbol, put.order_type, put.side) == ("SPY270115P00571500", "Market", "Sell")


def test_a_vertical_spread_is_a_debit_or_a_credit() -> None:
    debit = parse_order("spread AAPL 2027-01-15 buy 200 call sell 210 call limit 3.20")
    assert isinstance(debit, OptionOrderRequest) and debit.is_spread and debit.is_debit
    assert (debit.side, debit.symbol, debit.quantity) == ("Buy", "AAPL", 1)
    assert [(leg.side, leg.contract.symbol) for leg in debit.legs] == [
        ("Buy", "AAPL270115C00200000"),
        ("Sell", "AAPL270115C00210000"),
    ]
    credit = parse_order("spread 3 AAPL 2027-01-15 sell 200 put buy 190 put limit 1.05")
    assert isinstance(credit, OptionOrderRequest)
    assert (credit.side, credit.is_debit, credit.quantity) == ("Sell", False, 3)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("buy 1 AAPL 2027-01-15 200", "Say call or put after the strike."),
        ("buy 1 AAPL 2027-02-30 200 call", "The expiration must be a date such as 2027-01-15, not `2027-02-30`."),
        ("short 1 AAPL 2027-01-15 200 call", "Options are bought or sold: start with buy or sell."),
        ("buy 0 AAPL 2027-01-15 200 call", "Quantity must be a whole number of contracts above zero, not `0`."),
        ("buy 1 AAPL 2027-01-15 200 call stop 3", "`stop` is not an option order term; use limit, day, gtc or account."),
        ("buy 1 AAPL 2027-01-15 200 call gtc", "Market orders cannot be good-till-cancel; add a limit price or use day."),
        ("spread AAPL 2027-01-15 buy 200 call buy 210 call", "A spread buys one leg and sells the other."),
        ("spread AAPL 2027-01-15 buy 200 call sell 210 put", "A vertical spread takes two calls or two puts at different strikes."),
        ("spread AAPL 2027-01-15 buy 200 call", "A spread needs two legs, each buy or sell, a strike and call or put."),
    ],
)
def test_mistakes_are_one_sentence_with_an_example(text: str, sentence: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_order(text)
    assert caught.value.message.startswith(sentence + " Try `/order ")
    assert caught.value.message.count("Try `") == 1


def test_options_takes_a_symbol_and_an_optional_expiration() -> None:
    assert parse_options("aapl") == OptionChainRequest("AAPL")
    assert parse_options("AAPL 2027-01-15") == OptionChainRequest("AAPL", date(2027, 1, 15))
    assert parse_autoshares("options MSFT").args == OptionChainRequest("MSFT")
    with pytest.raises(ParseError) as caught:
        parse_options("AAPL jan")
    assert caught.value.message == "The expiration must be a date such as 2027-01-15, not `jan`. Try `/options AAPL 2027-01-15`."


def test_the_ticket_reads_an_option_symbol_by_the_same_rules() -> None:
    fields = {"symbol": "AAPL270115C00200000", "side": "buy", "type": "limit", "quantity": "2", "limit_price": "5.1"}
    order = order_from_fields(fields)
    assert isinstance(order, OptionOrderRequest)
    assert (order.symbol, order.quantity, order.limit_price) == ("AAPL270115C00200000", 2, Decimal("5.1"))
    for wrong, field in (
        ({"side": "short"}, "side"),
        ({"stop_price": "4"}, "stop_price"),
        ({"extended_hours": "ext"}, "extended_hours"),
        ({"limit_price": ""}, "limit_price"),
    ):
        with pytest.raises(ParseError) as caught:
            order_from_fields(fields | wrong)
        assert caught.value.field == field


def test_an_option_symbol_as_the_chain_shows_it_is_one_contract_with_the_same_terms() -> None:
    typed = parse_order("buy 2 aapl270115p00200500 limit 3.10 gtc")
    assert typed == parse_order("buy 2 AAPL 2027-01-15 200.5 put limit 3.10 gtc")
    with pytest.raises(ParseError) as raised:
        parse_order("short 1 AAPL270115C00200000")
    assert str(raised.value) == (
        "Options are bought or sold: start with buy or sell. Try `/order buy 1 AAPL 2027-01-15 200 call limit 5.10`."
    )
    with pytest.raises(ParseError, match="not an option order term"):
        parse_order("sell 1 AAPL270115C00200000 stop 3")
