"""The `/fund` grammar: the four orders, cancel, the reinvestment choices, and the one sentence
with an example each mistake gets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.commands import FundCancelCommand, FundRequest
from handlers.parsing import AutosharesCommand, parse_autoshares, parse_fund
from tests.unit.handlers.parsing.test_parsing import assert_safe_sentence, error_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buy VFIAX $1000", FundRequest("buy", "VFIAX", dollars=Decimal("1000"))),
        (
            "BUY vfiax $250.50 cash account 12",
            FundRequest(
                "buy",
                "VFIAX",
                dollars=Decimal("250.50"),
                reinvest_dividends=False,
                reinvest_gains=False,
                account_id=12,
            ),
        ),
        (
            "buy VFIAX $1000 gains cash dividends reinvest",
            FundRequest(
                "buy", "VFIAX", dollars=Decimal("1000"), reinvest_dividends=True, reinvest_gains=False
            ),
        ),
        ("sell VFIAX 10", FundRequest("sell", "VFIAX", shares=Decimal("10"))),
        ("sell VFIAX 1.234", FundRequest("sell", "VFIAX", shares=Decimal("1.234"))),
        ("sell $VFIAX $500", FundRequest("sell", "VFIAX", dollars=Decimal("500"))),
        ("exchange VFIAX VTSAX", FundRequest("exchange", "VFIAX", target="VTSAX")),
        (
            "exchange VFIAX VTSAX reinvest account 7",
            FundRequest(
                "exchange",
                "VFIAX",
                target="VTSAX",
                reinvest_dividends=True,
                reinvest_gains=True,
                account_id=7,
            ),
        ),
        ("liquidate VFIAX", FundRequest("liquidate", "VFIAX")),
        ("cancel 12345", FundCancelCommand(12345)),
        ("cancel 12345 account 12", FundCancelCommand(12345, 12)),
    ],
)
def test_fund_parses(text: str, expected: object) -> None:
    assert parse_fund(text) == expected
    assert parse_autoshares(f"fund {text}") == AutosharesCommand("fund", expected)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            "",
            "Say what to do with which fund: buy, sell, exchange, liquidate or cancel. Try `/fund buy VFIAX $1000`.",
        ),
        ("hold VFIAX", "`hold` is not a fund action; start with buy, sell, exchange, liquidate or cancel."),
        ("buy VFIAX", "Say how much to buy after the fund. Try `/fund buy VFIAX $1000 reinvest`."),
        ("buy VFIAX 10", "Buy a fund by a dollar amount such as $1000, not `10`."),
        ("buy VFIAX $0", "The dollar amount must be above zero, not `$0`."),
        ("buy VFIAX $10.001", "The dollar amount can have at most 2 decimal places, not `$10.001`."),
        ("sell VFIAX 1.2345", "The number of shares can have at most 3 decimal places, not `1.2345`."),
        ("sell VFIAX ten", "The amount must be dollars such as $1000 or shares such as 10, not `ten`."),
        ("sell VFIAX 10 reinvest", "Reinvestment choices apply to a buy or an exchange, not to a sell."),
        (
            "exchange VFIAX",
            "Say which fund to exchange into after the first. Try `/fund exchange VFIAX VTSAX`.",
        ),
        ("exchange VFIAX VFIAX", "Exchange into a different fund than the one you sell."),
        (
            "exchange VFIAX VTSAX $500",
            "`$500`: AutoShares exchanges your whole holding of VFIAX and takes no amount; "
            "to move part of it, sell that amount first. Try `/fund exchange VFIAX VTSAX`.",
        ),
        ("liquidate VFIAX 10", "AutoShares liquidates your whole holding of VFIAX and takes no amount"),
        ("buy VFIAX $1000 reinvest cash", "Choose reinvest or cash once for each of dividends and gains."),
        ("buy VFIAX $1000 dividends", "`dividends` needs reinvest or cash after it."),
        ("buy VFIAX $1000 gains maybe", "`maybe` after gains must be reinvest or cash."),
        ("buy VFIAX $1000 soon", "`soon` is not understood here; use account, reinvest or cash."),
        ("cancel", "Say which fund order to cancel by its id. Try `/fund cancel 12345`."),
        ("buy <!channel> $1", "is not a valid symbol"),
    ],
)
def test_fund_mistakes_get_one_sentence_and_an_example(text: str, sentence: str) -> None:
    message = str(error_of(parse_fund, text))
    assert sentence in message and "Try `/fund " in message
    assert_safe_sentence(message)
