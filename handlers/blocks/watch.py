"""The watchlist: one line per symbol with its price, the day's change (money and percent) and a
sparkline of the day; what `/watch add` and `/watch remove` did; the lines App Home shows.

A sparkline is the day's closes followed by the live price, so it ends where the quote is even
when the history was fetched a few minutes earlier. A symbol without history simply has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block

from bot.core.views import WatchChange, WatchlistView, WatchRow
from handlers.blocks.common import context, escape, message, section
from handlers.blocks.numbers import number, percent, price, signed_money, trend
from handlers.blocks.quote import quote_price
from handlers.charts import sparkline

__all__ = [
    "SPARK_WIDTH",
    "watch_line",
    "watch_lines",
    "watchlist_message",
    "watch_change_message",
]

SPARK_WIDTH = 20
#: Characters of rows per section (Slack allows 3000).
SECTION_CHARS = 2800
EMPTY = "Your watchlist is empty. Add symbols with `/watch add AAPL MSFT`."


def _spark(row: WatchRow) -> str:
    points = [float(c) for c in row.closes or ()]
    if not points:
        return ""
    live = number(quote_price(row.quote)) if row.quote is not None else None
    if live is not None and live != points[-1]:
        points.append(live)
    return sparkline(points, width=SPARK_WIDTH)


def watch_line(row: WatchRow) -> str:
    """``*AAPL*  $231.25  ▲ +$1.75 (+0.76%)  `▁▂▄▇```."""
    currency = row.security.currency or "USD"
    bits = [f"*{escape(row.symbol)}*"]
    quote = row.quote
    if quote is None:
        bits.append("_no quote_")
    else:
        bits.append(price(quote_price(quote), currency))
        change, change_pc = quote.change, quote.change_pc
        if change is not None or change_pc is not None:
            move = trend(change if change is not None else change_pc)
            parts = [move, signed_money(change, currency), f"({percent(change_pc)})"]
            bits.append(" ".join(p for p in parts if p))
    spark = _spark(row)
    if spark:
        bits.append(f"`{spark}`")
    return "  ".join(bits)


def watch_lines(view: WatchlistView) -> list[str]:
    """One line per row shown, then how many more the list holds."""
    lines = [watch_line(row) for row in view.rows]
    more = view.total - len(view.rows)
    if more > 0:
        lines.append(f"…and {more} more: `/watch`")
    return lines


def _sections(lines: Sequence[str]) -> list[Block]:
    blocks: list[Block] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks


def _delay_words(delayed: bool | None) -> str:
    if delayed is True:
        return "Prices are delayed"
    if delayed is False:
        return "Prices are real-time"
    return "Prices may be delayed"


def watchlist_message(view: WatchlistView) -> dict[str, Any]:
    """The answer to `/watch`."""
    name = escape(view.name)
    if not view.rows:
        return message("Your watchlist is empty.", [section(f":eyes: {EMPTY}")])
    head = f":eyes: *Your watchlist* · {view.total} of {view.limit} symbols"
    notes = [
        f"{_delay_words(view.delayed)}; sparklines show today. This is your AutoShares watchlist "
        f"“{name}”, the same in your other AutoShares apps."
    ]
    if view.quotes_failed:
        notes.insert(0, ":warning: Live quotes are unavailable right now; try again in a minute.")
    blocks: list[Block] = [section(head), *_sections(watch_lines(view)), context(" ".join(notes))]
    return message(_summary(view), blocks)


def _summary(view: WatchlistView) -> str:
    parts = []
    for row in view.rows:
        if row.quote is None:
            parts.append(f"{escape(row.symbol)}: no quote")
            continue
        currency = row.security.currency or "USD"
        parts.append(
            f"{escape(row.symbol)} {price(quote_price(row.quote), currency)} "
            f"({percent(row.quote.change_pc)})"
        )
    return "Watchlist: " + " · ".join(parts)


def _names(symbols: Sequence[str]) -> str:
    shown = [f"*{escape(s)}*" for s in symbols]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def watch_change_message(change: WatchChange) -> dict[str, Any]:
    """What `/watch add` or `/watch remove` did, and how full the list is now."""
    adding = change.action == "add"
    parts = []
    if change.changed:
        done = "Added" if adding else "Removed"
        where = "to" if adding else "from"
        parts.append(f"{done} {_names(change.changed)} {where} your watchlist.")
    else:
        parts.append("Nothing changed.")
    if change.unchanged:
        verb = "was" if len(change.unchanged) == 1 else "were"
        state = "already on" if adding else "not on"
        parts.append(f"{_names(change.unchanged)} {verb} {state} your watchlist.")
    text = " ".join(parts)
    icon = ":information_source:" if not change.changed else (":eyes:" if adding else ":wastebasket:")
    footer = (
        f"It holds {change.total} of {change.limit} symbols, in your AutoShares watchlist "
        f"“{escape(change.name)}”. Run `/watch` to see prices."
    )
    return message(text.replace("*", ""), [section(f"{icon} {text}"), context(footer)])
