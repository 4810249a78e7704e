"""`/order` and the order form: one grammar for a trade, so the form and the command accept and
refuse the same quantity, price, symbol and account."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from bot.core.commands import (
    ExtendedSession,
    OptionOrderRequest,
    OrderCancelCommand,
    OrderCommand,
    OrderEditCommand,
    OrderListCommand,
    OrderRequest,
    OrderShowCommand,
    OrderTicketCommand,
    OrderType,
    Side,
    TimeInForce,
    TrailUnit,
)
from bot.core.market_clock import market_time
from bot.vocabulary.bounds import CASH_AMOUNT_PLACES, TRAIL_PERCENT_PLACES, decimal_places
from bot.vocabulary.options import is_option_symbol
from handlers.parsing.common import (
    _PRICE_RE,
    ParseError,
    _account_option,
    _identifier,
    _Invalid,
    _price,
    _quantity,
    _run,
    _show,
    _symbol,
    _tokens,
    _value_after,
)
from handlers.parsing.options import (
    looks_like_date,
    option_order_from_fields,
    option_order_from_tokens,
    option_symbol_order,
    spread_from_tokens,
)

ORDER_EXAMPLE = "buy 10 AAPL limit 180"
EDIT_EXAMPLE = "edit 12345 limit 181"


def parse_order(text: str) -> OrderCommand:
    """Parse `/order` text: `<side> <qty|$amount> <SYMBOL> [options]`, `list`, `cancel <id>`,
    `show <id>` or nothing."""
    return _run(_order_from_tokens, _tokens(text), "/order", ORDER_EXAMPLE)


def order_from_fields(fields: Mapping[str, str | None]) -> OrderRequest | OptionOrderRequest:
    """Validate the order modal's fields with the same rules as `/order` text.

    Expected keys (all strings, missing or empty meaning "not given"): symbol, side, type,
    quantity, limit_price, stop_price, time_in_force, account, extended_hours. `type` may be
    left empty, in which case it follows from the prices as in the text command. Raises
    `ParseError` with `field` set to the key at fault. An option symbol in the symbol field
    makes it an option order (``option_order_from_fields``).
    """
    if is_option_symbol(str(fields.get("symbol") or "").strip()):
        return option_order_from_fields(fields)
    try:
        return _order_from_fields(fields)
    except _Invalid as invalid:
        raise ParseError(f"{invalid.problem}.", field=invalid.field) from None


# --------------------------------------------------------------------------- orders

_SIDES: dict[str, Side] = {
    "buy": "Buy",
    "sell": "Sell",
    "short": "SellShort",
    "cover": "BuyToCover",
}
_SIDE_WORDS: dict[Side, str] = {side: word for word, side in _SIDES.items()}


def order_text(request: OrderRequest) -> str:
    """The `/order` text that parses back to ``request`` (for messages and audit logs)."""
    amount = f"${request.cash_amount:f}" if request.cash_amount is not None else str(request.quantity)
    words = [_SIDE_WORDS[request.side], amount, request.symbol]
    if request.limit_price is not None:
        words += ["limit", format(request.limit_price, "f")]
    if request.stop_price is not None:
        words += ["stop", format(request.stop_price, "f")]
    words += _extra_words(request)
    if request.time_in_force in _TIF_WORDS:
        words.append(_TIF_WORDS[request.time_in_force])
    if request.time_in_force == "GoodTillDate" and request.expire_date is not None:
        words += ["gtd", request.expire_date.isoformat()]
    if request.account_id is not None:
        words += ["account", str(request.account_id)]
    if request.extended_hours:
        words.append(request.extended_hours)
    return " ".join(words)


_TIME_IN_FORCE: dict[str, TimeInForce] = {
    "day": "Day",
    "gtc": "GoodTillCancel",
    "ioc": "ImmediateOrCancel",
    "fok": "FillOrKill",
    "gtd": "GoodTillDate",
}
_TIF_WORDS: dict[TimeInForce, str] = {
    "GoodTillCancel": "gtc",
    "ImmediateOrCancel": "ioc",
    "FillOrKill": "fok",
}
_ORDER_OPTIONS = (
    "use limit, stop, trail, take-profit, stop-loss, day, gtc, ioc, fok, gtd, aon, account, "
    "or ext, pre or post"
)
_SESSIONS: dict[str, ExtendedSession] = {"ext": "ext", "pre": "pre", "post": "post"}


def _order_from_tokens(tokens: list[str]) -> OrderCommand:
    """The `/order` grammar over whitespace-separated tokens."""
    if not tokens:
        return OrderTicketCommand()
    verb, rest = tokens[0].lower(), tokens[1:]
    if verb == "list":
        return OrderListCommand(_account_option(rest, "list", "list account 12"))
    if verb == "show":
        return _order_show(rest)
    if verb == "cancel":
        if not rest:
            raise _Invalid("Say which order to cancel by its id", example="cancel 12345")
        order_id = _order_id(rest[0], "cancel 12345")
        account = _account_option(rest[1:], "the order id", "cancel 12345 account 12")
        return OrderCancelCommand(order_id, account)
    if verb == "edit":
        return _edit_from_tokens(rest)
    if verb == "spread":
        return spread_from_tokens(rest)
    side = _SIDES.get(verb)
    if side is None:
        raise _Invalid(
            f"{_show(tokens[0])} is not an order action; "
            "start with buy, sell, short or cover (or list, show, cancel or edit)"
        )
    if not rest:
        raise _Invalid(f"Say how many shares of which symbol to {verb}")
    if len(rest) > 2 and looks_like_date(rest[2]):
        return option_order_from_tokens(side, rest[0], rest[1:])
    if len(rest) > 1 and is_option_symbol(rest[1]):
        return option_symbol_order(side, rest[0], rest[1:])
    cash = _cash_amount(rest[0]) if rest[0].startswith("$") else None
    quantity = 0 if cash is not None else _quantity(rest[0])
    if len(rest) < 2:
        raise _Invalid("Add the symbol after the quantity")
    symbol = _symbol(rest[1])
    extras = _Extras(cash_amount=cash)
    request = _order_with_options(side, quantity, symbol, rest[2:], extras)
    return _with_extras(request, extras)


# --------------------------------------------------------------------------- edit

_EDIT_OPTIONS = "use qty, limit, stop or account"
_EDIT_WORDS = {"qty": "qty", "quantity": "qty", "limit": "limit", "stop": "stop", "account": "account"}


def _edit_from_tokens(tokens: list[str]) -> OrderEditCommand:
    """`edit <id> [qty <n>] [limit <price>] [stop <price>] [account <id>]`: each option at most
    once, in any order, and at least one of qty, limit or stop."""
    try:
        return _edit_grammar(tokens)
    except _Invalid as invalid:
        invalid.example = invalid.example or EDIT_EXAMPLE
        raise


def _edit_grammar(tokens: list[str]) -> OrderEditCommand:
    """_edit_from_tokens without the edit example on every problem."""
    if not tokens:
        raise _Invalid("Say which order to change by its id, then what to change", example=EDIT_EXAMPLE)
    order_id = _identifier(tokens[0], "order id")
    values: dict[str, str] = {}
    index = 1
    while index < len(tokens):
        token = tokens[index]
        word = _EDIT_WORDS.get(token.lower())
        if word is None:
            problem = (
                f"Write qty, limit or stop before {_show(token)}"
                if _PRICE_RE.fullmatch(token)
                else f"{_show(token)} is not an edit option; after the order id {_EDIT_OPTIONS}"
            )
            raise _Invalid(problem, example=EDIT_EXAMPLE)
        if word in values:
            raise _Invalid(f"{_show(word)} appears twice; give each option once", example=EDIT_EXAMPLE)
        values[word] = _value_after(tokens, index, token.lower(), "a value", EDIT_EXAMPLE)
        index += 2
    return _build_edit(order_id, values)


def _build_edit(order_id: int, values: Mapping[str, str]) -> OrderEditCommand:
    """The rules the text command and the edit modal share: at least one change, each value
    read by the order grammar's own rules."""
    if not any(values.get(word) for word in ("qty", "limit", "stop")):
        raise _Invalid(
            "Say what to change: a new qty, limit or stop",
            example=f"edit {order_id} qty 5 limit 181",
            field="quantity",
        )
    qty, limit, stop, account = (values.get(word) for word in ("qty", "limit", "stop", "account"))
    return OrderEditCommand(
        order_id=order_id,
        quantity=_quantity(qty) if qty else None,
        limit_price=_price(limit, "limit price", "limit_price") if limit else None,
        stop_price=_price(stop, "stop price", "stop_price") if stop else None,
        account_id=_identifier(account, "account id", "account") if account else None,
    )


