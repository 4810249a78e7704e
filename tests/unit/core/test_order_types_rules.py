"""The order-type rules of the order service: a bracket's body, and an order over the
account's limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.autoshares.resources import OrderLimits
from bot.core.commands import OrderRequest
from bot.core.errors import OrderOverLimit
from bot.core.orders import notional, order_body, over_limit
from handlers.parsing import parse_order

LIMITS = OrderLimits.model_validate(
    {"Symbol": "AAPL", "BuyLimit": 100, "SellLimit": 20, "BuyPrice": 200, "SellPrice": 199.5}
)


def request(text: str) -> OrderRequest:
    parsed = parse_order(text)
    assert isinstance(parsed, OrderRequest)
    return parsed


def test_a_bracket_is_one_order_whose_legs_are_the_entry_then_its_exits() -> None:
    body = order_body(request("short 10 TSLA limit 250 take-profit 230 stop-loss 270"), client_id="p-1")
    assert (body["Type"], body["Side"], body["Quantity"], body["ClientId"]) == (
        "OneTriggerOneCancelOther", "SellShort", 10, "p-1",
    )  # fmt: skip
    entry, profit, loss = body["Legs"]
    assert (entry["Type"], entry["Side"], entry["Price"]) == ("Limit", "SellShort", 250.0)
    assert (profit["Type"], profit["Side"], profit["Price"], profit["TimeInforce"]) == (
        "Limit", "BuyToCover", 230.0, "GoodTillCancel",
    )  # fmt: skip
    assert (loss["Type"], loss["Side"], loss["StopPrice"]) == ("Stop", "BuyToCover", 270.0)
    assert all("ClientId" not in leg for leg in body["Legs"])
    assert order_body(request("buy 1 AAPL stop-loss 170"))["Type"] == "OneTriggerOther"


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("buy 100 AAPL", False),
        ("buy 101 AAPL", True),
        ("cover 101 AAPL", True),
        ("sell 20 AAPL", False),
        ("short 21 AAPL", True),
        ("buy $20000 AAPL", False),  # 100 shares at the buy price
        ("buy $20001 AAPL", True),
        ("sell $3990 AAPL", False),  # 20 shares at the sell price
        ("sell $4000 AAPL", True),
    ],
)
def test_an_order_over_the_accounts_limits_is_refused(text: str, refused: bool) -> None:
    found = over_limit(request(text), LIMITS)
    assert (found is not None) == refused
    if found is not None:
        assert isinstance(found, OrderOverLimit) and found.symbol == "AAPL"


def test_unknown_limits_refuse_nothing_and_a_dollar_order_is_worth_its_amount() -> None:
    assert over_limit(request("buy 100000 AAPL"), None) is None
    assert over_limit(request("buy 1000 AAPL"), OrderLimits.model_validate({"SellLimit": 1})) is None
    assert notional(request("buy $500 AAPL"), None) == Decimal(500)
