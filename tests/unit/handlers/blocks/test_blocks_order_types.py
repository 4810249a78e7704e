"""Order types in words, an order's details and the account's limits, as Block Kit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.autoshares.resources import Order, OrderDetail, OrderLimits, OrderStatus, OrderTicket
from bot.core.commands import OrderRequest
from bot.core.errors import OrderNotEditable
from bot.core.orders import order_body
from bot.core.views import PendingState
from handlers.blocks.options import leg_lines
from handlers.blocks.order import (
    limits_line,
    open_orders_message,
    order_details_message,
    order_outcome,
    order_summary,
    status_words,
)
from handlers.errors import sentence
from handlers.parsing import parse_order


def body(text: str) -> OrderTicket:
    request = parse_order(text)
    assert isinstance(request, OrderRequest)
    return OrderTicket.read(order_body(request))


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("sell 10 AAPL trail 2%", "*Sell 10 AAPL* · trailing stop 2% · day"),
        ("sell 10 AAPL trail $1.50 gtc", "*Sell 10 AAPL* · trailing stop $1.50 · good till cancelled"),
        ("sell 10 AAPL trail 2% limit-offset 0.50", "*Sell 10 AAPL* · trailing stop 2%, limit $0.50 past the stop · day"),
        (
            "buy 10 AAPL limit 180 take-profit 200 stop-loss 170",
            "*Buy 10 AAPL* · limit $180.00 · day · then take profit at $200.00 and stop loss at $170.00, "
            "one cancelling the other",
        ),
        ("short 5 TSLA stop-loss 270", "*Short 5 TSLA* · market · day · then stop loss at $270.00"),
        ("buy $500 AAPL", "*Buy $500.00 of AAPL* · market · day"),
        ("cover 10 TSLA ioc", "*Cover 10 TSLA* · market · immediate or cancel"),
        ("buy 10 AAPL fok aon", "*Buy 10 AAPL* · market · fill or kill · all or none"),
        ("buy 10 AAPL limit 180 gtd 2099-01-15", "*Buy 10 AAPL* · limit $180.00 · good till 2099-01-15"),
    ],
)
def test_each_order_type_reads_as_words(text: str, summary: str) -> None:
    assert order_summary(body(text)) == summary


def test_a_trailing_stop_at_autoshares_says_where_its_stop_is_now() -> None:
    order = Order.model_validate(
        {"Id": 7, "Status": "New", "Symbol": "AAPL", "Side": "Sell", "Type": "TrailingStop", "Quantity": 10,
         "StopPrice": 209, "TrailingStopAmountType": "Persentage", "TrailingStopAmount": 5}
    )  # fmt: skip
    assert order_summary(order) == "*Sell 10 AAPL* · trailing stop 5% (stop now $209.00) · day"


def test_order_details_show_executions_fees_legs_and_cancel_while_open() -> None:
    leg = {"Symbol": "AAPL", "Quantity": 10, "ParentId": 1}
    order = Order.model_validate(
        {"Id": 1, "Status": "New", "Symbol": "AAPL", "Side": "Buy", "Type": "OneTriggerOneCancelOther",
         "Quantity": 10, "ExecutedQuantity": 10, "AveragePrice": 180,
         "Legs": [leg | {"Id": 2, "Status": "Filled", "Side": "Buy", "Type": "Limit", "Price": 180},
                  leg | {"Id": 3, "Status": "New", "Side": "Sell", "Type": "Limit", "Price": 200},
                  leg | {"Id": 4, "Status": "New", "Side": "Sell", "Type": "Stop", "StopPrice": 170}]}
    )  # fmt: skip
    fill = OrderDetail.model_validate(
        {"Id": 2, "ExecId": "2-1", "Side": "Buy", "LastQuantity": 10, "LastPrice": 180, "TransactionDate": 1796000000000}
    )
    text = str(order_details_message(5001, order, [fill], Decimal("1.25"))["blocks"])
    assert "Order 1 in account 5001" in text and "10 filled at $180.00 on average" in text
    assert "Buy 10 at $180.00" in text and "<!date^1796000000^" in text
    assert "Order 2 (entry)" in text and "Order 4 (exit): *Sell 10 AAPL* · stop $170.00" in text
    assert "Fees: $1.25" in text and "order_cancel_open" in text
    none_yet = str(order_details_message(5001, order.model_copy(update={"status": OrderStatus.Filled}), [], None)["blocks"])
    assert "None yet." in none_yet and "Fees: $0.00" in none_yet and "order_cancel_open" not in none_yet


def test_a_bracket_whose_entry_filled_says_its_exits_are_working() -> None:
    from storage.records import OrderState

    state = OrderState(order_id=1, status="New", executed_quantity=Decimal(10), average_price=Decimal(180))
    placed = order_outcome(
        status=PendingState.PLACED, order=body("buy 10 AAPL limit 180 take-profit 200"), account_id=1, result=state
    )
    assert "open: the entry filled and its exits are working" in str(placed["blocks"])


def test_limits_read_as_one_sentence() -> None:
    limits = OrderLimits.model_validate(
        {"Symbol": "AAPL", "BuyLimit": 480, "SellLimit": 12, "BuyPrice": 208, "SellPrice": 207.9}
    )
    assert limits_line(limits, "AAPL") == (
        "Right now this account can buy up to 480 AAPL at $208.00 and sell up to 12 at $207.90."
    )
    assert limits_line(OrderLimits.model_validate({"SellLimit": 3}), "MSFT") == (
        "Right now this account can sell up to 3 MSFT."
    )


def test_legs_are_a_brackets_orders_or_a_spreads_contracts_and_neither_can_be_edited() -> None:
    bracket = body("buy 10 AAPL limit 180 take-profit 200 stop-loss 170")
    assert leg_lines(bracket) == []  # a bracket's legs are orders on shares, not contracts
    spread = Order.model_validate(
        {"Id": 5, "Status": "New", "Symbol": "AAPL", "Side": "Buy", "Type": "Limit", "Quantity": 1, "Price": 3.2,
         "Legs": [{"Id": 6, "Status": "New", "Symbol": "AAPL270115C00200000", "Side": "Buy", "Quantity": 1},
                  {"Id": 7, "Status": "New", "Symbol": "AAPL270115C00210000", "Side": "Sell", "Quantity": 1},
                  {"Symbol": "AAPL270115C00220000", "Side": "Sell", "Quantity": 1}]}
    )  # fmt: skip
    assert [leg.id for leg in spread.legs] == [6, 7]  # a leg without Id and Status is left out
    text = str(order_details_message(5001, spread, [], None)["blocks"])
    assert "Order 6 (leg): *Buy 1 contract AAPL 2027-01-15 $200.00 call*" in text and "(entry)" not in text
    assert "*Buy 1 AAPL 2027-01-15 $200.00/$210.00 call spread*" in order_summary(spread)
    plain = Order.model_validate({"Id": 8, "Status": "New", "Symbol": "AAPL", "Side": "Buy", "Type": "Limit",
                                  "Quantity": 1, "Price": 180})  # fmt: skip
    listed = str(open_orders_message(5001, [spread, plain])["blocks"])
    assert "5001:8:" in listed and "5001:5:" not in listed  # Edit on the share order only


def test_an_order_status_has_one_set_of_words_wherever_it_is_shown() -> None:
    assert [status_words(s.name) for s in (OrderStatus.Canceled, OrderStatus.PartiallyFilled)] == [
        "cancelled",
        "partly filled",
    ]
    assert status_words("<Odd>") == "&lt;Odd&gt;"
    refused = sentence(OrderNotEditable(9, OrderStatus.Canceled.name))
    assert "The order is already cancelled, so nothing was changed." in refused
