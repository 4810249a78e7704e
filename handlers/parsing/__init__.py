"""Slash-command grammar -> typed requests, with no I/O: one module per command.

Every command the bot accepts (`/order`, `/alert`, `/quote`, `/watch`, `/autoshares ...`), the
order modal and the team forms are turned into frozen dataclasses here, so handlers never look
at raw text. The rules (what a valid id, quantity, price, symbol or limit is) are the domain's
vocabulary (``bot.vocabulary``); this package reads text by them and says what is wrong.

Any input that is not a token of the grammar raises `ParseError`, whose message is a sentence a
Slack user can act on: what was wrong, then `Try <example>`. Echoed user text is shortened,
put in a code span and escaped the way Slack escapes message text (`&`, `<`, `>`), and `@` is
followed by a zero-width space, so an error can never ping `@channel` or inject a mention or link.

Mentions and links are read here too (``mentions``): ``cashtags`` finds ``$AAPL`` in a message
that mentions the bot, and ``quote_page_symbol`` the symbol an AutoShares quote page link names.

Slack sends slash-command text with `&`, `<` and `>` escaped as `&amp;`, `&lt;` and `&gt;` even
when `should_escape` is false, so the parsers unescape those first (`&gt;=` means `>=`).

The names callers used when this was one module are re-exported here.
"""

from __future__ import annotations

from bot.core.commands import (
    AlertCommand,
    AlertDeleteCommand,
    AlertDeliverCommand,
    AlertListCommand,
    AlertMoveRequest,
    AlertRequest,
    DigestCommand,
    DigestListCommand,
    DigestOffCommand,
    DigestRequest,
    OrderCancelCommand,
    OrderCommand,
    OrderEditCommand,
    OrderListCommand,
    OrderRequest,
    OrderTicketCommand,
    QuoteRequest,
    TeamCommand,
    WatchRequest,
)
from bot.vocabulary.bounds import (
    DEFAULT_REPEAT_EVERY,
    MAX_ALERT_EXPIRY,
    MAX_MOVE_PERCENT,
    MAX_PRICE,
    MAX_PRICE_PLACES,
    MAX_QUANTITY,
    MAX_REPEAT_EVERY,
    MIN_ALERT_EXPIRY,
    MIN_REPEAT_EVERY,
)
from bot.vocabulary.ids import MAX_AUTOSHARES_ID as MAX_ID
from bot.vocabulary.symbols import SYMBOL_RE
from bot.vocabulary.team_limits import MAX_DAILY_ORDERS, MAX_LIMIT_AMOUNT
from handlers.parsing.admin import member_form, policy_form
from handlers.parsing.alert import ALERT_EXAMPLE, parse_alert
from handlers.parsing.autoshares import (
    AUTOSHARES_EXAMPLE,
    AutosharesArgs,
    AutosharesCommand,
    AutosharesName,
    parse_autoshares,
)
from handlers.parsing.common import ParseError
from handlers.parsing.fund import FUND_EXAMPLE, parse_fund
from handlers.parsing.help import COMMAND_HELP, CommandHelp
from handlers.parsing.mentions import QUOTE_PAGE_PREFIX, cashtags, quote_page_symbol
from handlers.parsing.news import NEWS_EXAMPLE, parse_news
from handlers.parsing.options import OPTIONS_EXAMPLE, parse_options
from handlers.parsing.order import (
    EDIT_EXAMPLE,
    ORDER_EXAMPLE,
    edit_from_fields,
    edit_text,
    order_from_fields,
    order_text,
    parse_order,
)
from handlers.parsing.quote import (
    CHART_RANGES,
    DEFAULT_CHART_RANGE,
    MAX_QUOTE_SYMBOLS,
    QUOTE_EXAMPLE,
    parse_quote,
    symbol_from_field,
)
from handlers.parsing.watch import MAX_WATCH_SYMBOLS, WATCH_EXAMPLE, parse_watch

__all__ = [
    "ALERT_EXAMPLE",
    "AUTOSHARES_EXAMPLE",
    "CHART_RANGES",
    "COMMAND_HELP",
    "DEFAULT_CHART_RANGE",
    "DEFAULT_REPEAT_EVERY",
    "FUND_EXAMPLE",
    "MAX_ALERT_EXPIRY",
    "MAX_DAILY_ORDERS",
    "MAX_ID",
    "MAX_LIMIT_AMOUNT",
    "MAX_MOVE_PERCENT",
    "MAX_PRICE",
    "MAX_PRICE_PLACES",
    "MAX_QUANTITY",
    "MAX_QUOTE_SYMBOLS",
    "MAX_REPEAT_EVERY",
    "MAX_WATCH_SYMBOLS",
    "MIN_ALERT_EXPIRY",
    "MIN_REPEAT_EVERY",
    "EDIT_EXAMPLE",
    "OPTIONS_EXAMPLE",
    "NEWS_EXAMPLE",
    "ORDER_EXAMPLE",
    "QUOTE_EXAMPLE",
    "QUOTE_PAGE_PREFIX",
    "SYMBOL_RE",
    "WATCH_EXAMPLE",
    "AlertCommand",
    "AlertDeleteCommand",
    "AlertDeliverCommand",
    "AlertListCommand",
    "AlertMoveRequest",
    "AlertRequest",
    "AutosharesArgs",
    "AutosharesCommand",
    "AutosharesName",
    "CommandHelp",
    "DigestCommand",
    "DigestListCommand",
    "DigestOffCommand",
    "DigestRequest",
    "OrderCancelCommand",
    "OrderCommand",
    "OrderEditCommand",
    "OrderListCommand",
    "OrderRequest",
    "OrderTicketCommand",
    "ParseError",
    "QuoteRequest",
    "TeamCommand",
    "WatchRequest",
    "cashtags",
    "member_form",
    "edit_from_fields",
    "edit_text",
    "order_from_fields",
    "order_text",
    "parse_alert",
    "parse_fund",
    "parse_autoshares",
    "parse_options",
    "parse_news",
    "parse_order",
    "parse_quote",
    "parse_watch",
    "policy_form",
    "quote_page_symbol",
    "symbol_from_field",
]