def edit_from_fields(order_id: int, account_id: int | None, fields: Mapping[str, str | None]) -> OrderEditCommand:
    """Validate the edit modal's fields (quantity, limit_price, stop_price: strings, empty
    meaning "keep") with the `/order edit` rules. Raises ``ParseError`` with ``field`` set."""
    values = {
        word: str(fields.get(name) or "").strip()
        for word, name in (("qty", "quantity"), ("limit", "limit_price"), ("stop", "stop_price"))
    }
    if account_id is not None:
        values["account"] = str(account_id)
    try:
        return _build_edit(order_id, values)
    except _Invalid as invalid:
        raise ParseError(f"{invalid.problem}.", field=invalid.field) from None


def edit_text(command: OrderEditCommand) -> str:
    """The `/order edit` text that parses back to ``command``."""
    words = ["edit", str(command.order_id)]
    if command.quantity is not None:
        words += ["qty", str(command.quantity)]
    if command.limit_price is not None:
        words += ["limit", format(command.limit_price, "f")]
    if command.stop_price is not None:
        words += ["stop", format(command.stop_price, "f")]
    if command.account_id is not None:
        words += ["account", str(command.account_id)]
    return " ".join(words)


def _order_with_options(
    side: Side, quantity: int, symbol: str, options: list[str], extras: _Extras | None = None
) -> OrderRequest:
    """Apply `limit`, `stop`, `day|gtc|ioc|fok|gtd <date>`, `account`, `ext|pre|post` and the
    ``extras`` (`trail`, `limit-offset`, `take-profit`, `stop-loss`, `aon`), each at most once,
    in any order."""
    extras = extras if extras is not None else _Extras()
    limit: Decimal | None = None
    stop: Decimal | None = None
    time_in_force: TimeInForce | None = None
    account: int | None = None
    extended: ExtendedSession | None = None
    seen: set[str] = set()
    index = 0
    while index < len(options):
        token = options[index]
        word = token.lower()
        group = "tif" if word in _TIME_IN_FORCE else "session" if word in _SESSIONS else word
        if group in seen:
            problem = (
                "Choose one of day, gtc, ioc, fok or gtd"
                if group == "tif"
                else "Choose one of ext, pre or post"
                if group == "session" and word != extended
                else f"{_show(word)} appears twice; give each option once"
            )
            raise _Invalid(problem)
        seen.add(group)
        if word == "limit":
            value = _value_after(options, index, word, "a price", ORDER_EXAMPLE)
            limit = _price(value, "limit price", "limit_price")
            index += 1
        elif word == "stop":
            value = _value_after(options, index, word, "a price", "buy 3 TSLA stop 180")
            stop = _price(value, "stop price", "stop_price")
            index += 1
        elif word == "account":
            value = _value_after(options, index, word, "an account id", "buy 10 AAPL account 12")
            account = _identifier(value, "account id", "account")
            index += 1
        elif word in _TIME_IN_FORCE:
            time_in_force = _TIME_IN_FORCE[word]
            if word == "gtd":
                extras.expire_date = _expire_date(_value_after(options, index, word, "a date", _gtd_example()))
                index += 1
        elif word in _SESSIONS:
            extended = _SESSIONS[word]
        elif word in _EXTRA_OPTIONS:
            index += _extra_option(extras, options, index)
        elif _PRICE_RE.fullmatch(token):
            raise _Invalid(f"Write limit or stop before the price {_show(token)}")
        else:
            raise _Invalid(f"{_show(token)} is not an order option; after the symbol {_ORDER_OPTIONS}")
        index += 1
    return _build_order(
        side,
        quantity,
        symbol,
        limit,
        stop,
        time_in_force,
        account,
        extended,
        trailing=extras.trail is not None,
    )


