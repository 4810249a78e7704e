"""Options: `/options AAPL [2027-01-15]` (the chain), and the option forms of `/order`: one
contract (`buy 1 AAPL 2027-01-15 200 call limit 5.10`) or a vertical spread (`spread AAPL
2027-01-15 buy 200 call sell 210 call limit 3.20`). The order ticket reads an option symbol
(`AAPL270115C00200000`, what the chain's Trade button fills in) with the same rules."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from bot.core.commands import OptionChainRequest, OptionLeg, OptionOrderRequest, Side, TimeInForce
from bot.vocabulary.options import MAX_CONTRACTS, OptionContract, OptionRight, option_contract, strike_problem
from handlers.parsing.common import (
    ParseError,
    _identifier,
    _Invalid,
    _price,
    _run,
    _show,
    _symbol,
    _tokens,
    _value_after,
)

OPTIONS_EXAMPLE = "AAPL 2027-01-15"
OPTION_ORDER_EXAMPLE = "buy 1 AAPL 2027-01-15 200 call limit 5.10"
SPREAD_EXAMPLE = "spread AAPL 2027-01-15 buy 200 call sell 210 call limit 3.20"

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RIGHTS: dict[str, OptionRight] = {"call": "Call", "calls": "Call", "put": "Put", "puts": "Put"}
_LEG_SIDES: dict[str, Side] = {"buy": "Buy", "sell": "Sell"}
_TIME_IN_FORCE: dict[str, TimeInForce] = {"day": "Day", "gtc": "GoodTillCancel"}


def parse_options(text: str) -> OptionChainRequest:
    """Parse `/options` text: `<SYMBOL> [YYYY-MM-DD]`."""
    return _run(_chain_from_tokens, _tokens(text), "/options", OPTIONS_EXAMPLE)


def looks_like_date(token: str) -> bool:
    """Whether a token is written as a date (`2027-01-15`): the mark of an option order."""
    return _DATE_RE.fullmatch(token) is not None


def _chain_from_tokens(tokens: list[str]) -> OptionChainRequest:
    if not tokens:
        raise _Invalid("Say which underlying symbol's options to show")
    symbol = _symbol(tokens[0])
    if len(tokens) == 1:
        return OptionChainRequest(symbol)
    if len(tokens) > 2:
        raise _Invalid(f"{_show(tokens[2])} is not understood after the expiration")
    return OptionChainRequest(symbol, _expiration(tokens[1]))


def _expiration(token: str, example: str | None = None) -> date:
    """An expiration date written YYYY-MM-DD."""
    if looks_like_date(token):
        try:
            return date.fromisoformat(token)
        except ValueError:
            pass
    raise _Invalid(
        f"The expiration must be a date such as 2027-01-15, not {_show(token)}",
        example=example,
        field="expiration",
    )


def _contracts(token: str) -> int:
    """A whole, positive number of contracts, at most MAX_CONTRACTS."""
    if not token.isdigit() or not token.isascii() or not token.strip("0"):
        raise _Invalid(
            f"Quantity must be a whole number of contracts above zero, not {_show(token)}", field="quantity"
        )
    if len(token.lstrip("0")) > len(str(MAX_CONTRACTS)) or int(token) > MAX_CONTRACTS:
        raise _Invalid(
            f"An option order can be for at most {MAX_CONTRACTS:,} contracts, not {_show(token)}",
            field="quantity",
        )
    return int(token)


def _strike(token: str) -> Decimal:
    value = _price(token, "strike", "strike")
    problem = strike_problem(value)
    if problem is not None:
        raise _Invalid(f"The strike {problem}, not {_show(token)}", field="strike")
    return value


def _right(token: str | None, example: str) -> OptionRight:
    right = _RIGHTS.get((token or "").lower())
    if right is None:
        shown = f", not {_show(token)}" if token else ""
        raise _Invalid(f"Say call or put after the strike{shown}", example=example)
    return right


def option_order_from_tokens(side: Side, quantity_token: str, tokens: list[str]) -> OptionOrderRequest:
    """`<side> <qty> <SYMBOL> <YYYY-MM-DD> <strike> call|put [limit <price>] [day|gtc]
    [account <id>]`, from the quantity on (the order grammar saw the date after the symbol).
    Every problem's example is an option order's."""
    try:
        return _option_order(side, quantity_token, tokens)
    except _Invalid as invalid:
        invalid.example = invalid.example or OPTION_ORDER_EXAMPLE
        raise


def _option_order(side: Side, quantity_token: str, tokens: list[str]) -> OptionOrderRequest:
    if side not in _LEG_SIDES.values():
        raise _Invalid("Options are bought or sold: start with buy or sell", example=OPTION_ORDER_EXAMPLE)
    quantity = _contracts(quantity_token)
    underlying, expiration = _symbol(tokens[0]), _expiration(tokens[1], OPTION_ORDER_EXAMPLE)
    if len(tokens) < 3:
        raise _Invalid("Add the strike and call or put after the expiration", example=OPTION_ORDER_EXAMPLE)
    strike = _strike(tokens[2])
    right = _right(tokens[3] if len(tokens) > 3 else None, OPTION_ORDER_EXAMPLE)
    leg = OptionLeg(side, OptionContract(underlying, expiration, right, strike))
    return _with_terms(underlying, quantity, (leg,), tokens[4:], OPTION_ORDER_EXAMPLE)


def option_symbol_order(side: Side, quantity_token: str, tokens: list[str]) -> OptionOrderRequest:
    """`<side> <qty> <OPTION SYMBOL> [limit <price>] [day|gtc] [account <id>]`: one contract
    named by its option symbol (as the chain shows it), from the quantity on."""
    try:
        if side not in _LEG_SIDES.values():
            raise _Invalid("Options are bought or sold: start with buy or sell")
        quantity = _contracts(quantity_token)
        contract = option_contract(tokens[0])
        assert contract is not None, "the order grammar saw an option symbol"
        problem = strike_problem(contract.strike)
        if problem is not None:
            raise _Invalid(f"The strike {problem}, not {_show(tokens[0])}", field="strike")
        leg = OptionLeg(side, contract)
        return _with_terms(contract.underlying, quantity, (leg,), tokens[1:], OPTION_ORDER_EXAMPLE)
    except _Invalid as invalid:
        invalid.example = invalid.example or OPTION_ORDER_EXAMPLE
        raise


def spread_from_tokens(tokens: list[str]) -> OptionOrderRequest:
    """`spread [<qty>] <SYMBOL> <YYYY-MM-DD> buy <strike> call|put sell <strike> call|put
    [limit <price>] [day|gtc] [account <id>]`: a vertical (one expiration, one right, two
    strikes), bought and sold in one order. Every problem's example is a spread's."""
    try:
        return _spread(tokens)
    except _Invalid as invalid:
        invalid.example = invalid.example or SPREAD_EXAMPLE
        raise


def _spread(tokens: list[str]) -> OptionOrderRequest:
    quantity = 1
    if tokens and tokens[0].isdigit():
        quantity, tokens = _contracts(tokens[0]), tokens[1:]
    if len(tokens) < 2:
        raise _Invalid("Say the underlying symbol and the expiration after spread", example=SPREAD_EXAMPLE)
    underlying, expiration = _symbol(tokens[0]), _expiration(tokens[1], SPREAD_EXAMPLE)
    legs: list[OptionLeg] = []
    rest = tokens[2:]
    while len(legs) < 2:
        side = _LEG_SIDES.get(rest[0].lower()) if rest else None
        if side is None:
            shown = f", not {_show(rest[0])}" if rest else ""
            raise _Invalid(
                f"A spread needs two legs, each buy or sell, a strike and call or put{shown}",
                example=SPREAD_EXAMPLE,
            )
        if len(rest) < 2:
            raise _Invalid(f"Add the strike after {rest[0].lower()}", example=SPREAD_EXAMPLE)
        contract = OptionContract(
            underlying,
            expiration,
            _right(rest[2] if len(rest) > 2 else None, SPREAD_EXAMPLE),
            _strike(rest[1]),
        )
        legs.append(OptionLeg(side, contract))
        rest = rest[3:]
    bought, sold = legs
    if bought.side == sold.side:
        raise _Invalid("A spread buys one leg and sells the other", example=SPREAD_EXAMPLE)
    if bought.contract.right != sold.contract.right or bought.contract.strike == sold.contract.strike:
        raise _Invalid(
            "A vertical spread takes two calls or two puts at different strikes", example=SPREAD_EXAMPLE
        )
    return _with_terms(underlying, quantity, (bought, sold), rest, SPREAD_EXAMPLE)


def _with_terms(
    underlying: str, quantity: int, legs: tuple[OptionLeg, ...], options: list[str], example: str
) -> OptionOrderRequest:
    """Apply `limit <price>`, `day|gtc` and `account <id>` (each at most once, any order)."""
    limit: Decimal | None = None
    time_in_force: TimeInForce | None = None
    account: int | None = None
    index = 0
    while index < len(options):
        word = options[index].lower()
        if word == "limit" and limit is None:
            limit = _price(
                _value_after(options, index, word, "a price", example), "limit price", "limit_price"
            )
            index += 1
        elif word == "account" and account is None:
            value = _value_after(options, index, word, "an account id", example)
            account = _identifier(value, "account id", "account")
            index += 1
        elif word in _TIME_IN_FORCE and time_in_force is None:
            time_in_force = _TIME_IN_FORCE[word]
        elif word in ("limit", "account", *_TIME_IN_FORCE):
            raise _Invalid(f"{_show(word)} appears twice; give each option once", example=example)
        else:
            raise _Invalid(
                f"{_show(options[index])} is not an option order term; use limit, day, gtc or account",
                example=example,
            )
        index += 1
    if limit is None and time_in_force == "GoodTillCancel":
        raise _Invalid(
            "Market orders cannot be good-till-cancel; add a limit price or use day", example=example
        )
    return OptionOrderRequest(
        underlying=underlying,
        quantity=quantity,
        legs=legs,
        order_type="Limit" if limit is not None else "Market",
        limit_price=limit,
        time_in_force=time_in_force or "Day",
        account_id=account,
    )


_FIELD_SIDES: dict[str, Side] = {"buy": "Buy", "sell": "Sell"}


def option_order_from_fields(fields: Mapping[str, str | None]) -> OptionOrderRequest:
    """The order ticket with an option symbol in its symbol field (the chain's Trade button):
    side buy or sell, contracts, market or limit, day or good-till-cancel, account."""
    try:
        return _option_from_fields(fields)
    except _Invalid as invalid:
        raise ParseError(f"{invalid.problem}.", field=invalid.field) from None


def _option_from_fields(fields: Mapping[str, str | None]) -> OptionOrderRequest:
    def get(name: str) -> str:
        value = fields.get(name)
        return "" if value is None else str(value).strip()

    contract = option_contract(get("symbol"))
    if contract is None:
        raise _Invalid("Enter an option symbol such as AAPL270115C00200000", field="symbol")
    side = _FIELD_SIDES.get(get("side").lower())
    if side is None:
        raise _Invalid("Choose buy or sell for an option", field="side")
    if not get("quantity"):
        raise _Invalid("Enter a quantity, a whole number of contracts above zero", field="quantity")
    quantity = _contracts(get("quantity"))
    if get("stop_price") or get("type").lower().replace(" ", "") in ("stop", "stoplimit"):
        raise _Invalid("Option orders are market or limit orders; clear the stop price", field="stop_price")
    if get("extended_hours").lower() not in ("", "false", "no", "off", "0"):
        raise _Invalid("Options trade in regular hours only; turn extended hours off", field="extended_hours")
    terms: list[str] = []
    if get("limit_price"):
        terms += ["limit", get("limit_price")]
    elif get("type").lower() == "limit":
        raise _Invalid("A limit order needs a limit price", field="limit_price")
    if get("time_in_force").lower() in ("gtc", "goodtillcancel"):
        terms.append("gtc")
    if get("account"):
        terms += ["account", get("account")]
    return _with_terms(
        contract.underlying, quantity, (OptionLeg(side, contract),), terms, OPTION_ORDER_EXAMPLE
    )
