"""A change to a working order, without I/O: the new terms and what they replace, the
ModifyOrderResource sent, the side-by-side confirmation, and what its message says after."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.resources import Order, OrderChangePreview, OrderTicket
from bot.core.commands import OrderEditCommand
from bot.core.errors import EditDoesNotFit
from bot.core.orders import carries_change, edit_terms, edit_value
from bot.devkit.blockkit import problems
from handlers.blocks import order as b
from handlers.errors import order_failure, sentence
from storage.records import OrderState, Pending, PendingState

STOP_LIMIT = {
    "Id": 9,
    "Status": "PartiallyFilled",
    "Symbol": "AAPL",
    "Side": "Sell",
    "Type": "StopLimit",
    "Quantity": 10,
    "ExecutedQuantity": 4,
    "Price": 199,
    "StopPrice": 200,
    "TimeInForce": "GoodTillCancel",
}


def order(**changes: Any) -> Order:
    return Order.model_validate(STOP_LIMIT | changes)


def test_edit_terms_change_only_what_is_given_and_keep_what_they_replace() -> None:
    ticket = edit_terms(order(), OrderEditCommand(9, quantity=6, stop_price=Decimal("201")))
    assert (ticket.symbol, ticket.side, ticket.type, ticket.time_in_force) == (
        "AAPL",
        "Sell",
        "StopLimit",
        "GoodTillCancel",
    )
    assert (ticket.quantity, ticket.price, ticket.stop_price) == (6, 199, 201)
    assert ticket.replaces is not None
    assert (ticket.replaces.id, ticket.replaces.quantity, ticket.replaces.cost) == (9, 10, Decimal("1990.00"))
    # Stored and read back, the change is still one, and its ModifyOrderResource has the spec's names.
    stored = OrderTicket.read(ticket.stored())
    assert stored.replaces == ticket.replaces
    assert stored.change("c-1") == {
        "Id": 9,
        "Type": "StopLimit",
        "Quantity": 6,
        "Price": 199.0,
        "StopPrice": 201.0,
        "TimeInForce": "GoodTillCancel",
        "ClientId": "c-1",
    }
    assert "Replaces" not in stored.body() and "Id" not in stored.body()
    # Read back, the order has taken the change when it carries its ClientId or its terms.
    assert carries_change(order(ClientId="c-1"), "c-1", ticket)
    assert carries_change(order(ClientId="first", Quantity=6, StopPrice=201), "c-1", ticket)
    assert not carries_change(order(ClientId="first", Status="Filled"), "c-1", ticket)
    preview = OrderChangePreview.model_validate({"IsSuccessful": True, "Cost": 1194})
    assert edit_value(ticket, preview) == Decimal("1194.0000")  # 6 × the limit


def test_a_change_sends_again_the_expiry_session_and_trailing_distances_the_order_has() -> None:
    """ModifyOrderResource carries them: a replace that left them out could drop them."""
    trailing = order(
        Type="TrailingStop",
        Price=None,
        StopPrice=None,
        TimeInForce="GoodTillDate",
        ExpireDate="2099-01-15T23:59:59Z",
        TrailingStopAmountType="Persentage",
        TrailingStopAmount=2,
    )
    change = edit_terms(trailing, OrderEditCommand(9, quantity=8)).change("c-2")
    assert change == {
        "Id": 9,
        "Type": "TrailingStop",
        "Quantity": 8,
        "TimeInForce": "GoodTillDate",
        "ClientId": "c-2",
        "ExpireDate": "2099-01-15T23:59:59Z",
        "TrailingStopAmountType": "Persentage",
        "TrailingStopAmount": 2.0,
    }
    extended = edit_terms(order(Type="Limit", StopPrice=None, ExtendedHours="REGPRE"), OrderEditCommand(9, quantity=8))
    assert extended.change()["ExtendedHours"] == "REGPRE"


@pytest.mark.parametrize(
    ("held", "command", "problem", "expected"),
    [
        ({"Type": "Limit", "StopPrice": None}, OrderEditCommand(9, stop_price=Decimal(1)), "no_stop",
         "Order 9 is a limit order, which has no stop price; change its qty or limit instead."),
        ({"Type": "Stop", "Price": None}, OrderEditCommand(9, limit_price=Decimal(1)), "no_limit",
         "Order 9 is a stop order, which has no limit price; change its qty or stop instead."),
        ({}, OrderEditCommand(9, quantity=4), "filled", "Order 9 has 4 shares filled already; give a qty above that."),
        ({}, OrderEditCommand(9, quantity=10, limit_price=Decimal(199)), "same",
         "Order 9 already has those terms; give a new qty, limit or stop to change it."),
        ({"Type": "OneTriggerOneCancelOther"}, OrderEditCommand(9, quantity=12), "fixed",
         "Order 9 is a bracket, which cannot be changed in place; cancel it with `/order cancel 9` and place a new one."),
        ({"Type": "Limit", "ParentId": 8}, OrderEditCommand(9, limit_price=Decimal(198)), "fixed",
         "Order 9 is a leg of a bracket, which cannot be changed in place; cancel it with `/order cancel 9` and place a new one."),
        ({"Type": "Limit", "Legs": [{"Id": 10, "Status": "New", "Symbol": "AAPL270115C00200000", "Side": "Buy"}]},
         OrderEditCommand(9, quantity=12), "fixed",
         "Order 9 is an option spread, which cannot be changed in place; cancel it with `/order cancel 9` and place a new one."),
        ({"Type": "Market", "ExecInst": "CashAmountOrder"}, OrderEditCommand(9, quantity=600), "fixed",
         "Order 9 is a dollar-amount order, which cannot be changed in place; cancel it with `/order cancel 9` and place a new one."),
        ({"Type": "MutualFundsExchange", "Price": None, "StopPrice": None, "ExecutedQuantity": 0},
         OrderEditCommand(9, quantity=100000), "fixed",
         "Order 9 is a mutual fund order, which cannot be changed in place; cancel it with `/fund cancel 9` and place a new one."),
    ],
)  # fmt: skip
def test_an_edit_that_does_not_fit_the_order_says_what_would(
    held: dict[str, Any], command: OrderEditCommand, problem: str, expected: str
) -> None:
    with pytest.raises(EditDoesNotFit) as refused:
        edit_terms(order(**held), command)
    assert refused.value.problem == problem
    assert expected == sentence(refused.value)


def test_the_confirmation_shows_now_and_after_side_by_side_with_confirm_and_cancel() -> None:
    ticket = edit_terms(order(), OrderEditCommand(9, quantity=6, limit_price=Decimal("198.5")))
    preview = OrderChangePreview.model_validate({"IsSuccessful": True, "Cost": 1191, "Commission": 1})
    message = b.edit_confirmation(
        pending_id="p-2",
        ticket=ticket,
        account_id=5002,
        account=None,
        preview=preview,
        large=False,
        large_threshold=25_000,
        notional=Decimal(1191),
        confirm_seconds=120,
    )
    assert problems(message["blocks"]) == []
    fields = [f["text"] for f in message["blocks"][1]["fields"]]
    assert fields[0] == "*Now*\nQuantity: 10\nLimit: $199.00\nStop: $200.00\nEstimated cost: $1,990.00"
    assert (
        fields[1]
        == "*After the change*\nQuantity: 6\nLimit: $198.50\nStop: $200.00\nEstimated cost: $1,191.00"
    )
    assert [(x["action_id"], x["value"]) for x in message["blocks"][2]["elements"]] == [
        ("order_confirm", "p-2"),
        ("order_cancel_pending", "p-2"),
    ]
    large = b.large_order_view(
        pending_id="p-2", order=ticket, notional=Decimal(30_000), response_url=None, channel_id=None
    )
    assert (large["title"]["text"], large["submit"]["text"]) == ("Confirm large change", "Change order")
    failed = b.edit_preview_failed(
        ticket, 5002, OrderChangePreview.model_validate({"ErrorDescription": "MarketClosed"})
    )
    assert "AutoShares would not change order 9" in str(failed["blocks"]) and "MarketClosed" in str(
        failed["blocks"]
    )


def test_what_the_message_of_a_change_says_as_it_moves_on() -> None:
    ticket = edit_terms(order(), OrderEditCommand(9, quantity=6))
    now = datetime.now(UTC)
    row = Pending(
        id="p-2", team_id="T", slack_user_id="U", account_id=5002, symbol="AAPL", request=ticket.stored(),
        preview=None, notional=None, status=PendingState.SUBMITTING, created_at=now, expires_at=now,
        updated_at=now, channel_id=None, response_url=None, autoshares_order_id=None, order_status=None,
        result=None, error=None,
    )  # fmt: skip
    assert "Changing order 9 to *Sell 6 AAPL*" in str(b.pending_message(row)["blocks"])
    placed = replace(
        row, status=PendingState.PLACED, autoshares_order_id=9, result=OrderState(9, status="New")
    )
    shown = str(b.pending_message(placed)["blocks"])
    assert "Order changed: *Sell 6 AAPL*" in shown and "order_edit_open" in shown
    failed = replace(row, status=PendingState.FAILED, error="order_not_editable: Filled")
    text = str(b.pending_message(failed, reason=order_failure(failed.error))["blocks"])
    assert "Not changed: order 9. The order is already filled, so nothing was changed." in text
    assert "Nothing was changed" in str(
        b.pending_message(replace(row, status=PendingState.EXPIRED))["blocks"]
    )
    replaced = replace(placed, status=PendingState.REPLACED)
    assert b.pending_message(replaced)["text"] == "Order 9 was changed."


def test_the_edit_button_opens_a_modal_with_the_fields_of_the_order_type() -> None:
    value = b.edit_button_value(5002, 9, order())
    assert value == "5002:9:StopLimit:10:199:200"
    view = b.order_edit_view(
        account_id=5002,
        order_id=9,
        order_type="Limit",
        prefill={"quantity": "10", "limit_price": "199"},
        channel_id=None,
    )
    assert problems(view["blocks"], view=True) == []
    assert [x["block_id"] for x in view["blocks"] if x["type"] == "input"] == ["quantity", "limit_price"]
    for kind, fields in (("Stop", ["stop_price"]), ("StopLimit", ["limit_price", "stop_price"]), ("Market", [])):
        shown = b.order_edit_view(account_id=5002, order_id=9, order_type=kind, prefill={}, channel_id=None)
        assert [x["block_id"] for x in shown["blocks"] if x["type"] == "input"] == ["quantity", *fields], kind
    state = {"quantity": {"quantity": {"type": "plain_text_input", "value": "7"}}}
    assert b.edit_values(state) == {"quantity": "7", "limit_price": "", "stop_price": ""}


def test_an_option_edit_is_valued_by_its_contract_size_and_fails_closed_without_it() -> None:
    option = order(Symbol="AAPL270115C00200000", Type="Limit", Price=2, StopPrice=None, ExecutedQuantity=0)
    ticket = edit_terms(option, OrderEditCommand(9, quantity=20), size=Decimal(100))
    assert ticket.replaces is not None and ticket.replaces.cost == Decimal("2000.00")
    assert edit_value(ticket, None, Decimal(100)) == Decimal("4000")
    # A contract size AutoShares could not tell: the value is unknown, over any limit.
    assert edit_value(ticket, None, None) is None
    assert edit_terms(option, OrderEditCommand(9, quantity=20), size=None).replaces.cost is None  # type: ignore[union-attr]
