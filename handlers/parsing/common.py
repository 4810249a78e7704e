"""What every grammar of the package shares: the error a user sees, tokens, safe echoing of
what they typed, and the primitives (quantity, price, symbol, id, expiry) read by the vocabulary's
rules (``bot.vocabulary``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

from bot.vocabulary.bounds import (
    MAX_ALERT_EXPIRY,
    MAX_QUANTITY,
    MIN_ALERT_EXPIRY,
    price_problem,
)
from bot.vocabulary.ids import autoshares_id
from bot.vocabulary.symbols import symbol_of


class ParseError(ValueError):
    """Command text or form input that does not fit the grammar.

    `str(error)` is one sentence fit to show the user as is (already Slack-escaped); `field`
    names the offending modal field (e.g. `"quantity"`) so a view handler can attach the
    message to the right input block, or is None when no single field is at fault.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------- errors and text


class _Invalid(Exception):
    """Internal: a problem found while parsing, turned into a ParseError by the public parser.

    Kept separate so the same rule can end in "Try `/order ...`" for a command and in a bare
    sentence for a modal field.
    """

    def __init__(self, problem: str, *, example: str | None = None, field: str | None = None):
        super().__init__(problem)
        self.problem = problem
        self.example = example
        self.field = field


_T = TypeVar("_T")


def _run(parse: Callable[[list[str]], _T], tokens: list[str], command: str, example: str) -> _T:
    """Apply a grammar to tokens, turning its problems into a ParseError for `command`."""
    try:
        return parse(tokens)
    except _Invalid as invalid:
        shown = f"{command} {invalid.example or example}".strip()
        raise ParseError(f"{invalid.problem}. Try `{shown}`.", field=invalid.field) from None


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _tokens(text: str) -> list[str]:
    """Split command text into tokens after undoing Slack's `&amp;`/`&lt;`/`&gt;` escaping.

    Any Unicode whitespace separates tokens (mobile clients send non-breaking spaces), zero-width
    characters are dropped, and `>=`/`<=` become tokens of their own because `AAPL >=200` is
    too natural to refuse.
    """
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = text.translate(_ZERO_WIDTH)
    # A mention's label may hold spaces (`<@U123|Jane Doe>`): only the id matters.
    text = _MENTION_LABEL_RE.sub(r"<\1>", text)
    return re.sub(r"(>=|<=|≥|≤)", r" \1 ", text).split()


_MAX_SHOWN = 24
_MENTION_LABEL_RE = re.compile(r"<([@#][A-Z0-9]{2,20})\|[^<>]*>")


def _show(token: str) -> str:
    """A user's token made safe to echo: short, in a code span, Slack-escaped, mention-proof."""
    if len(token) > _MAX_SHOWN:
        token = token[: _MAX_SHOWN - 1] + "…"
    token = "".join(ch if ch.isprintable() else "?" for ch in token).replace("`", "'")
    token = token.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after `@` keeps `@channel` or `@here` from ever being a mention.
    token = token.replace("@", "@\u200b")
    return f"`{token}`"


# --------------------------------------------------------------------------- primitives

_DIGITS_RE = re.compile(r"[0-9]+")
_PRICE_RE = re.compile(r"\$?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_EXPIRY_RE = re.compile(r"([0-9]{1,7})([mhdw])", re.IGNORECASE)
_EXPIRY_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _quantity(token: str) -> int:
    """A whole, positive number of shares no larger than MAX_QUANTITY."""
    if not _DIGITS_RE.fullmatch(token) or not token.strip("0"):
        raise _Invalid(
            f"Quantity must be a whole number of shares above zero, not {_show(token)}",
            field="quantity",
        )
    if len(token.lstrip("0")) > len(str(MAX_QUANTITY)) or int(token) > MAX_QUANTITY:
        raise _Invalid(
            f"Quantity can be at most {MAX_QUANTITY:,} shares, not {_show(token)}",
            field="quantity",
        )
    return int(token)


def _price(token: str, what: str, field: str) -> Decimal:
    """A price (optional leading `$`) by the vocabulary's rule (``price_problem``)."""
    match = _PRICE_RE.fullmatch(token)
    if match is None:
        raise _Invalid(
            f"The {what} must be a number above zero such as 180.50, not {_show(token)}",
            field=field,
        )
    value = Decimal(match.group(1))
    problem = price_problem(value)
    if problem is not None:
        raise _Invalid(f"The {what} {problem}, not {_show(token)}", field=field)
    return value


def _symbol(token: str, field: str = "symbol") -> str:
    """An upper-cased ticker; a leading `$` (cashtag) is allowed and dropped."""
    symbol = symbol_of(token[1:] if token.startswith("$") else token)
    if symbol is None:
        raise _Invalid(
            f"{_show(token)} is not a valid symbol; use a ticker such as AAPL or BRK.B",
            field=field,
        )
    return symbol


def _identifier(token: str, what: str, field: str | None = None) -> int:
    """An AutoShares id (account, order, alert) by the vocabulary's rule (``autoshares_id``)."""
    identifier = autoshares_id(token)
    if identifier is None:
        raise _Invalid(f"The {what} must be a whole number such as 12, not {_show(token)}", field=field)
    return identifier


def _expiry(token: str) -> timedelta:
    """`<N>m|h|d|w` within MIN_ALERT_EXPIRY..MAX_ALERT_EXPIRY."""
    match = _EXPIRY_RE.fullmatch(token)
    if match is None:
        raise _Invalid(
            f"The expiry must be a number followed by m, h, d or w such as 2d, not {_show(token)}",
            example="AAPL above 200 expires 2d",
        )
    expires_in = timedelta(**{_EXPIRY_UNITS[match.group(2).lower()]: int(match.group(1))})
    if not MIN_ALERT_EXPIRY <= expires_in <= MAX_ALERT_EXPIRY:
        raise _Invalid(
            f"An alert can expire after 1 minute at the soonest and 365 days at the latest, "
            f"not {_show(token)}",
            example="AAPL above 200 expires 2d",
        )
    return expires_in


def _value_after(tokens: list[str], index: int, keyword: str, needs: str, example: str) -> str:
    """The token following a keyword such as `limit`, or a problem saying what it needs."""
    if index + 1 >= len(tokens):
        raise _Invalid(f"{_show(keyword)} needs {needs} after it", example=example)
    return tokens[index + 1]


def _account_option(tokens: list[str], after: str, example: str) -> int | None:
    """An optional trailing `account <id>`, the only option list, cancel and positions take."""
    if not tokens:
        return None
    if tokens[0].lower() != "account":
        raise _Invalid(f"{_show(tokens[0])} is not understood after {after}", example=example)
    try:
        account = _identifier(_value_after(tokens, 0, "account", "an account id", example), "account id")
    except _Invalid as invalid:  # the command's own example, not the bare help
        raise _Invalid(invalid.problem, example=invalid.example or example, field=invalid.field) from None
    if len(tokens) > 2:
        raise _Invalid(f"{_show(tokens[2])} is not understood after the account id", example=example)
    return account