def _build_order(
    side: Side,
    quantity: int,
    symbol: str,
    limit: Decimal | None,
    stop: Decimal | None,
    time_in_force: TimeInForce | None,
    account: int | None,
    extended: ExtendedSession | None,
    *,
    trailing: bool = False,
) -> OrderRequest:
    """The cross-field rules shared by the text command and the modal (``trailing``: a
    trailing stop, which has no prices of its own and may be good-till-cancel)."""
    order_type: OrderType
    if limit is not None and stop is not None:
        order_type = "StopLimit"
    elif stop is not None:
        order_type = "Stop"
    elif limit is not None:
        order_type = "Limit"
    else:
        order_type = "Market"
    if order_type == "Market" and time_in_force == "GoodTillCancel" and not trailing:
        raise _Invalid(
            "Market orders cannot be good-till-cancel; add a limit price or use day",
            example="sell 5 MSFT limit 410.50 gtc",
            field="time_in_force",
        )
    if extended and order_type != "Limit":
        # Stop and market orders do not trigger reliably outside regular hours, so brokers
        # accept only plain limit orders there.
        raise _Invalid(
            f"Extended-hours trading ({extended}) works only with a limit order without a stop",
            example="buy 1 AAPL limit 180 ext",
            field="extended_hours",
        )
    return OrderRequest(
        side=side,
        quantity=quantity,
        symbol=symbol,
        order_type=order_type,
        limit_price=limit,
        stop_price=stop,
        time_in_force=time_in_force or "Day",
        account_id=account,
        extended_hours=extended,
    )


