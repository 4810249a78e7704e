"""The Workflow Builder steps without Slack: their outputs, the holdings' day move, the plain
error sentences, the symbol input, and reading a ``function_executed`` event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.resources import Account, Balance, Position, Quote, Security
from bot.core import errors as core_errors
from bot.core.portfolio import holdings_day_change
from bot.core.views import PortfolioSummary, QuoteRow
from handlers import errors
from handlers.blocks.steps import account_name, plain, portfolio_outputs, quote_outputs
from handlers.kit import step_context
from handlers.parsing import ParseError, symbol_from_field

APPLE = {"Id": 1, "Symbol": "AAPL", "Description": "Apple Inc.", "Currency": "USD"}
BOB_ACCOUNT = {"Id": 5002, "Alias": "Bob's cash account", "Currency": "USD"}


def row(quote: dict[str, Any], equity: dict[str, Any] = APPLE) -> QuoteRow:
    security = Security.model_validate(equity)
    return QuoteRow(security.symbol, security, Quote.model_validate(quote))


def summary(
    balances: dict[str, Any],
    count: int = 2,
    moved: str | None = "12.5",
    account: dict[str, Any] = BOB_ACCOUNT,
) -> PortfolioSummary:
    found = Account.model_validate(account)
    figures = Balance.model_validate(balances)
    return PortfolioSummary(found.id, found, figures, [], count, Decimal(moved) if moved is not None else None)


# -- Get a quote ---------------------------------------------------------------------------------


def test_a_quote_gives_its_price_and_day_change() -> None:
    outputs = quote_outputs(row({"Price": 231.25, "Last": 231.0, "Change": 1.75, "ChangePc": 0.7625}))
    assert outputs == {
        "symbol": "AAPL",
        "price": 231.25,
        "change": 1.75,
        "change_percent": 0.7625,
        "summary": "AAPL (Apple Inc.) $231.25, up $1.75 (+0.76%) today.",
    }


def test_a_price_of_zero_falls_back_to_the_last_trade_and_a_fall_reads_down() -> None:
    outputs = quote_outputs(row({"Price": 0, "Last": 99.5, "Change": -0.5, "ChangePc": -0.5}))
    assert outputs["price"] == 99.5
    assert outputs["summary"] == "AAPL (Apple Inc.) $99.50, down $0.50 (-0.50%) today."


def test_figures_autoshares_did_not_give_are_left_out_not_zero() -> None:
    outputs = quote_outputs(row({"Last": 10.0, "Change": None, "ChangePc": None}))
    assert outputs == {"symbol": "AAPL", "price": 10.0, "summary": "AAPL (Apple Inc.) $10.00."}
    assert "price" not in quote_outputs(row({"Price": None, "Last": None}))
    only_percent = quote_outputs(row({"Last": 10.0, "ChangePc": 0.0}))
    assert only_percent["summary"] == "AAPL (Apple Inc.) $10.00, unchanged (0.00%) today."


def test_the_summary_is_plain_text_that_cannot_ping_or_link() -> None:
    odd = {"Id": 3, "Symbol": "ODD", "Description": "<!channel> Odd & Co <https://x.example|y>", "Currency": "CHF"}
    outputs = quote_outputs(row({"Last": 1.5, "Change": 0.25}, odd))
    assert outputs["summary"] == "ODD (!channel Odd & Co https://x.example|y) 1.50 CHF, up 0.25 CHF today."
    assert "<" not in outputs["summary"] and "&amp;" not in outputs["summary"]
    assert plain("a\u0007b" + "x" * 100).startswith("abx") and len(plain("x" * 100)) == 80


# -- Portfolio summary ---------------------------------------------------------------------------


def test_a_portfolio_gives_its_value_cash_holdings_and_day_move() -> None:
    outputs = portfolio_outputs(summary({"Equity": 104000.0, "Cash": 100000.0}))
    assert outputs == {
        "account": "Bob's cash account (5002)",
        "total_value": 104000.0,
        "cash": 100000.0,
        "day_change": 12.5,
        "positions_count": 2,
        "summary": "Bob's cash account (5002): worth $104,000.00, $100,000.00 in cash, 2 holdings, up $12.50 today.",
    }


def test_autoshares_own_day_pl_wins_over_the_holdings_move() -> None:
    outputs = portfolio_outputs(summary({"EquityTotal": 50.0, "DayPL": -3.0}, count=1, moved="7.0"))
    assert outputs["day_change"] == -3.0
    assert outputs["summary"] == "Bob's cash account (5002): worth $50.00, 1 holding, down $3.00 today."


def test_unknown_figures_are_left_out_of_a_portfolio() -> None:
    account = {"Id": 7, "Alias": "<@U0EVE>"}
    outputs = portfolio_outputs(summary({}, count=0, moved=None, account=account))
    assert outputs == {
        "account": "@U0EVE (7)",
        "positions_count": 0,
        "summary": "@U0EVE (7), 0 holdings.",
    }
    assert account_name(Account.model_validate({"Id": 9})) == "Account 9"
    flat = portfolio_outputs(summary({"Equity": 1.0}, moved="0.001"))
    assert flat["summary"].endswith("2 holdings, unchanged today.")


def test_the_holdings_move_is_quantity_times_the_day_change() -> None:
    positions = [
        Position.model_validate({"SecurityId": 1, "Quantity": 10}),
        Position.model_validate({"SecurityId": "2", "Quantity": -5}),
    ]
    quotes = {1: Quote.model_validate({"Change": 1.25}), 2: Quote.model_validate({"Change": 0.5})}
    assert holdings_day_change(positions, quotes) == Decimal("10.00")
    assert holdings_day_change([], {}) == 0
    assert holdings_day_change(positions, {1: quotes[1]}) is None  # a holding without a quote
    no_quantity = Position.model_validate({"SecurityId": 1})
    assert holdings_day_change([no_quantity], quotes) is None
    assert holdings_day_change(positions, {1: quotes[1], 2: Quote.model_validate({})}) is None  # no change


# -- inputs and errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "symbol"), [("AAPL", "AAPL"), (" $brk.b ", "BRK.B"), ("msft\u200b", "MSFT")]
)
def test_a_symbol_input_reads_like_quote(typed: str, symbol: str) -> None:
    assert symbol_from_field(typed) == symbol


@pytest.mark.parametrize(
    ("typed", "sentence"),
    [
        ("", "Give one symbol such as AAPL."),
        ("AAPL MSFT", "Give one symbol such as AAPL."),
        ("@here", "`@\u200bhere` is not a valid symbol; use a ticker such as AAPL or BRK.B."),
    ],
)
def test_a_symbol_input_that_is_not_one_symbol_is_refused(typed: str, sentence: str) -> None:
    with pytest.raises(ParseError) as refused:
        symbol_from_field(typed)
    assert str(refused.value) == sentence and refused.value.field == "symbol"


def test_plain_sentences_carry_no_mrkdwn() -> None:
    assert errors.plain_sentence(core_errors.NotLinkedError()) == (
        "Your Slack account is not linked to AutoShares yet. Run /autoshares link to connect it."
    )
    assert "add an existing one" in errors.plain_sentence(core_errors.NoTradingAccount())
    assert "accounts add <accountId>" in errors.plain_sentence(core_errors.NoTradingAccount())
    assert errors.plain_sentence(RuntimeError("boom")) == errors.UNEXPECTED


def event(inputs: Any) -> dict[str, Any]:
    return {
        "team_id": "T1",
        "event": {"type": "function_executed", "function": {"callback_id": "get_quote"}, "inputs": inputs},
    }


def test_a_run_acts_for_the_person_in_user_context_only() -> None:
    inputs = {"symbol": " AAPL ", "user_id": "U0BOB", "user_context": {"id": "U0ALICE", "secret": "s"}}
    ctx = step_context(event(inputs), inputs)
    assert (ctx.team_id, ctx.user_id, ctx.callback_id) == ("T1", "U0ALICE", "get_quote")
    assert ctx.text("symbol") == " AAPL "
    assert ctx.text("absent") == "" and ctx.text("user_context") == ""


@pytest.mark.parametrize(
    "inputs", [None, {}, {"user_id": "U0BOB"}, {"user_context": "U0BOB"}, {"user_context": {"id": ""}}]
)
def test_a_run_without_a_person_is_refused(inputs: Any) -> None:
    with pytest.raises(errors.StepInputMissing) as refused:
        step_context(event(inputs), inputs)
    assert refused.value.name == "user_context"
    assert "missing an input" in errors.plain_sentence(refused.value)
