"""`/alert`: price levels, percent moves, expiry and repeats; list, delete and deliver."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from bot.core.commands import (
    AlertCommand,
    AlertDeleteCommand,
    AlertDeliverCommand,
    AlertDirection,
    AlertEditCommand,
    AlertField,
    AlertListCommand,
    AlertMoveRequest,
    AlertOperator,
    AlertRequest,
)
from bot.vocabulary.bounds import (
    DEFAULT_REPEAT_EVERY,
    MAX_MOVE_PERCENT,
    MAX_MOVE_PLACES,
    MAX_REPEAT_EVERY,
    MIN_REPEAT_EVERY,
    decimal_places,
)
from handlers.parsing.common import (
    _EXPIRY_RE,
    _EXPIRY_UNITS,
    ParseError,
    _expiry,
    _identifier,
    _Invalid,
    _price,
    _run,
    _show,
    _symbol,
    _tokens,
    _value_after,
)

ALERT_EXAMPLE = "AAPL above 200"


def parse_alert(text: str) -> AlertCommand:
    """Parse `/alert` text: `<SYMBOL> above|below <price>` or `<SYMBOL> moves|up|down <n>%`, then
    `[last|bid|ask] [expires 2d] [repeat] [every 1h]`; `list`, `delete <id>`, `deliver dm|channel`."""
    return _run(_alert_from_tokens, _tokens(text), "/alert", ALERT_EXAMPLE)


# --------------------------------------------------------------------------- alerts

_OPERATORS: dict[str, AlertOperator] = {
    "above": "GTEQ",
    ">=": "GTEQ",
    "≥": "GTEQ",
    "below": "LTEQ",
    "<=": "LTEQ",
    "≤": "LTEQ",
}
_ALERT_FIELDS: dict[str, AlertField] = {"last": "Last", "bid": "Bid", "ask": "Ask"}


_DIRECTIONS: dict[str, AlertDirection] = {"moves": "moves", "move": "moves", "up": "up", "down": "down"}
_DELIVERIES = ("dm", "channel")
_PERCENT_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)%?")
_MOVE_EXAMPLE = "AAPL moves 5%"
_REPEAT_EXAMPLE = "AAPL above 200 repeat every 1h"


def _alert_from_tokens(tokens: list[str]) -> AlertCommand:
    """The `/alert` grammar over whitespace-separated tokens."""
    if not tokens:
        raise _Invalid("Say which symbol to watch, above or below, and a price")
    verb, rest = tokens[0].lower(), tokens[1:]
    if verb == "list":
        if rest:
            raise _Invalid(f"{_show(rest[0])} is not understood after list", example="list")
        return AlertListCommand()
    if verb == "delete":
        if not rest:
            raise _Invalid("Say which alert to delete by its id", example="delete 42")
        if len(rest) > 1:
            raise _Invalid(f"{_show(rest[1])} is not understood after the id", example="delete 42")
        return AlertDeleteCommand(_identifier(rest[0], "alert id"))
    if verb == "edit":
        return _edit_from_tokens(rest)
    if verb == "deliver":
        if len(rest) != 1 or rest[0].lower() not in _DELIVERIES:
            raise _Invalid("Say where your alerts' triggers go: dm or channel", example="deliver dm")
        return AlertDeliverCommand("dm" if rest[0].lower() == "dm" else "channel")
    symbol = _symbol(tokens[0])
    if not rest:
        raise _Invalid("Say above or below and a price after the symbol")
    direction = _DIRECTIONS.get(rest[0].lower())
    operator = _OPERATORS.get(rest[0].lower())
    if operator is None and direction is None:
        raise _Invalid(f"{_show(rest[0])} is not a direction; use above, below, moves, up or down")
    if len(rest) < 2:
        needs = "the percent" if direction else "the price"
        raise _Invalid(f"Add {needs} after {_show(rest[0])}", example=_MOVE_EXAMPLE if direction else None)
    options = rest[2:]
    percent: Decimal | None = None
    price: Decimal | None = None
    if direction is not None:
        percent_token = rest[1]
        if options and options[0] == "%":  # `5 %`
            options = options[1:]
            percent_token += "%"
        percent = _percent(percent_token)
    else:
        price = _price(rest[1], "alert price", "price")

    field, expires_in, repeat_every = _alert_options(options, "percent" if direction else "price")
    if direction is not None and percent is not None:
        return AlertMoveRequest(symbol, direction, percent, field, expires_in, repeat_every)
    assert operator is not None and price is not None
    return AlertRequest(symbol, operator, price, field, expires_in, repeat_every)


def _alert_options(options: list[str], after: str) -> tuple[AlertField, timedelta | None, timedelta | None]:
    """A new alert's options, each at most once: the field watched (last, bid or ask), ``expires
    <time>``, ``repeat`` and ``every <cool-down>``. ``after`` names what they follow (price or
    percent) in the error."""
    field: AlertField = "Last"
    expires_in: timedelta | None = None
    repeat_every: timedelta | None = None
    seen: set[str] = set()
    index = 0
    while index < len(options):
        word = options[index].lower()
        group = "field" if word in _ALERT_FIELDS else word
        if group in seen:
            raise _Invalid(
                "Choose last, bid or ask once"
                if group == "field"
                else f"{_show(word)} appears twice; give it once"
            )
        seen.add(group)
        if word in _ALERT_FIELDS:
            field = _ALERT_FIELDS[word]
        elif word == "expires":
            example = "AAPL above 200 expires 2d"
            expires_in = _expiry(_value_after(options, index, word, "a time such as 2d", example))
            index += 1
        elif word == "repeat":
            repeat_every = repeat_every or DEFAULT_REPEAT_EVERY
        elif word == "every":
            cool_down = _value_after(options, index, word, "a cool-down such as 1h", _REPEAT_EXAMPLE)
            repeat_every = _repeat_every(cool_down)
            index += 1
        else:
            raise _Invalid(
                f"{_show(options[index])} is not an alert option; after the "
                f"{after} use last, bid, ask, expires, repeat or every"
            )
        index += 1
    return field, expires_in, repeat_every


_EDIT_EXAMPLE = "edit 42 above 240"


def _edit_from_tokens(rest: list[str]) -> AlertEditCommand:
    """`edit <id> above|below <price> [last|bid|ask] [expires 2d]`."""
    if not rest:
        raise _Invalid(
            "Say which alert to edit by its id, then above or below and a price", example=_EDIT_EXAMPLE
        )
    try:  # a bad id or price is answered with the edit's example, not a new alert's
        alert_id = _identifier(rest[0], "alert id")
        if len(rest) < 3:
            raise _Invalid("Say above or below and the new price after the id")
        operator = _OPERATORS.get(rest[1].lower())
        if operator is None:
            raise _Invalid(f"{_show(rest[1])} is not a direction; use above or below")
        price = _price(rest[2], "alert price", "price")
    except _Invalid as invalid:
        raise _Invalid(invalid.problem, example=invalid.example or _EDIT_EXAMPLE, field=invalid.field) from None
    field: AlertField | None = None
    expires_in: timedelta | None = None
    options = rest[3:]
    index = 0
    while index < len(options):
        word = options[index].lower()
        if word in _ALERT_FIELDS and field is None:
            field = _ALERT_FIELDS[word]
        elif word == "expires" and expires_in is None:
            example = "edit 42 above 240 expires 2d"
            expires_in = _expiry(_value_after(options, index, word, "a time such as 2d", example))
            index += 1
        else:
            raise _Invalid(
                f"{_show(options[index])} is not understood here; after the price use last, bid, ask or expires once",
                example=_EDIT_EXAMPLE,
            )
        index += 1
    return AlertEditCommand(alert_id, operator, price, field, expires_in)


def parse_alert_edit_form(operator: str, price: str, field: str) -> tuple[AlertOperator, Decimal, AlertField]:
    """The Edit modal's fields: ``above``/``below``, a price, ``last``/``bid``/``ask``. ParseError
    names the field at fault."""
    try:
        chosen = _OPERATORS.get(operator.lower())
        if chosen is None:
            raise _Invalid("Choose above or below", field="operator")
        tokens = _tokens(price)
        if len(tokens) != 1:
            raise _Invalid("Give one price such as 240", field="price")
        level = _price(tokens[0], "alert price", "price")
        watched = _ALERT_FIELDS.get(field.lower())
        if watched is None:
            raise _Invalid("Choose last, bid or ask", field="field")
    except _Invalid as invalid:
        raise ParseError(f"{invalid.problem}.", field=invalid.field) from None
    return chosen, level, watched


def _percent(token: str) -> Decimal:
    """`5%` (or `5`, `2.5%`): above 0, at most MAX_MOVE_PERCENT, at most MAX_MOVE_PLACES places."""
    match = _PERCENT_RE.fullmatch(token)
    if match is None:
        raise _Invalid(f"The move must be a percent such as 5%, not {_show(token)}", example=_MOVE_EXAMPLE)
    value = Decimal(match.group(1))
    if not 0 < value <= MAX_MOVE_PERCENT or decimal_places(value) > MAX_MOVE_PLACES:
        raise _Invalid(
            f"The move must be above 0% and at most {MAX_MOVE_PERCENT}%, with at most {MAX_MOVE_PLACES} decimal "
            f"places, not {_show(token)}",
            example=_MOVE_EXAMPLE,
        )
    return value


def _repeat_every(token: str) -> timedelta:
    """`<N>m|h|d|w` within MIN_REPEAT_EVERY..MAX_REPEAT_EVERY."""
    match = _EXPIRY_RE.fullmatch(token)
    if match is None:
        raise _Invalid(
            f"The cool-down must be a number followed by m, h, d or w such as 1h, not {_show(token)}",
            example=_REPEAT_EXAMPLE,
        )
    every = timedelta(**{_EXPIRY_UNITS[match.group(2).lower()]: int(match.group(1))})
    if not MIN_REPEAT_EVERY <= every <= MAX_REPEAT_EVERY:
        raise _Invalid(
            f"A repeating alert waits 1 minute at the least and 7 days at the most, not {_show(token)}",
            example=_REPEAT_EXAMPLE,
        )
    return every