# -- order types and instructions beyond limit and stop -------------------------------------------

def _gtd_example() -> str:
    """A good-till-date example that stays valid: a month from today in New York."""
    return f"buy 10 AAPL limit 180 gtd {market_time().date() + timedelta(days=30):%Y-%m-%d}"


_TRAIL_EXAMPLE = "sell 10 AAPL trail 2%"
_BRACKET_EXAMPLE = "buy 10 AAPL limit 180 take-profit 200 stop-loss 170"
_CASH_EXAMPLE = "buy $500 AAPL"
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TRAIL_RE = re.compile(r"(\$)?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(%)?")
#: The options read by ``_extra_option``, each with the value it takes (None: none).
_EXTRA_OPTIONS: dict[str, str | None] = {
    "trail": "a distance such as 2% or $1.50",
    "limit-offset": "a price offset such as 0.50",
    "take-profit": "a price",
    "stop-loss": "a price",
    "aon": None,
}


@dataclass
class _Extras:
    """What the options beyond limit and stop asked for, while the text is read."""

    trail: Decimal | None = None
    trail_unit: TrailUnit = "amount"
    limit_offset: Decimal | None = None
    take_profit: Decimal | None = None
    stop_loss: Decimal | None = None
    cash_amount: Decimal | None = None
    all_or_none: bool = False
    expire_date: date | None = None


def _order_show(rest: list[str]) -> OrderShowCommand:
    """`show <orderId> [account <id>]`."""
    if not rest:
        raise _Invalid("Say which order to show by its id", example="show 12345")
    order_id = _order_id(rest[0], "show 12345")
    return OrderShowCommand(order_id, _account_option(rest[1:], "the order id", "show 12345 account 12"))


