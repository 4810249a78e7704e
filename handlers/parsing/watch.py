"""`/watch`: show the watchlist, or add or remove symbols."""

from __future__ import annotations

from bot.core.commands import (
    WatchAction,
    WatchRequest,
)
from handlers.parsing.common import (
    _Invalid,
    _run,
    _show,
    _symbol,
    _tokens,
)

WATCH_EXAMPLE = "add AAPL MSFT"
#: Symbols one `/watch add` or `/watch remove` takes (each is one AutoShares call).
MAX_WATCH_SYMBOLS = 10


def parse_watch(text: str) -> WatchRequest:
    """Parse `/watch` text: nothing or `list` (show), `add SYM…` or `remove SYM…` (1-10
    symbols, spaces or commas)."""
    return _run(_watch_from_tokens, _tokens(text), "/watch", WATCH_EXAMPLE)


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
