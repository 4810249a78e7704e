"""`/news AAPL`: one symbol (a leading `$` is dropped, any case)."""

from __future__ import annotations

from bot.core.commands import NewsRequest
from handlers.parsing.common import _Invalid, _run, _show, _symbol, _tokens

NEWS_EXAMPLE = "AAPL"


def _news_from_tokens(tokens: list[str]) -> NewsRequest:
    if not tokens:
        raise _Invalid("Say whose news you want")
    if len(tokens) > 1:
        raise _Invalid(f"Ask for one symbol's news at a time, not {_show(tokens[1])} as well")
    return NewsRequest(_symbol(tokens[0]))


def parse_news(text: str) -> NewsRequest:
    """Parse `/news` text."""
    return _run(_news_from_tokens, _tokens(text), "/news", NEWS_EXAMPLE)