def _order_id(token: str, example: str) -> int:
    """An order id, refused with ``example`` (the verb's own)."""
    try:
        return _identifier(token, "order id")
    except _Invalid as invalid:
        invalid.example = example
        raise


def _cash_amount(token: str) -> Decimal:
    """A dollar amount to trade (`$500`) in place of a share count, in whole cents."""
    try:
        value = _price(token, "dollar amount", "quantity")
    except _Invalid as invalid:
        invalid.example = _CASH_EXAMPLE
        raise
    if decimal_places(value) > CASH_AMOUNT_PLACES:
        raise _Invalid(
            f"The dollar amount can have at most {CASH_AMOUNT_PLACES} decimal places, not {_show(token)}",
            example=_CASH_EXAMPLE,
            field="quantity",
        )
    return value


def _expire_date(token: str) -> date:
    """A good-till-date order's last day, written YYYY-MM-DD: today in New York or later."""
    try:
        if not _DATE_RE.fullmatch(token):
            raise ValueError(token)
        day = date.fromisoformat(token)
    except ValueError:
        raise _Invalid(
            f"{_show(token)} is not a date; write the last day as YYYY-MM-DD", example=_gtd_example()
        ) from None
    if day < market_time().date():
        raise _Invalid(
            f"The last day {_show(token)} has already passed; give today or a later day", example=_gtd_example()
        )
    return day


def _trail(token: str) -> tuple[Decimal, TrailUnit]:
    """A trailing distance: `2%` (percent of the best price) or `$1.50` / `1.50` (dollars)."""
    match = _TRAIL_RE.fullmatch(token)
    if match is None or (match.group(1) and match.group(3)):
        raise _Invalid(
            f"The trailing distance must be a percent such as 2% or dollars such as $1.50, not {_show(token)}",
            example=_TRAIL_EXAMPLE,
        )
    value = Decimal(match.group(2))
    if match.group(3):
        if not Decimal(0) < value < Decimal(100) or decimal_places(value) > TRAIL_PERCENT_PLACES:
            raise _Invalid(
                f"A trailing percent must be above 0% and below 100% with at most "
                f"{TRAIL_PERCENT_PLACES} decimal places, not {_show(token)}",
                example=_TRAIL_EXAMPLE,
            )
        return value, "percent"
    try:
        return _price(token, "trailing distance", "trail"), "amount"
    except _Invalid as invalid:
        invalid.example = _TRAIL_EXAMPLE
        raise


def _extra_option(extras: _Extras, options: list[str], index: int) -> int:
    """Read one option of ``_EXTRA_OPTIONS`` at ``index`` into ``extras``; the tokens it used
    beyond its own."""
    word = options[index].lower()
    needs = _EXTRA_OPTIONS[word]
    if needs is None:
        extras.all_or_none = True
        return 0
    example = _BRACKET_EXAMPLE if word in ("take-profit", "stop-loss") else _TRAIL_EXAMPLE
    value = _value_after(options, index, word, needs, example)
    try:
        if word == "trail":
            extras.trail, extras.trail_unit = _trail(value)
        elif word == "limit-offset":
            extras.limit_offset = _price(value, "limit offset", "limit_offset")
        elif word == "take-profit":
            extras.take_profit = _price(value, "take-profit price", "take_profit")
        else:
            extras.stop_loss = _price(value, "stop-loss price", "stop_loss")
    except _Invalid as invalid:
        invalid.example = invalid.example or example
        raise
    return 1


