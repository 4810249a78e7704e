"""`/autoshares …`: the main command; quote, order, alert and watch delegate to their own
grammars, so `/autoshares order buy 1 AAPL` means exactly what `/order buy 1 AAPL` means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.core.commands import (
    ActivityRequest,
    AlertCommand,
    DigestCommand,
    FundCommand,
    NewsRequest,
    OptionChainRequest,
    OrderCommand,
    PerformanceRequest,
    QuoteRequest,
    TeamCommand,
    WatchRequest,
)
from handlers.parsing.activity import _activity_from_tokens
from handlers.parsing.admin import _team_from_tokens
from handlers.parsing.alert import ALERT_EXAMPLE, _alert_from_tokens
from handlers.parsing.common import (
    _account_option,
    _identifier,
    _Invalid,
    _run,
    _show,
    _tokens,
)
from handlers.parsing.digest import _digest_from_tokens
from handlers.parsing.fund import FUND_EXAMPLE, _fund_from_tokens
from handlers.parsing.news import NEWS_EXAMPLE, _news_from_tokens
from handlers.parsing.options import OPTIONS_EXAMPLE, _chain_from_tokens
from handlers.parsing.order import ORDER_EXAMPLE, _order_from_tokens
from handlers.parsing.performance import PERFORMANCE_EXAMPLE, _performance_from_tokens
from handlers.parsing.quote import QUOTE_EXAMPLE, _quote_from_tokens
from handlers.parsing.watch import WATCH_EXAMPLE, _watch_from_tokens

AutosharesName = Literal[
    "link",
    "unlink",
    "status",
    "help",
    "agreements",
    "account",
    "accounts_add",
    "account_all",
    "positions",
    "positions_top",
    "activity",
    "signup",
    "quote",
    "order",
    "fund",
    "alert",
    "watch",
    "admin",
    "digest",
    "options",
    "performance",
    "news",
    "ipo",
    "transfers",
]


AUTOSHARES_EXAMPLE = "help"

AutosharesArgs: TypeAlias = (
    QuoteRequest
    | OrderCommand
    | FundCommand
    | AlertCommand
    | WatchRequest
    | TeamCommand
    | DigestCommand
    | OptionChainRequest
    | PerformanceRequest
    | NewsRequest
    | ActivityRequest
    | int
    | None
)


@dataclass(frozen=True, slots=True)
class AutosharesCommand:
    """One `/autoshares` subcommand.

    `args` depends on `name`: a `QuoteRequest`, `OrderCommand`, `AlertCommand`, `WatchRequest` or
    `PerformanceRequest` for quote/order/alert/watch/performance, a `NewsRequest` for news, an
    `ActivityRequest` for activity, the account id (`int`) for accounts_add, the optional account
    id for positions, positions_top, ipo and transfers, and None for the rest.
    """

    name: AutosharesName
    args: AutosharesArgs = None


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
    if word == "fund":
        return AutosharesCommand("fund", _run(_fund_from_tokens, rest, "/autoshares fund", FUND_EXAMPLE))
    if word == "alert":
        alert = _run(_alert_from_tokens, rest, "/autoshares alert", ALERT_EXAMPLE)
        return AutosharesCommand("alert", alert)
    if word == "watch":
        return AutosharesCommand("watch", _run(_watch_from_tokens, rest, "/autoshares watch", WATCH_EXAMPLE))
    if word == "options":
        return AutosharesCommand("options", _run(_chain_from_tokens, rest, "/options", OPTIONS_EXAMPLE))
    if word == "news":
        return AutosharesCommand("news", _run(_news_from_tokens, rest, "/news", NEWS_EXAMPLE))
    if word == "performance":
        request = _run(_performance_from_tokens, rest, "/autoshares", PERFORMANCE_EXAMPLE)
        return AutosharesCommand("performance", request)
    return _run(_autoshares_from_tokens, tokens, "/autoshares", AUTOSHARES_EXAMPLE)


# --------------------------------------------------------------------------- /autoshares

_NO_ARGUMENT_COMMANDS: dict[str, AutosharesName] = {
    "link": "link",
    "unlink": "unlink",
    "status": "status",
    "agreements": "agreements",
    "signup": "signup",
}
_VALID_SUBCOMMANDS = (
    "link, unlink, status, agreements, account, positions, performance, activity, ipo, transfers, "
    "signup, quote, news, order, options, fund, alert, watch, digest, admin or help"
)
#: Subcommands that take nothing but an optional account: `positions 12`, `ipo account 12`.
_ACCOUNT_COMMANDS: dict[str, AutosharesName] = {
    "positions": "positions",
    "ipo": "ipo",
    "ipos": "ipo",
    "transfers": "transfers",
}


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
        if rest[0].lower() == "all":
            if len(rest) > 1:
                raise _Invalid(f"{_show(rest[1])} is not understood after {word} all", example="account all")
            return AutosharesCommand("account_all")
        if rest[0].lower() != "add":
            raise _Invalid(
                f"{_show(rest[0])} is not understood after {word}; use account, account all or accounts add 12",
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
    if word == "activity":
        return AutosharesCommand("activity", _activity_from_tokens(rest))
    if word == "positions" and rest and rest[0].lower() == "top":
        top = _account_option(rest[1:], "positions top", "positions top account 12")
        return AutosharesCommand("positions_top", top)
    if word in _ACCOUNT_COMMANDS:
        name = _ACCOUNT_COMMANDS[word]
        account = None
        if rest:
            account_tokens = rest if rest[0].lower() == "account" else ["account", *rest]
            account = _account_option(account_tokens, name, f"{name} 12")
        return AutosharesCommand(name, account)
    raise _Invalid(f"{_show(tokens[0])} is not an /autoshares command; use {_VALID_SUBCOMMANDS}")
