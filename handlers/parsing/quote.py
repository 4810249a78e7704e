"""`/quote`: up to ten symbols and an optional chart; one symbol typed on its own."""

from __future__ import annotations

import re

from bot.core.commands import (
    ChartRange,
    QuoteRequest,
)
from handlers.parsing.common import (
    ParseError,
    _Invalid,
    _run,
    _show,
    _symbol,
    _tokens,
)

QUOTE_EXAMPLE = "AAPL MSFT"
MAX_QUOTE_SYMBOLS = 10
DEFAULT_CHART_RANGE: ChartRange = "1d"
CHART_RANGES: tuple[ChartRange, ...] = ("1d", "5d", "1m", "6m", "1y")


def parse_quote(text: str) -> QuoteRequest:
    """Parse `/quote` text: 1-10 symbols (spaces or commas) and optionally `chart [range]`."""
    return _run(_quote_from_tokens, _tokens(text), "/quote", QUOTE_EXAMPLE)


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
