"""`/autoshares account all` and `positions top`: their grammar and their Block Kit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.autoshares.resources import Account, Balance, Order, Position, PositionGroup
from bot.core.views import ConsolidatedView, TopHoldings
from bot.devkit import blockkit
from handlers.blocks.holdings import consolidated_message, share_bar, top_message
from handlers.parsing import ParseError, parse_autoshares

BOB = Account.model_validate({"Id": 5002, "Alias": "Bob's cash account"})
ALICE = Account.model_validate({"Id": 5001, "Alias": "Alice's cash account"})


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("account all", "account_all", None),
        ("accounts ALL", "account_all", None),
        ("positions top", "positions_top", None),
        ("positions top account 12", "positions_top", 12),
        ("positions 12", "positions", 12),
    ],
)
def test_grammar(text: str, name: str, args: object) -> None:
    parsed = parse_autoshares(text)
    assert (parsed.name, parsed.args) == (name, args)


@pytest.mark.parametrize("text", ["account all 12", "positions top 12 13", "positions top account"])
def test_grammar_refuses_what_follows(text: str) -> None:
    with pytest.raises(ParseError, match="Try `/autoshares"):
        parse_autoshares(text)


def test_consolidated_message_names_the_account_of_each_holding_and_order() -> None:
    view = ConsolidatedView(
        [BOB, ALICE],
        Balance.model_validate({"Equity": 1500.5, "Cash": 1000}),
        [
            Position.model_validate(
                {"SecurityId": 1, "AccountId": 5002, "Symbol": "AAPL", "Quantity": 2, "MarketValueEOD": 200}
            ),
            Position.model_validate(
                {"SecurityId": 2, "AccountId": 5001, "Symbol": "SPY", "Quantity": 4, "MarketValueEOD": 300.5}
            ),
        ],
        2,
        [
            Order.model_validate(
                {
                    "Id": 7,
                    "AccountId": 5002,
                    "Symbol": "AAPL",
                    "Side": "Buy",
                    "Type": "Limit",
                    "Quantity": 1,
                    "Price": 90,
                    "Status": "New",
                }
            )
        ],
    )
    message = consolidated_message(view)
    text = str(message["blocks"])
    assert blockkit.problems(message["blocks"]) == []
    assert "*Equity*\\n$1,500.50" in text and "*Cash*\\n$1,000.00" in text
    assert "*AAPL* 2 sh · value $200.00 · in Bob's cash account (5002)" in text
    assert "*SPY* 4 sh · value $300.50 · in Alice's cash account (5001)" in text
    assert "order 7 · in Bob's cash account (5002)" in text


def test_top_message_shares_and_bars() -> None:
    found = TopHoldings(
        5002,
        BOB,
        [
            PositionGroup(name="AAPL", market_value=Decimal(300)),
            PositionGroup(name="SPY", market_value=Decimal(100)),
        ],
        [
            PositionGroup(name="CommonStock", market_value=Decimal(300)),
            PositionGroup(name="ETF", market_value=Decimal(100)),
        ],
    )
    message = top_message(found, image_url="https://bot.example/charts/x.png?exp=1&sig=a")
    text = str(message["blocks"])
    assert blockkit.problems(message["blocks"]) == []
    assert (
        "*Top 2 holdings in Bob's cash account (5002)*" in text
        and "1. *AAPL* $300.00 (75.0% of holdings)" in text
    )
    assert "`████████░░` Common stock $300.00 (75.0%)" in text and "`██░░░░░░░░` ETF $100.00 (25.0%)" in text
    assert [b["type"] for b in message["blocks"]][-1] == "image"
    assert share_bar(0.0) == "░" * 10 and share_bar(1.2) == "█" * 10
    assert top_message(TopHoldings(5002, BOB, [], []))["text"] == "No positions in Bob's cash account (5002)."
