"""Quotes outside slash commands: the card a quote page link unfurls into, and the answer to a
mention with cashtags. Both are public (everyone in the conversation sees them), so they carry
market data only (the quote builders of ``handlers.blocks.quote``), never an account or a
position, and no Share button (they are shared already)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.autoshares.resources import NewsItem, Security
from bot.core.views import QuoteRow
from handlers.blocks.common import context, escape, message, section
from handlers.blocks.quote import quote_message

__all__ = ["MENTION_HELP", "quote_card", "link_needed_card", "mention_help", "mention_answer"]

MENTION_HELP = (
    ":wave: Mention me with cashtags to get quotes in this thread, e.g. `@AutoShares $AAPL $MSFT` "
    "(up to {limit} symbols). The quotes come through your own AutoShares login, so link it first "
    "with `/autoshares link`; `/quote AAPL chart 5d` adds a chart."
)


def quote_card(
    symbol: str,
    rows: Sequence[QuoteRow],
    unknown: Mapping[str, Sequence[Security]],
    *,
    delayed: bool | None,
    headlines: Mapping[str, NewsItem] | None = None,
) -> dict[str, Any]:
    """The unfurl of one quote page link: ``symbol``'s quote with its latest headline when
    there is one, or why there is none (no such symbol, with the closest matches)."""
    row = [r for r in rows if r.symbol == symbol]
    missing = {symbol: unknown.get(symbol, [])} if not row else {}
    built = quote_message(row, missing, delayed=delayed, shareable=False, headlines=headlines)
    return {"blocks": built["blocks"]}


def link_needed_card(symbol: str) -> dict[str, Any]:
    """The unfurl of a quote page link shared by someone who has not linked AutoShares: the
    symbol, and how to get quotes in previews (quotes are fetched with the sharer's login)."""
    built = message(
        f"{symbol} on AutoShares",
        [
            section(f":chart_with_upwards_trend: *{escape(symbol)}* on AutoShares"),
            context(
                "Quote previews come through the AutoShares login of the person who shares the link. "
                "Run `/autoshares link` to connect yours."
            ),
        ],
    )
    return {"blocks": built["blocks"]}


def mention_help(limit: int) -> dict[str, Any]:
    """The answer to a mention that names no ``$SYMBOL``."""
    text = MENTION_HELP.format(limit=limit)
    return message(text, [section(text)])


def mention_answer(
    rows: Sequence[QuoteRow],
    unknown: Mapping[str, Sequence[Security]],
    *,
    delayed: bool | None,
    left_out: Sequence[str] = (),
    limit: int = 0,
) -> dict[str, Any]:
    """Every quote a mention asked for in one message (unknown symbols with their closest
    matches); ``left_out``: cashtags past ``limit``, named in a closing note."""
    note = None
    if left_out:
        names = ", ".join(f"${escape(s)}" for s in left_out)
        note = f"I quote up to {limit} symbols at once, so I left out {names}."
    return quote_message(rows, unknown, delayed=delayed, shareable=False, note=note)
