"""Each rule read once: the slash command and the form for the same setting accept and refuse
the same inputs and keep the same value (team settings: `/autoshares admin` and App Home's team
forms; orders: `/order` and the order form)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from bot.core.commands import OrderRequest
from handlers.parsing import (
    ParseError,
    member_form,
    order_from_fields,
    parse_autoshares,
    parse_order,
    policy_form,
)

BOB = "U0BOB"
Read = Callable[[str], object]


def _command(text: str, attribute: str) -> Read:
    def read(given: str) -> object:
        return getattr(parse_autoshares(f"admin {text.format(given)}").args, attribute)

    return read


def _member_form(field: str, attribute: str) -> Read:
    def read(given: str) -> object:
        values: dict[str, Any] = {"member": {"value": {"selected_user": BOB}}}
        if field == "role":
            values["role"] = {"value": {"selected_option": {"value": given}}}
        else:
            values[field] = {"value": {"value": given}}
        change, problems = member_form(values)
        if change is None:
            raise ValueError(problems)
        return getattr(change, attribute)

    return read


def _threshold_form(given: str) -> object:
    values = {
        "threshold": {"value": {"value": given}},
        "approvals_channel": {"value": {"selected_conversation": "C0APPROVE"}},
    }
    change, problems = policy_form(values)
    if change is None:
        raise ValueError(problems)
    return change.approval_threshold


#: Every admin setting typed as text: (the command, the form).
SETTINGS: dict[str, tuple[Read, Read]] = {
    "order value limit": (
        _command(f"limit <@{BOB}> value {{}}", "amount"),
        _member_form("max_value", "max_order_value"),
    ),
    "daily order limit": (
        _command(f"limit <@{BOB}> daily {{}}", "count"),
        _member_form("max_daily", "max_orders_per_day"),
    ),
    "approval threshold": (_command("approvals over {}", "amount"), _threshold_form),
    "role": (_command(f"role <@{BOB}> {{}}", "role"), _member_form("role", "role")),
}
INPUTS = [
    "5000", "1.234", "0", "-5", "abc", "1e3", "1,000", "1,00", "$25,000", "1234.5", "0.01", "12.",
    ".5", "7", "10000", "10001", "1000000000", "1000000001", "NaN", "Infinity", "none", "٣",
    "viewer", "TRADER", "approver", "admin", "default", "boss",
]  # fmt: skip


def _outcome(read: Read, given: str) -> tuple[str, object]:
    try:
        return "accepted", read(given)
    except (ParseError, ValueError):
        return "refused", None


@pytest.mark.parametrize("given", INPUTS)
@pytest.mark.parametrize("setting", list(SETTINGS))
def test_the_command_and_the_form_agree_on_every_admin_setting(setting: str, given: str) -> None:
    command, form = SETTINGS[setting]
    assert _outcome(command, given) == _outcome(form, given)


def test_a_limit_is_never_rounded() -> None:
    command, form = SETTINGS["order value limit"]
    assert _outcome(command, "1.234") == _outcome(form, "1.234") == ("refused", None)
    assert _outcome(form, "1,234.5") == ("accepted", Decimal("1234.5"))


def _order_command(template: str, attribute: str) -> Read:
    def read(given: str) -> object:
        order = parse_order(template.format(given))
        assert isinstance(order, OrderRequest)
        return getattr(order, attribute)

    return read


def _order_form(field: str, attribute: str) -> Read:
    def read(given: str) -> object:
        fields = {"symbol": "AAPL", "side": "buy", "quantity": "1", field: given}
        return getattr(order_from_fields(fields), attribute)

    return read


ORDER_RULES: dict[str, tuple[Read, Read, list[str]]] = {
    "quantity": (
        _order_command("buy {} AAPL", "quantity"),
        _order_form("quantity", "quantity"),
        ["10", "0", "-5", "1.5", "1e3", "1,000", "007", "1000000", "1000001", "abc", "٣"],
    ),
    "limit price": (
        _order_command("buy 1 AAPL limit {}", "limit_price"),
        _order_form("limit_price", "limit_price"),
        ["180", "180.5", "$180.50", ".5", "0", "-5", "abc", "1e3", "1,000", "1.2345", "1.23456",
         "1000000", "1000001", "NaN"],
    ),
    "stop price": (
        _order_command("buy 1 AAPL stop {}", "stop_price"),
        _order_form("stop_price", "stop_price"),
        ["180", "0.0001", "0.00001", "0", "abc", "1e3", "1000000", "1000001"],
    ),
    "account id": (
        _order_command("buy 1 AAPL account {}", "account_id"),
        _order_form("account", "account_id"),
        ["12", "0012", "0", "-1", "1.5", "abc", "2147483647", "2147483648", "9" * 30],
    ),
    "symbol": (
        _order_command("buy 1 {}", "symbol"),
        _order_form("symbol", "symbol"),
        ["AAPL", "aapl", "$AAPL", "BRK.B", "brk-b", "ſpy", "TOOLONGSYMBOL", "1AB", "A", "$", "AAPL!"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "given"), [(rule, given) for rule, (_, _, inputs) in ORDER_RULES.items() for given in inputs]
)
def test_the_order_command_and_the_order_form_agree(rule: str, given: str) -> None:
    command, form, _ = ORDER_RULES[rule]
    assert _outcome(command, given) == _outcome(form, given)


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_the_admin_inputs_hold_both_kinds(setting: str) -> None:
    """The agreement above is no agreement to refuse everything."""
    command, _ = SETTINGS[setting]
    assert {_outcome(command, given)[0] for given in INPUTS} == {"accepted", "refused"}


@pytest.mark.parametrize("rule", list(ORDER_RULES))
def test_the_order_inputs_hold_both_kinds(rule: str) -> None:
    command, _, inputs = ORDER_RULES[rule]
    assert {_outcome(command, given)[0] for given in inputs} == {"accepted", "refused"}