def _with_extras(request: OrderRequest, extras: _Extras) -> OrderRequest:
    """The cross-field rules of the options beyond limit and stop, then the order with them."""
    _check_trail(request, extras)
    _check_cash(request, extras)
    _check_bracket(request, extras)
    order_type: OrderType = request.order_type
    if extras.trail is not None:
        order_type = "TrailingStopLimit" if extras.limit_offset is not None else "TrailingStop"
    if request.time_in_force == "GoodTillDate" and order_type == "Market":
        raise _Invalid(
            "Market orders cannot be good-till-date; add a limit price or use day", example=_gtd_example()
        )
    return dataclasses.replace(
        request,
        order_type=order_type,
        trail=extras.trail,
        trail_unit=extras.trail_unit,
        limit_offset=extras.limit_offset,
        take_profit=extras.take_profit,
        stop_loss=extras.stop_loss,
        cash_amount=extras.cash_amount,
        all_or_none=extras.all_or_none,
        expire_date=extras.expire_date,
    )


def _check_trail(request: OrderRequest, extras: _Extras) -> None:
    if extras.limit_offset is not None and extras.trail is None:
        raise _Invalid(
            "limit-offset belongs to a trailing stop; add trail before it",
            example=f"{_TRAIL_EXAMPLE} limit-offset 0.50",
        )
    if extras.trail is None:
        return
    if request.order_type != "Market":
        raise _Invalid(
            "A trailing stop sets its own stop; drop the limit and stop prices "
            "(use limit-offset for a trailing stop limit)",
            example=_TRAIL_EXAMPLE,
        )


def _check_cash(request: OrderRequest, extras: _Extras) -> None:
    if extras.cash_amount is None:
        return
    if request.side not in ("Buy", "Sell"):
        raise _Invalid(
            "A dollar amount works with buy or sell; give a share count to short or cover",
            example=_CASH_EXAMPLE,
        )
    if request.order_type != "Market" or extras.trail is not None or extras.take_profit or extras.stop_loss:
        raise _Invalid(
            "A dollar amount is traded at the market; drop the other prices or give a share count",
            example=_CASH_EXAMPLE,
        )
    if extras.all_or_none or request.time_in_force != "Day" or request.extended_hours:
        raise _Invalid(
            "A dollar amount is a day order without other instructions; drop them", example=_CASH_EXAMPLE
        )


def _check_bracket(request: OrderRequest, extras: _Extras) -> None:
    """A bracket's entry is a market or limit order; its exits sit on either side of it."""
    profit, loss = extras.take_profit, extras.stop_loss
    if profit is None and loss is None:
        return
    if request.order_type not in ("Market", "Limit") or extras.trail is not None or request.extended_hours:
        raise _Invalid(
            "A bracket's entry is a market or limit order in regular hours; drop the stop, trail or session",
            example=_BRACKET_EXAMPLE,
        )
    buys = request.side in ("Buy", "BuyToCover")
    entry = request.limit_price
    if profit is not None and loss is not None and (profit <= loss if buys else profit >= loss):
        side = "above" if buys else "below"
        raise _Invalid(f"The take-profit must be {side} the stop-loss", example=_BRACKET_EXAMPLE)
    for name, level, wants_above in (("take-profit", profit, buys), ("stop-loss", loss, not buys)):
        if entry is not None and level is not None and (level <= entry if wants_above else level >= entry):
            side = "above" if wants_above else "below"
            raise _Invalid(f"The {name} must be {side} the limit price {entry:f}", example=_BRACKET_EXAMPLE)


def _extra_words(request: OrderRequest) -> list[str]:
    """``order_text``'s words for the options beyond limit and stop."""
    words: list[str] = []
    if request.trail is not None:
        words += [
            "trail",
            f"{request.trail:f}%" if request.trail_unit == "percent" else f"${request.trail:f}",
        ]
    if request.limit_offset is not None:
        words += ["limit-offset", format(request.limit_offset, "f")]
    if request.take_profit is not None:
        words += ["take-profit", format(request.take_profit, "f")]
    if request.stop_loss is not None:
        words += ["stop-loss", format(request.stop_loss, "f")]
    if request.all_or_none:
        words.append("aon")
    return words


