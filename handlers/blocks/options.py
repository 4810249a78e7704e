"""Options in Block Kit: a contract in words, a spread leg by leg, and the chain with its
expiration picker and a Trade button per contract. Pure builders, no I/O.

A contract is shown as ``AAPL 2027-01-15 $200 call`` wherever its OCC symbol
(``AAPL270115C00200000``) would appear: in order summaries, open orders and positions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.autoshares.resources import OrderTicket, Position
from bot.core.views import ChainStrike, OptionChainView, OptionQuoteRow, OrderTerms
from bot.vocabulary.options import CONTRACT_SIZE, OptionContract, option_contract
from handlers.blocks.common import context, escape, message, section
from handlers.blocks.numbers import money, price, shares

OPTIONS_EXPIRATION = "options_expiration"
OPTIONS_TRADE = "options_trade"
#: Slack's static_select takes at most 100 options.
MAX_PICKER_OPTIONS = 100
_SIDE_WORDS = {"Buy": "Buy", "Sell": "Sell", "SellShort": "Sell", "BuyToCover": "Buy"}


def contract_words(contract: OptionContract) -> str:
    """``AAPL 2027-01-15 $200 call`` (escaped)."""
    return f"{escape(contract.underlying)} {contract.expiration:%Y-%m-%d} {price(contract.strike)} {contract.right.lower()}"


def symbol_words(symbol: str) -> str:
    """An option symbol in words, any other symbol as it is (escaped)."""
    contract = option_contract(symbol)
    return contract_words(contract) if contract is not None else escape(symbol)


def contracts(quantity: Decimal | int | None) -> str:
    count = shares(quantity)
    return f"{count} contract{'' if count == '1' else 's'}"


def option_title(order: OrderTerms) -> str | None:
    """``Buy 1 contract AAPL 2027-01-15 $200 call`` or ``Buy 1 AAPL 2027-01-15 $200/$210 call
    spread``; None for an order that is no option."""
    side = _SIDE_WORDS.get(str(order.side.value) if order.side else "", "Order")
    legs = list(getattr(order, "legs", None) or [])
    terms = [option_contract(leg.symbol) for leg in legs]
    if legs and all(terms):
        known = [t for t in terms if t is not None]
        strikes = "/".join(price(t.strike) for t in known)
        first = known[0]
        return (
            f"{side} {shares(order.quantity)} {escape(first.underlying)} {first.expiration:%Y-%m-%d} "
            f"{strikes} {first.right.lower()} spread"
        )
    contract = option_contract(order.symbol or "")
    if contract is None:
        return None
    return f"{side} {contracts(order.quantity)} {contract_words(contract)}"


def leg_lines(ticket: OrderTicket) -> list[Block]:
    """A spread leg by leg, and what one contract stands for; nothing for other orders."""
    # a bracket's legs are orders on shares, not contracts: they are no spread
    legs = [leg for leg in ticket.legs if option_contract(leg.symbol) is not None]
    if option_contract(ticket.symbol) is None and not legs:
        return []
    lines = [
        f"Leg {number}: {_SIDE_WORDS.get(leg.side.value, leg.side.value)} {contracts(leg.quantity)} "
        f"{symbol_words(leg.symbol)}"
        for number, leg in enumerate(legs, start=1)
    ]
    if legs:
        debit = ticket.side.value == "Buy"
        lines.append(f"The limit is the spread's net {'debit' if debit else 'credit'} per share.")
    lines.append(f"One contract is {shares(CONTRACT_SIZE)} shares; prices are per share.")
    return [section("\n".join(lines))]


# -- positions -----------------------------------------------------------------------------------


def position_option_words(position: Position) -> str | None:
    """An option position's contract and size in words (``AAPL 2027-01-15 $200 call · 100
    shares a contract``), from the position's own terms or its symbol; None for a share."""
    contract = option_contract(position.symbol or "")
    right = (position.underlying_option_type or "").lower()
    if contract is None and position.underlying_symbol and position.underlying_strike and right in ("call", "put"):
        expiry = position.underlying_expiration_date
        if expiry is not None:
            contract = OptionContract(position.underlying_symbol, expiry, "Call" if right == "call" else "Put", position.underlying_strike)
    if contract is None and (position.security_type or "").casefold() != "option":
        return None
    size = position.shares_per_unit if position.shares_per_unit > 1 else CONTRACT_SIZE
    what = contract_words(contract) if contract is not None else escape(position.symbol or "option")
    return f"{what} · expires {contract.expiration:%Y-%m-%d} · {shares(size)} shares a contract" if contract else what


