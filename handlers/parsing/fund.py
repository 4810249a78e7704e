"""`/fund`: mutual fund orders. `buy <FUND> $<amount>`, `sell <FUND> <shares>|$<amount>`,
`exchange <FUND> <FUND>`, `liquidate <FUND>` and `cancel <orderId>`, each with an optional
`account <id>`; a buy and an exchange also take the reinvestment choices: `reinvest` or `cash`
for dividends and capital gains together, or `dividends reinvest|cash` and
`gains reinvest|cash` for each."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from bot.core.commands import FundAction, FundCancelCommand, FundCommand, FundRequest
from bot.vocabulary.bounds import fund_amount_problem
from handlers.parsing.common import (
    _account_option,
    _identifier,
    _Invalid,
    _run,
    _show,
    _symbol,
    _tokens,
    _value_after,
)

FUND_EXAMPLE = "buy VFIAX $1000"
FUND_ACTIONS: tuple[FundAction, ...] = ("buy", "sell", "exchange", "liquidate")
_EXAMPLES: dict[str, str] = {
    "buy": "buy VFIAX $1000 reinvest",
    "sell": "sell VFIAX 10",
    "exchange": "exchange VFIAX VTSAX",
    "liquidate": "liquidate VFIAX",
    "cancel": "cancel 12345",
}
_AMOUNT_RE = re.compile(r"(\$)?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
#: Reinvestment words: reinvest the distribution, or take it in cash.
_CHOICES = {"reinvest": True, "cash": False}


def parse_fund(text: str) -> FundCommand:
    """Parse `/fund` text (see the module's docstring)."""
    return _run(_fund_from_tokens, _tokens(text), "/fund", FUND_EXAMPLE)


def _fund_from_tokens(tokens: list[str]) -> FundCommand:
    if not tokens:
        raise _Invalid("Say what to do with which fund: buy, sell, exchange, liquidate or cancel")
    verb, rest = tokens[0].lower(), tokens[1:]
    if verb == "cancel":
        if not rest:
            raise _Invalid("Say which fund order to cancel by its id", example=_EXAMPLES["cancel"])
        order_id = _identifier(rest[0], "order id")
        return FundCancelCommand(
            order_id, _account_option(rest[1:], "the order id", "cancel 12345 account 12")
        )
    if verb not in FUND_ACTIONS:
        raise _Invalid(
            f"{_show(tokens[0])} is not a fund action; start with buy, sell, exchange, liquidate or cancel"
        )
    example = _EXAMPLES[verb]
    if not rest:
        raise _Invalid(f"Say which fund to {verb}", example=example)
    symbol = _symbol(rest[0])
    request = FundRequest(action=verb, symbol=symbol)  # type: ignore[arg-type]  # checked above
    options = rest[1:]
    if verb == "exchange":
        if not options:
            raise _Invalid("Say which fund to exchange into after the first", example=example)
        target = _symbol(options[0])
        if target == symbol:
            raise _Invalid("Exchange into a different fund than the one you sell", example=example)
        request, options = replace(request, target=target), options[1:]
    if verb in ("buy", "sell"):
        if not options:
            raise _Invalid(f"Say how much to {verb} after the fund", example=example)
        request, options = _with_amount(request, options[0]), options[1:]
    return _with_options(request, options, example)


def _with_amount(request: FundRequest, token: str) -> FundRequest:
    """`$1000` (dollars) or `10` (shares; sells only)."""
    example = _EXAMPLES[request.action]
    match = _AMOUNT_RE.fullmatch(token)
    if match is None:
        raise _Invalid(
            f"The amount must be dollars such as $1000 or shares such as 10, not {_show(token)}",
            example=example,
        )
    dollars = bool(match.group(1))
    if request.action == "buy" and not dollars:
        raise _Invalid(f"Buy a fund by a dollar amount such as $1000, not {_show(token)}", example=example)
    value = Decimal(match.group(2))
    problem = fund_amount_problem(value, dollars=dollars)
    if problem is not None:
        what = "dollar amount" if dollars else "number of shares"
        raise _Invalid(f"The {what} {problem}, not {_show(token)}", example=example)
    return replace(request, dollars=value) if dollars else replace(request, shares=value)


@dataclass
class _Choices:
    dividends: bool | None = None
    gains: bool | None = None


def _with_options(request: FundRequest, options: list[str], example: str) -> FundRequest:
    """Apply `account <id>` and the reinvestment choices (each at most once, any order)."""
    choices = _Choices()
    account: int | None = None
    index = 0
    while index < len(options):
        word = options[index].lower()
        if word == "account":
            if account is not None:
                raise _Invalid("`account` appears twice; give each option once", example=example)
            value = _value_after(options, index, word, "an account id", f"{example} account 12")
            account = _identifier(value, "account id")
            index += 2
            continue
        if word in _CHOICES or word in ("dividends", "gains"):
            _refuse_choices_for(request, example)
            index = _choose(choices, options, index, example)
            continue
        if _AMOUNT_RE.fullmatch(word) and request.action in ("exchange", "liquidate"):
            raise _Invalid(
                f"{_show(options[index])}: AutoShares {request.action}s your whole holding of "
                f"{request.symbol} and takes no amount; to move part of it, sell that amount first",
                example=example,
            )
        raise _Invalid(
            f"{_show(options[index])} is not understood here; use account, reinvest or cash", example=example
        )
    return replace(
        request, reinvest_dividends=choices.dividends, reinvest_gains=choices.gains, account_id=account
    )


def _refuse_choices_for(request: FundRequest, example: str) -> None:
    if request.action not in ("buy", "exchange"):
        raise _Invalid(
            f"Reinvestment choices apply to a buy or an exchange, not to a {request.action}", example=example
        )


def _choose(choices: _Choices, options: list[str], index: int, example: str) -> int:
    """One reinvestment choice at ``index``; returns the index after it."""
    word = options[index].lower()
    if word in _CHOICES:  # both distributions at once
        if choices.dividends is not None or choices.gains is not None:
            raise _Invalid("Choose reinvest or cash once for each of dividends and gains", example=example)
        choices.dividends = choices.gains = _CHOICES[word]
        return index + 1
    value = _value_after(options, index, word, "reinvest or cash", f"{example} {word} cash").lower()
    if value not in _CHOICES:
        raise _Invalid(
            f"{_show(options[index + 1])} after {word} must be reinvest or cash",
            example=f"{example} {word} cash",
        )
    if getattr(choices, word) is not None:
        raise _Invalid("Choose reinvest or cash once for each of dividends and gains", example=example)
    setattr(choices, word, _CHOICES[value])
    return index + 2