def _key(value: str) -> str:
    """A form value reduced for lookup: lower case, letters and digits only."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


_FIELD_SIDES: dict[str, Side] = {
    **_SIDES,
    "sellshort": "SellShort",
    "buytocover": "BuyToCover",
}
_FIELD_TYPES: dict[str, OrderType] = {
    "market": "Market",
    "limit": "Limit",
    "stop": "Stop",
    "stoplimit": "StopLimit",
}
_FIELD_TIME_IN_FORCE: dict[str, TimeInForce] = {
    "": "Day",
    "day": "Day",
    "gtc": "GoodTillCancel",
    "goodtillcancel": "GoodTillCancel",
}
_TRUE = frozenset({"true", "yes", "on", "1", "ext"})
_FALSE = frozenset({"", "false", "no", "off", "0"})
#: The modal's session choices (``ext`` also for a ticked box or a yes).
_FIELD_SESSIONS: dict[str, ExtendedSession | None] = {
    **dict.fromkeys(_TRUE, "ext"),
    **dict.fromkeys(_FALSE, None),
    "pre": "pre",
    "post": "post",
}


def _order_from_fields(fields: Mapping[str, str | None]) -> OrderRequest:
    """order_from_fields without the error conversion."""

    def get(name: str) -> str:
        value = fields.get(name)
        return "" if value is None else str(value).strip()

    symbol_text, side_text, quantity_text = get("symbol"), get("side"), get("quantity")
    if not symbol_text:
        raise _Invalid("Enter a symbol such as AAPL", field="symbol")
    symbol = _symbol(symbol_text)
    side = _FIELD_SIDES.get(_key(side_text))
    if side is None:
        raise _Invalid("Choose buy, sell, short or cover", field="side")
    if not quantity_text:
        raise _Invalid("Enter a quantity, a whole number of shares above zero", field="quantity")
    quantity = _quantity(quantity_text)

    limit_text, stop_text = get("limit_price"), get("stop_price")
    limit = _price(limit_text, "limit price", "limit_price") if limit_text else None
    stop = _price(stop_text, "stop price", "stop_price") if stop_text else None

    type_text = get("type")
    if type_text:
        order_type = _FIELD_TYPES.get(_key(type_text))
        if order_type is None:
            raise _Invalid("Choose market, limit, stop or stop limit as the order type", field="type")
        _check_prices_match_type(order_type, limit, stop)

    time_in_force = _FIELD_TIME_IN_FORCE.get(_key(get("time_in_force")))
    if time_in_force is None:
        raise _Invalid("Choose day or good-till-cancel", field="time_in_force")

    account_text = get("account")
    account = _identifier(account_text, "account id", "account") if account_text else None

    extended_text = _key(get("extended_hours"))
    if extended_text not in _FIELD_SESSIONS:
        raise _Invalid("Extended hours must be off, ext, pre or post", field="extended_hours")

    return _build_order(
        side, quantity, symbol, limit, stop, time_in_force, account, _FIELD_SESSIONS[extended_text]
    )


def _check_prices_match_type(order_type: OrderType, limit: Decimal | None, stop: Decimal | None) -> None:
    """In the modal the type is chosen explicitly: the prices given must be the ones it uses."""
    needs_limit = order_type in ("Limit", "StopLimit")
    needs_stop = order_type in ("Stop", "StopLimit")
    name = {
        "Market": "A market",
        "Limit": "A limit",
        "Stop": "A stop",
        "StopLimit": "A stop limit",
    }[order_type]
    if needs_limit and limit is None:
        raise _Invalid(f"{name} order needs a limit price", field="limit_price")
    if needs_stop and stop is None:
        raise _Invalid(f"{name} order needs a stop price", field="stop_price")
    if not needs_limit and limit is not None:
        raise _Invalid(f"{name} order takes no limit price; clear it", field="limit_price")
    if not needs_stop and stop is not None:
        raise _Invalid(f"{name} order takes no stop price; clear it", field="stop_price")
