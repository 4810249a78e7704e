"""handlers.blocks.fund_terms: a mutual fund order in words (amount or shares, each operation,
the reinvestment choices, values escaped) read alike from the ticket and from what is stored."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.autoshares.errors import AutoSharesMalformed
from bot.autoshares.resources import FundTicket, OfferingTicket, OrderTicket, read_ticket
from bot.autoshares.resources.funds import FundOperation, QuantityQualifier
from handlers.blocks.fund_terms import fund_summary, reinvestment

BUY, SELL = FundOperation.buy, FundOperation.sell
EXCHANGE, LIQUIDATE = FundOperation.exchange, FundOperation.liquidate
TAIL = " · mutual fund · fills at the next close"


def ticket(operation: FundOperation, symbol: str = "VFIAX", **fields: Any) -> FundTicket:
    return FundTicket(fund_operation=operation, symbol=symbol, **fields)


@pytest.mark.parametrize(
    ("order", "words"),
    [
        (
            ticket(BUY, quantity=Decimal(1000), quantity_qualifier=QuantityQualifier.EvenDollar),
            f"*Buy $1,000.00 of VFIAX*{TAIL} · dividends reinvested · capital gains reinvested",
        ),
        (
            ticket(SELL, quantity=Decimal("500.5"), quantity_qualifier=QuantityQualifier.GrossDollar),
            f"*Sell $500.50 of VFIAX*{TAIL}",
        ),
        (ticket(SELL, quantity=Decimal(1), quantity_qualifier=QuantityQualifier.Shares), f"*Sell 1 share of VFIAX*{TAIL}"),
        (ticket(SELL, quantity=Decimal("10.5")), f"*Sell 10.5 shares of VFIAX*{TAIL}"),
        (
            ticket(EXCHANGE, target_symbol="VTSAX", reinvest_dividends=False),
            f"*Exchange all of VFIAX for VTSAX*{TAIL} · dividends paid in cash · capital gains reinvested",
        ),
        (ticket(LIQUIDATE), f"*Liquidate VFIAX* (sell every share){TAIL}"),
    ],
)
def test_each_operation_in_words_from_the_ticket_and_from_what_is_stored(order: FundTicket, words: str) -> None:
    assert fund_summary(order) == words
    assert fund_summary(read_ticket(order.stored())) == words  # what a pending row keeps


def test_symbols_are_escaped() -> None:
    buy = ticket(BUY, "<!here>", quantity=Decimal(5), quantity_qualifier=QuantityQualifier.Shares)
    assert fund_summary(buy).startswith("*Buy 5 shares of &lt;!here&gt;*")
    exchange = ticket(EXCHANGE, "A&B", target_symbol="<C>")
    assert fund_summary(exchange).startswith("*Exchange all of A&amp;B for &lt;C&gt;*")


@pytest.mark.parametrize(
    ("dividends", "short", "long", "words"),
    [
        (None, None, None, "dividends reinvested · capital gains reinvested"),
        (False, False, False, "dividends paid in cash · capital gains paid in cash"),
        (True, False, True, "dividends reinvested · short-term gains paid in cash · long-term gains reinvested"),
        (True, True, False, "dividends reinvested · short-term gains reinvested · long-term gains paid in cash"),
    ],
)
def test_the_reinvestment_choices_of_a_buy_and_an_exchange(
    dividends: bool | None, short: bool | None, long: bool | None, words: str
) -> None:
    choices: dict[str, Any] = {"reinvest_dividends": dividends, "reinvest_short_term_gains": short, "reinvest_long_term_gains": long}
    assert reinvestment(ticket(BUY, **choices)) == words
    assert reinvestment(ticket(EXCHANGE, target_symbol="VTSAX", **choices)) == words


def test_a_sale_and_a_liquidation_take_no_reinvestment_choice() -> None:
    assert reinvestment(ticket(SELL, quantity=Decimal(1), reinvest_dividends=False)) is None
    assert reinvestment(ticket(LIQUIDATE)) is None


def test_a_stored_fund_ticket_is_told_from_an_equity_order_and_a_subscription() -> None:
    buy = ticket(BUY, quantity=Decimal(1000), quantity_qualifier=QuantityQualifier.EvenDollar)
    assert read_ticket(buy.stored()) == buy
    assert isinstance(read_ticket({"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 10}), OrderTicket)
    assert isinstance(read_ticket(OfferingTicket(offering_reference="Q-2").stored()), OfferingTicket)
    with pytest.raises(AutoSharesMalformed):
        read_ticket("VFIAX")
