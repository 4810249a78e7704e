"""The domain's vocabulary, each rule on its own: ids, symbols, bounds, roles, states, limits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.vocabulary.bounds import MAX_PRICE, MAX_QUANTITY, price_problem, quantity_in_bounds
from bot.vocabulary.ids import MAX_AUTOSHARES_ID, autoshares_id
from bot.vocabulary.options import listed_under
from bot.vocabulary.roles import ROLES, Role
from bot.vocabulary.spreadsheets import safe_cell, safe_csv
from bot.vocabulary.states import UNSETTLED_STATES, WAITING_STATES, PendingState
from bot.vocabulary.symbols import is_symbol, symbol_of
from bot.vocabulary.team_limits import (
    MAX_DAILY_ORDERS,
    MAX_LIMIT_AMOUNT,
    LimitProblem,
    daily_order_count,
    limit_amount,
)
from handlers.parsing import ParseError, parse_order


def test_an_autoshares_id_is_an_int32_as_the_contract_says() -> None:
    assert MAX_AUTOSHARES_ID == 2**31 - 1
    assert autoshares_id(str(MAX_AUTOSHARES_ID)) == MAX_AUTOSHARES_ID
    assert autoshares_id(MAX_AUTOSHARES_ID + 1) is None and autoshares_id(str(MAX_AUTOSHARES_ID + 1)) is None
    assert autoshares_id("000000000042") == 42  # leading zeros are not digits of the value


def test_the_grammar_takes_ids_by_the_same_rule() -> None:
    assert parse_order(f"cancel {MAX_AUTOSHARES_ID}") == parse_order(f"cancel 0{MAX_AUTOSHARES_ID}")
    with pytest.raises(ParseError, match="order id must be a whole number"):
        parse_order(f"cancel {MAX_AUTOSHARES_ID + 1}")


@pytest.mark.parametrize("text", ["AAPL", "BRK.B", "BF-B", "A", "ABCDEFGHIJ"])
def test_symbols(text: str) -> None:
    assert is_symbol(text) and symbol_of(text.lower()) == text


@pytest.mark.parametrize("text", ["", "1AB", "ABCDEFGHIJK", "AA PL", "$AAPL", "ſPY", "ÄAPL", "-A"])
def test_what_is_no_symbol(text: str) -> None:
    assert not is_symbol(text) and symbol_of(text) is None


def test_quantity_and_price_bounds() -> None:
    assert quantity_in_bounds(1) and quantity_in_bounds(MAX_QUANTITY)
    assert not quantity_in_bounds(0) and not quantity_in_bounds(MAX_QUANTITY + 1)
    assert price_problem(Decimal("0.0001")) is None and price_problem(MAX_PRICE) is None
    assert price_problem(Decimal(0)) == "must be above zero"
    assert price_problem(Decimal("NaN")) == "must be above zero"
    assert price_problem(MAX_PRICE + 1) == f"can be at most {MAX_PRICE:,}"
    assert price_problem(Decimal("1.00001")) == "can have at most 4 decimal places"


def test_roles_are_ordered_by_rank_not_by_name() -> None:
    assert ROLES == (Role.VIEWER, Role.TRADER, Role.APPROVER, Role.ADMIN)
    assert Role.VIEWER < Role.TRADER < Role.APPROVER < Role.ADMIN
    assert Role.ADMIN > Role.APPROVER and Role.TRADER >= Role.TRADER and Role.TRADER <= Role.ADMIN
    assert sorted([Role.ADMIN, Role.VIEWER, Role.APPROVER, Role.TRADER]) == list(ROLES)
    assert Role.TRADER >= "viewer" and Role.VIEWER == "viewer"  # stored as the word


def test_roles_read_back_fail_closed() -> None:
    assert Role.named(" Approver ") is Role.APPROVER and Role.named("boss") is None
    assert Role.stored(None) is None  # the default role
    assert Role.stored("admin") is Role.ADMIN
    assert Role.stored("superuser") is Role.VIEWER  # an unknown grant never allows more


def test_pending_states() -> None:
    assert {state for state in PendingState if state.waiting} == WAITING_STATES
    assert {state for state in PendingState if not state.settled} == UNSETTLED_STATES
    assert PendingState.PLACED.settled and not PendingState.SUBMITTING.settled
    assert PendingState("awaiting_approval") is PendingState.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("text", "value"),
    [("5000", Decimal(5000)), ("$25,000", Decimal(25000)), ("1234.5", Decimal("1234.5")), ("0.01", Decimal("0.01"))],
)
def test_limit_amounts(text: str, value: Decimal) -> None:
    assert limit_amount(text) == value


@pytest.mark.parametrize(
    "text", ["0", "-5", "1.234", "1e3", "1,00", "abc", "NaN", "", str(MAX_LIMIT_AMOUNT + 1), "٣"]
)
def test_what_is_no_limit_amount(text: str) -> None:
    with pytest.raises(LimitProblem):
        limit_amount(text)


def test_daily_order_counts() -> None:
    assert daily_order_count("1") == 1 and daily_order_count(str(MAX_DAILY_ORDERS)) == MAX_DAILY_ORDERS
    for text in ("0", "-1", "1.5", "1e3", str(MAX_DAILY_ORDERS + 1), "9" * 30, "٣"):
        with pytest.raises(LimitProblem):
            daily_order_count(text)


def test_a_csv_cell_that_would_run_as_a_formula_is_plain_text_and_numbers_stay_numbers() -> None:
    for formula in ("=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "+"):
        assert safe_cell(formula) == "'" + formula
    for kept in ("-12.50", "+3", "0.5", "AAPL dividend", "", "'=1", " =1"):
        assert safe_cell(kept) == kept
    report = 'Date,Description,Value\r\n2026-12-07,"=HYPERLINK(""http://x"",""a,\nb"")",-2.5\r\n'
    assert safe_csv(report) == 'Date,Description,Value\r\n2026-12-07,"\'=HYPERLINK(""http://x"",""a,\nb"")",-2.5\r\n'


def test_an_order_is_listed_under_its_underlying_when_it_is_an_option() -> None:
    """A pending order's row keeps 16 characters of symbol: an OCC option symbol is longer."""
    assert listed_under("AAPL270115C00200000") == "AAPL"
    assert listed_under("BRKB") == "BRKB"
    assert all(len(listed_under(s)) <= 16 for s in ("GOOGL271217P01500000", "VFIAX", "SPY"))
