"""Slash-command grammar -> typed requests, with no I/O.

Every command the bot accepts (`/order`, `/alert`, `/quote`, `/watch`, `/autoshares ...`) and the order
modal are turned into frozen dataclasses here, so handlers never look at raw text and the rules
(what a valid quantity, price or symbol is) live in one place and are tested without Slack.

Any input that is not a token of the grammar raises `ParseError`, whose message is a sentence a
Slack user can act on: what was wrong, then `Try <example>`. Echoed user text is shortened,
put in a code span and escaped the way Slack escapes message text (`&`, `<`, `>`), and `@` is
followed by a zero-width space, so an error can never ping `@channel` or inject a mention or link.

Mentions and links are read here too: ``cashtags`` finds ``$AAPL`` in a message that mentions
the bot, and ``quote_page_symbol`` the symbol an AutoShares quote page link names.

Slack sends slash-command text with `&`, `<` and `>` escaped as `&amp;`, `&lt;` and `&gt;` even
when `should_escape` is false, so the parsers unescape those first (`&gt;=` means `>=`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Literal, NamedTuple, TypeAlias, TypeVar
from urllib.parse import urlsplit

from bot.core.commands import (
    AlertCommand,
    AlertDeleteCommand,
    AlertDeliverCommand,
    AlertDirection,
    AlertField,
    AlertListCommand,
    AlertMoveRequest,
    AlertOperator,
    AlertRequest,
    ChartRange,
    DigestCommand,
    DigestEvery,
    DigestListCommand,
    DigestOffCommand,
    DigestRequest,
    ExtendedSession,
    OrderCancelCommand,
    OrderCommand,
    OrderListCommand,
    OrderRequest,
    OrderTicketCommand,
    OrderType,
    QuoteRequest,
    Side,
    TeamCommand,
    TimeInForce,
    WatchAction,
    WatchRequest,
)

AutosharesName = Literal[
    "link",
    "unlink",
    "status",
    "help",
    "agreements",
    "account",
    "accounts_add",
    "positions",
    "signup",
    "quote",
    "order",
    "alert",
    "watch",
    "admin",
    "digest",
]

MAX_QUANTITY = 1_000_000
MAX_PRICE = Decimal(1_000_000)
MAX_PRICE_PLACES = 4
MAX_QUOTE_SYMBOLS = 10
#: Symbols one `/watch add` or `/watch remove` takes (each is one AutoShares call).
MAX_WATCH_SYMBOLS = 10
#: AutoShares ids (accounts, orders, alerts) are int32 in the API contract.
MAX_ID = 2**31 - 1
MIN_ALERT_EXPIRY = timedelta(minutes=1)
MAX_ALERT_EXPIRY = timedelta(days=365)
#: A repeating alert's cool-down: how long after a trigger it is armed again.
DEFAULT_REPEAT_EVERY = timedelta(hours=1)
MIN_REPEAT_EVERY = timedelta(minutes=1)
MAX_REPEAT_EVERY = timedelta(days=7)
#: A percent move: above 0, at most 50, with at most 2 decimal places.
MAX_MOVE_PERCENT = Decimal(50)
DEFAULT_CHART_RANGE: ChartRange = "1d"
CHART_RANGES: tuple[ChartRange, ...] = ("1d", "5d", "1m", "6m", "1y")

#: A ticker after upper-casing: a letter, then up to nine letters, digits, dots or dashes.
SYMBOL_RE = re.compile(r"[A-Z][A-Z0-9.\-]{0,9}")


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


# --------------------------------------------------------------------------- requests

AutosharesArgs: TypeAlias = (
    QuoteRequest | OrderCommand | AlertCommand | WatchRequest | TeamCommand | DigestCommand | int | None
)


@dataclass(frozen=True, slots=True)
class AutosharesCommand:
    """One `/autoshares` subcommand.

    `args` depends on `name`: a `QuoteRequest`, `OrderCommand`, `AlertCommand` or `WatchRequest`
    for quote/order/alert/watch, the account id (`int`) for accounts_add, the optional account id for
    positions, and None for the rest.
    """

    name: AutosharesName
    args: AutosharesArgs = None


class CommandHelp(NamedTuple):
    """One line of `/autoshares help`."""

    command: str
    example: str
    description: str


#: Every command the bot understands, in the order `/autoshares help` lists them.
COMMAND_HELP: tuple[CommandHelp, ...] = (
    CommandHelp("/autoshares link", "/autoshares link", "Connect your AutoShares login to Slack."),
    CommandHelp("/autoshares unlink", "/autoshares unlink", "Disconnect your AutoShares login from Slack."),
    CommandHelp(
        "/autoshares status",
        "/autoshares status",
        "Show whether you are linked and to which login.",
    ),
    CommandHelp(
        "/autoshares agreements",
        "/autoshares agreements",
        "Review and sign the AutoShares agreements you need before trading.",
    ),
    CommandHelp(
        "/autoshares account",
        "/autoshares account",
        "Show your trading accounts and their balances.",
    ),
    CommandHelp(
        "/autoshares accounts add",
        "/autoshares accounts add 12",
        "Add a trading account to your AutoShares login.",
    ),
    CommandHelp(
        "/autoshares positions",
        "/autoshares positions 12",
        "Show the positions in your default account or in the account given.",
    ),
    CommandHelp("/autoshares signup", "/autoshares signup", "Open a new AutoShares account."),
    CommandHelp("/autoshares quote", "/autoshares quote AAPL", "Same as /quote, from the main command."),
    CommandHelp(
        "/autoshares order",
        "/autoshares order buy 1 AAPL",
        "Same as /order, from the main command.",
    ),
    CommandHelp(
        "/autoshares alert",
        "/autoshares alert AAPL above 200",
        "Same as /alert, from the main command.",
    ),
    CommandHelp(
        "/autoshares digest",
        "/autoshares digest weekdays at close",
        "A portfolio summary daily or on weekdays, at a time (`16:15`, your time zone) or `at close`.",
    ),
    CommandHelp(
        "/autoshares digest list",
        "/autoshares digest list",
        "Show your digest schedules; `digest off` (or `digest off 2`) stops them.",
    ),
    CommandHelp(
        "/autoshares watch",
        "/autoshares watch add AAPL",
        "Same as /watch, from the main command.",
    ),
    CommandHelp(
        "/autoshares admin",
        "/autoshares admin",
        "Admins: show the team's roles, limits and trading rules (also on App Home).",
    ),
    CommandHelp(
        "/autoshares admin role",
        "/autoshares admin role @alice approver",
        "Admins: make a member a viewer, trader, approver or admin (or `default`).",
    ),
    CommandHelp(
        "/autoshares admin limit",
        "/autoshares admin limit @alice value 5000",
        "Admins: a member's largest order (`value`) or orders a day (`daily`); `none` removes it.",
    ),
    CommandHelp(
        "/autoshares admin approval",
        "/autoshares admin approval @alice on",
        "Admins: every order of this member needs a second person's approval (`on` / `off`).",
    ),
    CommandHelp(
        "/autoshares admin approvals",
        "/autoshares admin approvals over 10000",
        "Admins: orders above this need approval (`off` stops it); `approvals in #channel` sets where.",
    ),
    CommandHelp(
        "/autoshares admin orders",
        "/autoshares admin orders in #trading dm",
        "Admins: where orders may go: `anywhere`, `dm`, or `in` channels (and `dm`); `alerts` alike.",
    ),
    CommandHelp(
        "/autoshares admin pause",
        "/autoshares admin pause",
        "Admins: pause all trading in the workspace; `resume` lifts it.",
    ),
    CommandHelp("/autoshares help", "/autoshares help", "Show this list of commands."),
    CommandHelp(
        "/quote",
        "/quote AAPL MSFT chart 5d",
        "Get quotes for up to 10 symbols, with an optional 1d, 5d, 1m, 6m or 1y chart.",
    ),
    CommandHelp(
        "/order",
        "/order buy 10 AAPL limit 180",
        "Preview a buy, sell, short or cover order and place it after you confirm.",
    ),
    CommandHelp(
        "/order … pre | post | ext",
        "/order buy 5 AAPL limit 180 post",
        "A limit order that also trades pre-market (pre), after-hours (post) or whichever is next (ext).",
    ),
    CommandHelp("/order", "/order", "Open the order form."),
    CommandHelp("/order list", "/order list", "Show your open and recent orders."),
    CommandHelp("/order cancel", "/order cancel 12345", "Cancel an order by its id."),
    CommandHelp(
        "/alert",
        "/alert AAPL above 200 expires 1w",
        "Notify this channel when a price crosses a level (last, bid or ask).",
    ),
    CommandHelp(
        "/alert … moves",
        "/alert AAPL moves 5%",
        "Notify when the price moves 5% from the previous close; `up 5%` or `down 5%` for one way.",
    ),
    CommandHelp(
        "/alert … repeat",
        "/alert AAPL above 200 repeat every 1h",
        "Arm it again after each trigger and a cool-down (1 hour unless `every`); replies thread.",
    ),
    CommandHelp(
        "/alert deliver",
        "/alert deliver dm",
        "Send your alerts' triggers to a DM with me; `deliver channel` posts where each was set.",
    ),
    CommandHelp("/alert list", "/alert list", "Show your price alerts and where their triggers go."),
    CommandHelp(
        "/alert delete", "/alert delete 42", "Delete a price alert (and the rest of its group) by its id."
    ),
    CommandHelp("/watch", "/watch", "Show your watchlist: last price, day change and a sparkline."),
    CommandHelp(
        "/watch add",
        "/watch add AAPL MSFT",
        "Add up to 10 symbols to your AutoShares watchlist (shared with your other AutoShares apps).",
    ),
    CommandHelp("/watch remove", "/watch remove MSFT", "Remove symbols from your watchlist."),
)


# --------------------------------------------------------------------------- public parsers

ORDER_EXAMPLE = "buy 10 AAPL limit 180"
ALERT_EXAMPLE = "AAPL above 200"
QUOTE_EXAMPLE = "AAPL MSFT"
WATCH_EXAMPLE = "add AAPL MSFT"
AUTOSHARES_EXAMPLE = "help"


def parse_order(text: str) -> OrderCommand:
    """Parse `/order` text: `<side> <qty> <SYMBOL> [options]`, `list`, `cancel <id>` or nothing."""
    return _run(_order_from_tokens, _tokens(text), "/order", ORDER_EXAMPLE)


def parse_alert(text: str) -> AlertCommand:
    """Parse `/alert` text: `<SYMBOL> above|below <price>` or `<SYMBOL> moves|up|down <n>%`, then
    `[last|bid|ask] [expires 2d] [repeat] [every 1h]`; `list`, `delete <id>`, `deliver dm|channel`."""
    return _run(_alert_from_tokens, _tokens(text), "/alert", ALERT_EXAMPLE)


def parse_quote(text: str) -> QuoteRequest:
    """Parse `/quote` text: 1-10 symbols (spaces or commas) and optionally `chart [range]`."""
    return _run(_quote_from_tokens, _tokens(text), "/quote", QUOTE_EXAMPLE)


def parse_watch(text: str) -> WatchRequest:
    """Parse `/watch` text: nothing or `list` (show), `add SYM…` or `remove SYM…` (1-10
    symbols, spaces or commas)."""
    return _run(_watch_from_tokens, _tokens(text), "/watch", WATCH_EXAMPLE)


def parse_autoshares(text: str) -> AutosharesCommand:
    """Parse `/autoshares` text; quote, order and alert delegate to their own grammars, so
    `/autoshares order buy 1 AAPL` means exactly what `/order buy 1 AAPL` means."""
    tokens = _tokens(text)
    word, rest = (tokens[0].lower(), tokens[1:]) if tokens else ("", [])
    if word == "quote":
        quote = _run(_quote_from_tokens, rest, "/autoshares quote", QUOTE_EXAMPLE)
        return AutosharesCommand("quote", quote)
    if word == "order":
        order = _run(_order_from_tokens, rest, "/autoshares order", ORDER_EXAMPLE)
        return AutosharesCommand("order", order)
    if word == "alert":
        alert = _run(_alert_from_tokens, rest, "/autoshares alert", ALERT_EXAMPLE)
        return AutosharesCommand("alert", alert)
    if word == "watch":
        return AutosharesCommand("watch", _run(_watch_from_tokens, rest, "/autoshares watch", WATCH_EXAMPLE))
    return _run(_autoshares_from_tokens, tokens, "/autoshares", AUTOSHARES_EXAMPLE)


def order_from_fields(fields: Mapping[str, str | None]) -> OrderRequest:
    """Validate the order modal's fields with the same rules as `/order` text.

    Expected keys (all strings, missing or empty meaning "not given"): symbol, side, type,
    quantity, limit_price, stop_price, time_in_force, account, extended_hours. `type` may be
    left empty, in which case it follows from the prices as in the text command. Raises
    `ParseError` with `field` set to the key at fault.
    """
    try:
        return _order_from_fields(fields)
    except _Invalid as invalid:
        raise ParseError(f"{invalid.problem}.", field=invalid.field) from None


def symbol_from_field(text: str) -> str:
    """One ticker typed on its own (a workflow step's input), by the same rule as `/quote`: a
    leading `$` is dropped and it is upper-cased. Raises `ParseError` with `field` "symbol"."""
    tokens = _tokens(text)
    try:
        if len(tokens) != 1:
            raise _Invalid("Give one symbol such as AAPL", field="symbol")
        return _symbol(tokens[0])
    except _Invalid as invalid:
        raise ParseError(f"{invalid.problem}.", field=invalid.field) from None


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
_ID_RE = re.compile(r"[0-9]{1,10}")
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
    """A positive decimal price (optional leading `$`) within MAX_PRICE and MAX_PRICE_PLACES."""
    match = _PRICE_RE.fullmatch(token)
    if match is None:
        raise _Invalid(
            f"The {what} must be a number above zero such as 180.50, not {_show(token)}",
            field=field,
        )
    value = Decimal(match.group(1))
    if value <= 0:
        raise _Invalid(f"The {what} must be above zero, not {_show(token)}", field=field)
    if value > MAX_PRICE:
        raise _Invalid(f"The {what} can be at most {MAX_PRICE:,}, not {_show(token)}", field=field)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_PRICE_PLACES:
        raise _Invalid(
            f"The {what} can have at most {MAX_PRICE_PLACES} decimal places, not {_show(token)}",
            field=field,
        )
    return value


def _symbol(token: str, field: str = "symbol") -> str:
    """An upper-cased ticker; a leading `$` (cashtag) is allowed and dropped."""
    candidate = token[1:] if token.startswith("$") else token
    # Check ASCII before upper-casing: "ſ".upper() is "S", and "ſpy" is not SPY.
    if not candidate.isascii() or not SYMBOL_RE.fullmatch(candidate.upper()):
        raise _Invalid(
            f"{_show(token)} is not a valid symbol; use a ticker such as AAPL or BRK.B",
            field=field,
        )
    return candidate.upper()


def _identifier(token: str, what: str, field: str | None = None) -> int:
    """A positive int32 id (AutoShares account, order and alert ids)."""
    if not _ID_RE.fullmatch(token) or not 0 < int(token) <= MAX_ID:
        raise _Invalid(f"The {what} must be a whole number such as 12, not {_show(token)}", field=field)
    return int(token)


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
    account = _identifier(_value_after(tokens, 0, "account", "an account id", example), "account id")
    if len(tokens) > 2:
        raise _Invalid(f"{_show(tokens[2])} is not understood after the account id", example=example)
    return account


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
    words = [_SIDE_WORDS[request.side], str(request.quantity), request.symbol]
    if request.limit_price is not None:
        words += ["limit", format(request.limit_price, "f")]
    if request.stop_price is not None:
        words += ["stop", format(request.stop_price, "f")]
    if request.time_in_force == "GoodTillCancel":
        words.append("gtc")
    if request.account_id is not None:
        words += ["account", str(request.account_id)]
    if request.extended_hours:
        words.append(request.extended_hours)
    return " ".join(words)


_TIME_IN_FORCE: dict[str, TimeInForce] = {"day": "Day", "gtc": "GoodTillCancel"}
_ORDER_OPTIONS = "use limit, stop, day, gtc, account, or ext, pre or post"
_SESSIONS: dict[str, ExtendedSession] = {"ext": "ext", "pre": "pre", "post": "post"}


def _order_from_tokens(tokens: list[str]) -> OrderCommand:
    """The `/order` grammar over whitespace-separated tokens."""
    if not tokens:
        return OrderTicketCommand()
    verb, rest = tokens[0].lower(), tokens[1:]
    if verb == "list":
        return OrderListCommand(_account_option(rest, "list", "list account 12"))
    if verb == "cancel":
        if not rest:
            raise _Invalid("Say which order to cancel by its id", example="cancel 12345")
        order_id = _identifier(rest[0], "order id")
        account = _account_option(rest[1:], "the order id", "cancel 12345 account 12")
        return OrderCancelCommand(order_id, account)
    side = _SIDES.get(verb)
    if side is None:
        raise _Invalid(
            f"{_show(tokens[0])} is not an order action; "
            "start with buy, sell, short or cover (or list or cancel)"
        )
    if not rest:
        raise _Invalid(f"Say how many shares of which symbol to {verb}")
    quantity = _quantity(rest[0])
    if len(rest) < 2:
        raise _Invalid("Add the symbol after the quantity")
    symbol = _symbol(rest[1])
    return _order_with_options(side, quantity, symbol, rest[2:])


def _order_with_options(side: Side, quantity: int, symbol: str, options: list[str]) -> OrderRequest:
    """Apply `limit`, `stop`, `day|gtc`, `account` and `ext|pre|post` (each at most once, any
    order)."""
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
                "Choose day or gtc once"
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
        elif word in _SESSIONS:
            extended = _SESSIONS[word]
        elif _PRICE_RE.fullmatch(token):
            raise _Invalid(f"Write limit or stop before the price {_show(token)}")
        else:
            raise _Invalid(f"{_show(token)} is not an order option; after the symbol {_ORDER_OPTIONS}")
        index += 1
    return _build_order(side, quantity, symbol, limit, stop, time_in_force, account, extended)


def _build_order(
    side: Side,
    quantity: int,
    symbol: str,
    limit: Decimal | None,
    stop: Decimal | None,
    time_in_force: TimeInForce | None,
    account: int | None,
    extended: ExtendedSession | None,
) -> OrderRequest:
    """The cross-field rules shared by the text command and the modal."""
    order_type: OrderType
    if limit is not None and stop is not None:
        order_type = "StopLimit"
    elif stop is not None:
        order_type = "Stop"
    elif limit is not None:
        order_type = "Limit"
    else:
        order_type = "Market"
    if order_type == "Market" and time_in_force == "GoodTillCancel":
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
            after = _value_after(options, index, word, "a cool-down such as 1h", _REPEAT_EXAMPLE)
            repeat_every = _repeat_every(after)
            index += 1
        else:
            raise _Invalid(
                f"{_show(options[index])} is not an alert option; after the "
                f"{'percent' if direction else 'price'} use last, bid, ask, expires, repeat or every"
            )
        index += 1
    if direction is not None and percent is not None:
        return AlertMoveRequest(symbol, direction, percent, field, expires_in, repeat_every)
    assert operator is not None and price is not None
    return AlertRequest(symbol, operator, price, field, expires_in, repeat_every)


def _percent(token: str) -> Decimal:
    """`5%` (or `5`, `2.5%`): above 0, at most MAX_MOVE_PERCENT, at most 2 decimal places."""
    match = _PERCENT_RE.fullmatch(token)
    if match is None:
        raise _Invalid(f"The move must be a percent such as 5%, not {_show(token)}", example=_MOVE_EXAMPLE)
    value = Decimal(match.group(1))
    exponent = value.as_tuple().exponent
    if not 0 < value <= MAX_MOVE_PERCENT or (isinstance(exponent, int) and -exponent > 2):
        raise _Invalid(
            f"The move must be above 0% and at most {MAX_MOVE_PERCENT}%, with at most 2 decimal "
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


# --------------------------------------------------------------------------- quotes


_RANGE_LIKE_RE = re.compile(r"[0-9]+[a-z]+", re.IGNORECASE)


def _quote_from_tokens(tokens: list[str]) -> QuoteRequest:
    """The `/quote` grammar; commas separate symbols as well as spaces."""
    tokens = [part for token in tokens for part in token.split(",") if part]
    symbols: list[str] = []
    charted = False
    chart_range: ChartRange | None = None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        word = token.lower()
        if word == "chart":
            if charted:
                raise _Invalid("Ask for one chart", example="AAPL chart 5d")
            charted = True
            following = tokens[index + 1] if index + 1 < len(tokens) else ""
            chart_range = next((r for r in CHART_RANGES if r == following.lower()), None)
            if chart_range is not None:
                index += 1
            elif _RANGE_LIKE_RE.fullmatch(following):
                raise _Invalid(
                    f"Chart ranges are {', '.join(CHART_RANGES[:-1])} or {CHART_RANGES[-1]}, "
                    f"not {_show(following)}",
                    example="AAPL chart 5d",
                )
        elif word in CHART_RANGES:
            raise _Invalid(f"Put the range {_show(token)} right after chart", example="AAPL chart 5d")
        else:
            symbol = _symbol(token)
            if symbol not in symbols:
                symbols.append(symbol)
        index += 1
    if not symbols:
        raise _Invalid("Name at least one symbol to quote")
    if len(symbols) > MAX_QUOTE_SYMBOLS:
        raise _Invalid(f"You can quote at most {MAX_QUOTE_SYMBOLS} symbols at once, not {len(symbols)}")
    return QuoteRequest(tuple(symbols), (chart_range or DEFAULT_CHART_RANGE) if charted else None)


# --------------------------------------------------------------------------- watchlist

_WATCH_ACTIONS: dict[str, WatchAction] = {
    "add": "add",
    "remove": "remove",
    "delete": "remove",  # as in `/alert delete`
    "list": "show",
    "show": "show",
}


def _watch_from_tokens(tokens: list[str]) -> WatchRequest:
    """The `/watch` grammar: nothing (or list), or add/remove and symbols (commas separate them
    too)."""
    if not tokens:
        return WatchRequest()
    word, rest = tokens[0].lower(), [part for token in tokens[1:] for part in token.split(",") if part]
    action = _WATCH_ACTIONS.get(word)
    if action is None:
        example = None
        if tokens[0].startswith("$") or tokens[0].isupper():  # a ticker: they meant to add it
            try:
                example = f"add {_symbol(tokens[0])}"
            except _Invalid:
                pass
        raise _Invalid(
            f"{_show(tokens[0])} is not a /watch action; use add or remove with symbols, "
            "or nothing to see your watchlist",
            example=example,
        )
    if action == "show":
        if rest:
            raise _Invalid(f"{_show(rest[0])} is not understood after {word}", example="list")
        return WatchRequest()
    example = f"{action} AAPL MSFT"
    symbols: list[str] = []
    for token in rest:
        try:
            symbol = _symbol(token)
        except _Invalid as invalid:
            raise _Invalid(invalid.problem, example=example) from None
        if symbol not in symbols:
            symbols.append(symbol)
    if not symbols:
        raise _Invalid(f"Name at least one symbol to {action}", example=example)
    if len(symbols) > MAX_WATCH_SYMBOLS:
        raise _Invalid(
            f"You can {action} at most {MAX_WATCH_SYMBOLS} symbols at once, not {len(symbols)}",
            example=example,
        )
    return WatchRequest(action, tuple(symbols))


# --------------------------------------------------------------------------- /autoshares

_NO_ARGUMENT_COMMANDS: dict[str, AutosharesName] = {
    "link": "link",
    "unlink": "unlink",
    "status": "status",
    "agreements": "agreements",
    "signup": "signup",
}
_VALID_SUBCOMMANDS = "link, unlink, status, agreements, account, positions, signup, quote, order, alert, watch, digest, admin or help"


def _autoshares_from_tokens(tokens: list[str]) -> AutosharesCommand:
    """The `/autoshares` grammar for the subcommands that are not delegated."""
    if not tokens:
        return AutosharesCommand("help")
    word, rest = tokens[0].lower(), tokens[1:]
    if word == "help":
        # Whatever follows, the answer is the same list; refusing `help order` helps nobody.
        return AutosharesCommand("help")
    if word in _NO_ARGUMENT_COMMANDS:
        if rest:
            raise _Invalid(f"/autoshares {word} takes nothing after it, not {_show(rest[0])}", example=word)
        return AutosharesCommand(_NO_ARGUMENT_COMMANDS[word])
    if word in ("account", "accounts"):
        if not rest:
            return AutosharesCommand("account")
        if rest[0].lower() != "add":
            raise _Invalid(
                f"{_show(rest[0])} is not understood after {word}; use account or accounts add 12",
                example="accounts add 12",
            )
        if len(rest) < 2:
            raise _Invalid("Say which account to add by its id", example="accounts add 12")
        if len(rest) > 2:
            raise _Invalid(f"{_show(rest[2])} is not understood after the id", example="accounts add 12")
        return AutosharesCommand("accounts_add", _identifier(rest[1], "account id"))
    if word == "admin":
        return AutosharesCommand("admin", _team_from_tokens(rest))
    if word in ("digest", "digests"):
        return AutosharesCommand("digest", _digest_from_tokens(rest))
    if word == "positions":
        account = None
        if rest:
            account_tokens = rest if rest[0].lower() == "account" else ["account", *rest]
            account = _account_option(account_tokens, "positions", "positions 12")
        return AutosharesCommand("positions", account)
    raise _Invalid(f"{_show(tokens[0])} is not an /autoshares command; use {_VALID_SUBCOMMANDS}")


# --------------------------------------------------------------------------- /autoshares admin

_USER_RE = re.compile(r"<@([UW][A-Z0-9]{2,20})>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]{2,20})>")
_AMOUNT_RE = re.compile(r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(\.[0-9]{1,2})?")
MAX_LIMIT_AMOUNT = Decimal(1_000_000_000)
MAX_DAILY_ORDERS = 10_000
_ROLE_WORDS = {
    "viewer": "viewer",
    "trader": "trader",
    "approver": "approver",
    "admin": "admin",
    "default": None,
}
_NONE_WORDS = frozenset({"none", "off", "no", "unlimited"})
_ADMIN_EXAMPLES = {
    "role": "admin role @alice trader",
    "limit": "admin limit @alice value 5000",
    "approval": "admin approval @alice on",
    "approvals": "admin approvals over 10000",
    "orders": "admin orders in #trading dm",
    "alerts": "admin alerts anywhere",
}
_ADMIN_WORDS = "show, role, limit, approval, approvals, orders, alerts, pause or resume"


def _member(tokens: list[str], index: int, example: str) -> str:
    if index >= len(tokens):
        raise _Invalid("Say which member, with an @mention", example=example)
    match = _USER_RE.fullmatch(tokens[index])
    if match is None:
        raise _Invalid(
            f"{_show(tokens[index])} is not a member; pick them with @ so Slack sends who you mean",
            example=example,
        )
    return match.group(1)


def _amount(token: str, example: str) -> Decimal:
    match = _AMOUNT_RE.fullmatch(token)
    if match is None:
        raise _Invalid(
            f"The amount must be a number of dollars such as 5000, not {_show(token)}", example=example
        )
    value = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    if not 0 < value <= MAX_LIMIT_AMOUNT:
        raise _Invalid(f"The amount must be above 0 and at most {MAX_LIMIT_AMOUNT:,}", example=example)
    return value


def _places_from(tokens: list[str], example: str) -> tuple[str, ...] | None:
    """`anywhere`, `dm`, or `in <#C…> … [dm]` → None (anywhere) or the allowed places."""
    if not tokens:
        raise _Invalid("Say anywhere, dm, or in followed by channels", example=example)
    word = tokens[0].lower()
    if word in ("anywhere", "everywhere", "all"):
        if len(tokens) > 1:
            raise _Invalid(f"{_show(tokens[1])} is not understood after {word}", example=example)
        return None
    chosen = tokens[1:] if word == "in" else tokens
    places: list[str] = []
    for token in chosen:
        if token.lower() in ("dm", "dms"):
            places.append("dm")
            continue
        match = _CHANNEL_RE.fullmatch(token)
        if match is None:
            raise _Invalid(
                f"{_show(token)} is not a channel; pick channels with # so Slack sends which you mean",
                example=example,
            )
        places.append(match.group(1))
    if not places:
        raise _Invalid("Name at least one channel with #, or dm", example=example)
    return tuple(dict.fromkeys(places))


def _switch(tokens: list[str], index: int, example: str) -> bool:
    word = tokens[index].lower() if index < len(tokens) else ""
    if word in ("on", "yes", "true"):
        return True
    if word in ("off", "no", "false"):
        return False
    raise _Invalid("Say on or off", example=example)


def _nothing_after(tokens: list[str], index: int, example: str) -> None:
    if len(tokens) > index:
        raise _Invalid(f"{_show(tokens[index])} is not understood here", example=example)


def _team_from_tokens(tokens: list[str]) -> TeamCommand:
    """The `/autoshares admin` grammar."""
    if not tokens or tokens[0].lower() in ("show", "team"):
        if tokens[1:]:
            raise _Invalid(f"{_show(tokens[1])} is not understood after admin", example="admin")
        return TeamCommand("show")
    word, rest = tokens[0].lower(), tokens[1:]
    example = _ADMIN_EXAMPLES.get(word, "admin")
    if word in ("pause", "resume"):
        _nothing_after(rest, 0, f"admin {word}")
        return TeamCommand("pause" if word == "pause" else "resume")
    if word == "role":
        member = _member(rest, 0, example)
        if len(rest) < 2 or rest[1].lower() not in _ROLE_WORDS:
            raise _Invalid("Say the role: viewer, trader, approver, admin or default", example=example)
        _nothing_after(rest, 2, example)
        return TeamCommand("role", member=member, role=_ROLE_WORDS[rest[1].lower()])
    if word == "limit":
        member = _member(rest, 0, example)
        kind = rest[1].lower() if len(rest) > 1 else ""
        if kind not in ("value", "daily"):
            raise _Invalid("Say value (largest order, in dollars) or daily (orders per day)", example=example)
        if len(rest) < 3:
            raise _Invalid(f"Say the {kind} limit, or none", example=example)
        _nothing_after(rest, 3, example)
        given = rest[2]
        if kind == "value":
            amount = None if given.lower() in _NONE_WORDS else _amount(given, example)
            return TeamCommand("max_value", member=member, amount=amount)
        if given.lower() in _NONE_WORDS:
            return TeamCommand("max_daily", member=member, count=None)
        if not _DIGITS_RE.fullmatch(given) or not 0 < int(given) <= MAX_DAILY_ORDERS:
            raise _Invalid(
                f"The daily limit must be a whole number from 1 to {MAX_DAILY_ORDERS:,}, not {_show(given)}",
                example="admin limit @alice daily 5",
            )
        return TeamCommand("max_daily", member=member, count=int(given))
    if word == "approval":
        member = _member(rest, 0, example)
        flag = _switch(rest, 1, example)
        _nothing_after(rest, 2, example)
        return TeamCommand("needs_approval", member=member, flag=flag)
    if word == "approvals":
        kind = rest[0].lower() if rest else ""
        if kind in _NONE_WORDS:
            _nothing_after(rest, 1, example)
            return TeamCommand("threshold", amount=None)
        if kind == "over" and len(rest) == 2:
            return TeamCommand("threshold", amount=_amount(rest[1], example))
        if kind == "in" and len(rest) == 2:
            match = _CHANNEL_RE.fullmatch(rest[1])
            if match is None:
                raise _Invalid(
                    f"{_show(rest[1])} is not a channel; pick it with #",
                    example="admin approvals in #approvals",
                )
            return TeamCommand("approvals_channel", channel=match.group(1))
        raise _Invalid(
            "Say approvals over <amount>, approvals off, or approvals in #channel", example=example
        )
    if word in ("orders", "alerts"):
        places = _places_from(rest, example)
        return TeamCommand("order_places" if word == "orders" else "alert_places", places=places)
    raise _Invalid(f"{_show(tokens[0])} is not an admin command; use {_ADMIN_WORDS}", example="admin")


# --------------------------------------------------------------------------- /autoshares digest

_CLOCK_RE = re.compile(r"([0-9]{1,2})(?::([0-9]{2}))?(am|pm)?", re.IGNORECASE)
_DIGEST_EXAMPLE = "digest weekdays at close"


def _clock(token: str) -> str:
    """`16:15`, `9:30`, `4pm`, `4:15pm` → ``HH:MM`` (24 hours)."""
    match = _CLOCK_RE.fullmatch(token)
    if match is None or (match.group(2) is None and match.group(3) is None):
        raise _Invalid(
            f"{_show(token)} is not a time; use 16:15, 4:15pm, close or open", example="digest daily 16:15"
        )
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise _Invalid(f"{_show(token)} is not a time of day", example="digest daily 4:15pm")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _Invalid(f"{_show(token)} is not a time of day", example="digest daily 16:15")
    return f"{hour:02d}:{minute:02d}"


def _digest_from_tokens(tokens: list[str]) -> DigestCommand:
    """`digest [list]`, `digest off [id]`, `digest daily|weekdays [at] 16:15|4pm|close|open`."""
    if not tokens or tokens[0].lower() == "list":
        if tokens[1:]:
            raise _Invalid(f"{_show(tokens[1])} is not understood after list", example="digest list")
        return DigestListCommand()
    word, rest = tokens[0].lower(), tokens[1:]
    if word in ("off", "stop", "delete"):
        if not rest:
            return DigestOffCommand()
        if len(rest) > 1:
            raise _Invalid(f"{_show(rest[1])} is not understood after the id", example="digest off 2")
        return DigestOffCommand(_identifier(rest[0], "digest id"))
    if word not in ("daily", "weekdays", "weekday"):
        raise _Invalid(
            f"{_show(tokens[0])} is not understood; use daily, weekdays, list or off", example=_DIGEST_EXAMPLE
        )
    every: DigestEvery = "daily" if word == "daily" else "weekdays"
    if rest and rest[0].lower() == "at":
        rest = rest[1:]
    if not rest:
        raise _Invalid("Say when: a time such as 16:15, or close or open", example=_DIGEST_EXAMPLE)
    if len(rest) > 1:
        raise _Invalid(f"{_show(rest[1])} is not understood after the time", example=_DIGEST_EXAMPLE)
    when = rest[0].lower()
    if when in ("close", "open"):
        return DigestRequest(every, market_time="close" if when == "close" else "open")
    return DigestRequest(every, at=_clock(rest[0]))


# --------------------------------------------------------------------------- mentions and links

#: How an AutoShares quote page names its symbol: ``https://<AUTOSHARES_QUOTE_DOMAIN>/quote/AAPL``
#: (or ``www.<domain>``; any case, an optional trailing slash, any query or fragment).
QUOTE_PAGE_PREFIX = "/quote/"

#: ``$AAPL`` not glued to a word or a number before it (``US$5`` is no cashtag); the symbol
#: characters of SYMBOL_RE, in either case, checked whole after trailing punctuation is dropped.
_CASHTAG_RE = re.compile(r"(?<![A-Za-z0-9$])\$([A-Za-z][A-Za-z0-9.\-]*)")
#: Slack's markup in message text: mentions, channels and links (``<https://…|label>``).
_SLACK_MARKUP_RE = re.compile(r"<[^<>]*>")


def cashtags(text: str) -> list[str]:
    """The distinct symbols written as cashtags (``$AAPL``, ``$brk.b``) in a message's text, in
    the order written, upper-cased. Slack markup (mentions, links, whose URLs may hold a ``$``) is
    skipped, and a word that is no valid ticker (``$TOOLONGSYMBOL``) is no cashtag. The caller
    decides how many to quote (``MAX_QUOTE_SYMBOLS``)."""
    text = _SLACK_MARKUP_RE.sub(" ", text.translate(_ZERO_WIDTH))
    found: list[str] = []
    for match in _CASHTAG_RE.finditer(text):
        candidate = match.group(1).rstrip(".-").upper()
        if candidate.isascii() and SYMBOL_RE.fullmatch(candidate) and candidate not in found:
            found.append(candidate)
    return found


def quote_page_symbol(url: str, domain: str) -> str | None:
    """The symbol a link to an AutoShares quote page on ``domain`` names, or None for any other
    link (another host or path, a symbol that is no valid ticker)."""
    try:
        parts = urlsplit(url.strip().replace("&amp;", "&"))
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        return None
    if parts.scheme not in ("http", "https") or host not in (domain, f"www.{domain}"):
        return None
    path = parts.path
    if not path.lower().startswith(QUOTE_PAGE_PREFIX):
        return None
    candidate = path[len(QUOTE_PAGE_PREFIX) :].removesuffix("/").upper()
    if not candidate.isascii() or not SYMBOL_RE.fullmatch(candidate):
        return None
    return candidate
