"""Options in words and Block Kit: the order body and its value (core), summaries, legs, the chain
and option positions (blocks)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.autoshares.resources import (
    OptionChainExpiration,
    OptionSecurity,
    OrderPreview,
    OrderTicket,
    Position,
    Quote,
)
from bot.core.options import around_central, choose_expiration, option_notional, option_order_body
from bot.core.portfolio import holdings_day_change
from bot.core.views import ChainStrike, OptionChainView, OptionQuoteRow
from bot.devkit.blockkit import problems
from bot.vocabulary.options import option_contract
from handlers.blocks.options import chain_message, leg_lines, position_option_words, trade_prefill
from handlers.blocks.order import large_order_view, order_summary
from handlers.parsing import parse_order

DAY = date(2027, 1, 15)


def test_option_symbols_read_back_to_their_contract() -> None:
    contract = option_contract("AAPL  270115P00172500")
    assert contract is not None and (contract.underlying, contract.expiration, contract.right) == ("AAPL", DAY, "Put")
    assert contract.strike == Decimal("172.5") and contract.symbol == "AAPL270115P00172500"
    assert option_contract("AAPL") is None and option_contract("AAPL271315C00200000") is None


def test_bodies_and_values_count_the_contract_size() -> None:
    single = parse_order("buy 2 AAPL 2027-01-15 200 call limit 5.10")
    body = option_order_body(single)
    assert body == {
        "Symbol": "AAPL270115C00200000",
        "Side": "Buy",
        "Type": "Limit",
        "Quantity": 2,
        "TimeInforce": "Day",
        "Price": 5.1,
    }
    assert option_notional(single, None) == Decimal("1020.0000")
    spread = parse_order("spread AAPL 2027-01-15 buy 200 call sell 210 call limit 3.20")
    body = option_order_body(spread, client_id="c-1")
    assert (body["Symbol"], body["Side"], body["Price"], body["ClientId"]) == ("AAPL", "Buy", 3.2, "c-1")
    assert [(leg["Symbol"], leg["Side"], leg["Quantity"]) for leg in body["Legs"]] == [
        ("AAPL270115C00200000", "Buy", 1),
        ("AAPL270115C00210000", "Sell", 1),
    ]
    assert option_notional(spread, None) == Decimal("320.0000")
    credit = parse_order("spread 2 AAPL 2027-01-15 sell 200 call buy 210 call limit 6")
    assert option_notional(credit, None) == Decimal("2000.0000")  # the strikes' width is at risk
    market = parse_order("buy 1 AAPL 2027-01-15 200 call")
    preview = OrderPreview.model_validate({"Quotes": [{"Last": 31.5}]})
    assert option_notional(market, preview, Decimal(10)) == Decimal("315.0000")
    assert option_notional(market, OrderPreview()) is None  # no price: over any value limit


def test_summaries_and_legs_speak_of_contracts() -> None:
    single = OrderTicket.read(option_order_body(parse_order("sell 1 AAPL 2027-01-15 200 call limit 5.10")))
    assert order_summary(single) == "*Sell 1 contract AAPL 2027-01-15 $200.00 call* · limit $5.10 · day"
    spread = OrderTicket.read(option_order_body(parse_order("spread AAPL 2027-01-15 buy 200 put sell 190 put limit 3.2")))
    assert order_summary(spread).startswith("*Buy 1 AAPL 2027-01-15 $200.00/$190.00 put spread* · limit $3.20")
    [lines] = leg_lines(spread)
    text = lines.to_dict()["text"]["text"]
    assert text.splitlines()[:3] == [
        "Leg 1: Buy 1 contract AAPL 2027-01-15 $200.00 put",
        "Leg 2: Sell 1 contract AAPL 2027-01-15 $190.00 put",
        "The limit is the spread's net debit per share.",
    ]
    assert leg_lines(OrderTicket.read({"Symbol": "AAPL", "Side": "Buy", "Type": "Market", "Quantity": 1})) == []
    large = large_order_view(pending_id="p", order=single, notional=Decimal(51000), response_url=None, channel_id=None)
    assert '"symbol":"AAPL"' in large["private_metadata"]  # the underlying is typed, not the OCC symbol


def _row(symbol: str, option_id: int, bid: float, ask: float) -> OptionQuoteRow:
    option = OptionSecurity.model_validate({"Id": option_id, "Symbol": symbol})
    return OptionQuoteRow(option, Quote.model_validate({"Bid": bid, "Ask": ask, "Last": (bid + ask) / 2}))


def test_the_chain_has_a_picker_and_a_trade_button_per_contract() -> None:
    strikes = [
        ChainStrike(Decimal(s), _row(f"AAPL270115C00{s}000", s, 4.9, 5.1), _row(f"AAPL270115P00{s}000", s + 1, 2.0, 2.2))
        for s in (220, 225, 230)
    ]
    view = OptionChainView("AAPL", DAY, [date(2026, 12, 18), DAY], strikes, Decimal(225), Decimal("229.5"), None)
    message = chain_message(view)
    assert problems(message["blocks"]) == []
    head = message["blocks"][0]
    assert head["accessory"]["initial_option"]["value"] == "AAPL 2027-01-15"
    assert [o["value"] for o in head["accessory"]["options"]] == ["AAPL 2026-12-18", "AAPL 2027-01-15"]
    text = str(message["blocks"])
    assert "AAPL last $229.50" in text and "*$225.00 call*" in text and "central strike" in text
    assert "bid $4.90 · ask $5.10 · last $5.00" in text
    trades = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [t["value"] for t in trades][:2] == ["AAPL270115C00220000 5.1", "AAPL270115P00220000 2.2"]
    assert trade_prefill("AAPL270115C00220000 5.1") == {
        "symbol": "AAPL270115C00220000",
        "side": "buy",
        "quantity": "1",
        "type": "limit",
        "limit_price": "5.1",
    }


def test_the_chain_keeps_the_strikes_around_the_central_one() -> None:
    options = [
        {"Id": i, "Symbol": f"X{i}", "OptionType": right, "StrikePrice": strike, "ExpirationDate": "2027-01-15T00:00:00Z"}
        for i, (strike, right) in enumerate((s, r) for s in range(100, 200, 5) for r in ("Call", "Put"))
    ]
    block = OptionChainExpiration.model_validate({"CentralStrike": 150, "Options": options})
    central, rows = around_central(block, "X", each_side=2)
    assert central == 150 and [row[0] for row in rows] == [140, 145, 150, 155, 160]
    assert choose_expiration("X", [date(2026, 1, 16), DAY], None, date(2026, 6, 1)) == DAY


def test_an_option_position_names_its_contract_expiry_and_size() -> None:
    position = Position.model_validate(
        {
            "SecurityId": 9,
            "Symbol": "AAPL270115C00200000",
            "SecurityType": "Option",
            "ContractSize": 100,
            "UnderlyingExpirationDate": 1800000000,
        }
    )
    assert position_option_words(position) == "AAPL 2027-01-15 $200.00 call · expires 2027-01-15 · 100 shares a contract"
    assert position_option_words(Position.model_validate({"SecurityId": 1, "Symbol": "AAPL"})) is None


def test_a_days_change_counts_the_shares_a_contract_stands_for() -> None:
    option = Position.model_validate({"SecurityId": 9, "Quantity": 2, "SecurityType": "Option"})
    share = Position.model_validate({"SecurityId": 1, "Quantity": 2, "ContractSize": 1})
    quotes = {9: Quote.model_validate({"Change": 0.5}), 1: Quote.model_validate({"Change": 0.5})}
    assert holdings_day_change([option], quotes) == Decimal("100.00")
    assert holdings_day_change([share], quotes) == Decimal("1.00")
