"""handlers.order: its registration table, and the order ticket's and large order's checks."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from handlers import order
from handlers.blocks import approval as approval_blocks
from handlers.blocks import order as order_blocks
from handlers.kit import table_ids
from tests.unit.handlers.conftest import Registered, assert_registers


def test_the_table_registers_each_button_form_and_subcommand_once(
    register: Callable[[ModuleType], Registered],
) -> None:
    ids = table_ids(order.LISTENERS)
    assert ids == {
        "subcommand": ["order"],
        "action": [
            approval_blocks.APPROVAL_APPROVE,
            approval_blocks.APPROVAL_REJECT,
            order_blocks.ORDER_CONFIRM,
            order_blocks.ORDER_CANCEL_PENDING,
            order_blocks.ORDER_CANCEL_OPEN,
            order_blocks.ORDER_EDIT_OPEN,
        ],
        "view": [
            order_blocks.ORDER_TICKET_CALLBACK,
            order_blocks.ORDER_LARGE_CALLBACK,
            order_blocks.ORDER_EDIT_CALLBACK,
        ],
        "event": [],
        "function": [],
    }
    assert_registers(register(order), ids)


def test_only_confirm_shows_that_it_is_working() -> None:
    working = {entry.action_id for entry in order.LISTENERS if getattr(entry, "working", False)}
    assert working == {order_blocks.ORDER_CONFIRM}


def ticket(**fields: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in order_blocks.TICKET_FIELDS:
        if name in {"side", "type", "time_in_force", "extended_hours"}:
            chosen = {"value": fields[name]} if fields.get(name) else None
            values[name] = {name: {"type": "static_select", "selected_option": chosen}}
        else:
            values[name] = {name: {"type": "plain_text_input", "value": fields.get(name)}}
    return {"state": {"values": values}}


def test_a_valid_ticket_has_no_problems() -> None:
    assert order.ticket_problems(ticket(symbol="AAPL", side="buy", type="market", quantity="5")) is None


def test_a_ticket_problem_lands_on_its_field() -> None:
    problems = order.ticket_problems(ticket(symbol="AAPL", side="buy", type="market", quantity="-5"))
    assert problems is not None and list(problems) == ["quantity"]


def large(typed: str | None, symbol: str = "AAPL") -> dict[str, Any]:
    block = {order_blocks.LARGE_SYMBOL_ACTION: {"type": "plain_text_input", "value": typed}}
    return {
        "private_metadata": f'{{"symbol": "{symbol}"}}',
        "state": {"values": {order_blocks.LARGE_SYMBOL_BLOCK: block}},
    }


def test_the_large_order_symbol_matches_whatever_its_case_and_spaces() -> None:
    assert order.typed_symbol(large(" aapl ")) == " aapl "
    assert order.symbol_matches({"symbol": "AAPL"}, " aapl ")
    assert order.large_problems(large(" aapl ")) is None


def test_a_wrong_or_missing_symbol_is_refused_on_its_field() -> None:
    assert not order.symbol_matches({"symbol": "AAPL"}, "MSFT")
    assert not order.symbol_matches({}, "")  # no expected symbol: never a match
    problems = order.large_problems(large("MSFT"))
    assert problems == {
        order_blocks.LARGE_SYMBOL_BLOCK: "Type AAPL exactly to place this order, or press Back."
    }
    assert order.large_problems(large(None)) is not None