# -- the chain -----------------------------------------------------------------------------------


def _quote_text(row: OptionQuoteRow | None, strike: Decimal, right: str) -> str:
    if row is None:
        return f"*{price(strike)} {right}*\nnot listed"
    quote = row.quote
    if quote is None:
        return f"*{price(strike)} {right}*\nno quote yet"
    return f"*{price(strike)} {right}*\nbid {price(quote.bid)} · ask {price(quote.ask)} · last {price(quote.value)}"


def _trade(row: OptionQuoteRow | None, strike: Decimal, right: str) -> ButtonElement | None:
    if row is None:
        return None
    ask = row.quote.ask if row.quote is not None else None
    value = f"{row.option.symbol} {ask if ask is not None and ask > 0 else ''}".strip()
    return ButtonElement(text=f"Trade {price(strike)} {right}", action_id=OPTIONS_TRADE, value=value)


def _strike_blocks(line: ChainStrike, central: Decimal | None) -> list[Block]:
    marker = "  ← central strike" if central is not None and line.strike == central else ""
    fields = [
        MarkdownTextObject(text=_quote_text(line.call, line.strike, "call") + marker),
        MarkdownTextObject(text=_quote_text(line.put, line.strike, "put")),
    ]
    buttons = [b for b in (_trade(line.call, line.strike, "call"), _trade(line.put, line.strike, "put")) if b]
    blocks: list[Block] = [SectionBlock(fields=fields)]
    if buttons:
        blocks.append(ActionsBlock(block_id=f"trade:{line.strike}", elements=buttons))
    return blocks


def expiration_picker(symbol: str, chosen: date, expirations: list[date]) -> StaticSelectElement:
    """The expirations to pick from; each value names the symbol and the day."""
    days = expirations[:MAX_PICKER_OPTIONS]
    if chosen not in days:
        days = [*days[: MAX_PICKER_OPTIONS - 1], chosen]
    options = [Option(text=PlainTextObject(text=f"{day:%a %Y-%m-%d}"), value=f"{symbol} {day:%Y-%m-%d}") for day in days]
    initial = next(o for o in options if o.value == f"{symbol} {chosen:%Y-%m-%d}")
    return StaticSelectElement(action_id=OPTIONS_EXPIRATION, options=options, initial_option=initial)


def chain_message(view: OptionChainView) -> dict[str, Any]:
    """The chain around the central strike for one expiration, with the expiration picker (it
    updates this message in place) and a Trade button per contract (the order ticket,
    prefilled)."""
    symbol = escape(view.symbol)
    last = f" · {symbol} last {price(view.underlying_last)}" if view.underlying_last is not None else ""
    head = SectionBlock(
        text=MarkdownTextObject(text=f":chains: *{symbol} options* expiring {view.expiration:%a %Y-%m-%d}{last}"),
        accessory=expiration_picker(view.symbol, view.expiration, list(view.expirations)),
    )
    blocks: list[Block] = [head]
    for line in view.strikes:
        blocks += _strike_blocks(line, view.central_strike)
    if not view.strikes:
        blocks.append(section("AutoShares lists no contracts for this expiration. Pick another one above."))
    delayed = " Quotes may be delayed." if view.delayed else ""
    blocks.append(
        context(
            f"Prices are per share; a contract is {shares(CONTRACT_SIZE)} shares.{delayed} "
            f"Trade opens the order ticket; nothing is placed until you preview and confirm. "
            f"Or type `/order buy 1 {symbol} {view.expiration:%Y-%m-%d} &lt;strike&gt; call`."
        )
    )
    return message(f"{view.symbol} options expiring {view.expiration:%Y-%m-%d}", blocks)


def trade_prefill(value: str) -> dict[str, str]:
    """The order ticket's fields for a Trade button: the contract, buy 1 at a limit of the ask."""
    symbol, _, ask = value.partition(" ")
    fields = {"symbol": symbol, "side": "buy", "quantity": "1"}
    if ask:
        fields |= {"type": "limit", "limit_price": ask}
    return fields


def worth_line(notional: Decimal | None) -> str:
    """What an option order is worth for the workspace's limits."""
    return f"Worth {money(notional)} counting {shares(CONTRACT_SIZE)} shares a contract."
