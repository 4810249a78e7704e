"""Quotes: price (Price, or Last when Price is 0), change, bid/ask, day range, volume, the
data's time and whether it is delayed; unknown symbols with the closest matches; the chart
image, private to the asker; a Share button that reposts the quotes (and the chart) to the
channel, naming who shared them.

The Share button's value is what the click acts on, so it is parsed strictly:
``AAPL,MSFT`` (the quotes), or ``AAPL,MSFT;1y;<chart id>`` when the answer shows a chart (always
of the first symbol).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, ImageBlock

from bot.autoshares.resources import NewsItem, Quote, Security
from bot.core.charts import CHART_ID_RE, RANGES
from bot.core.views import QuoteRow
from bot.vocabulary.symbols import is_symbol
from handlers.blocks.common import clip, context, escape, message, section
from handlers.blocks.news import headline_line
from handlers.blocks.numbers import MISSING, percent, price, signed_money, trend, volume

__all__ = [
    "QUOTE_SHARE",
    "PrivateChart",
    "ShareRequest",
    "quote_price",
    "quote_message",
    "share_value",
    "parse_share_value",
    "shared_by_line",
    "mention",
]

QUOTE_SHARE = "quote_share"
_SLACK_USER_RE = re.compile(r"[UW][A-Z0-9]{2,20}")
MAX_SHARED_SYMBOLS = 10


def quote_price(quote: Quote) -> Decimal | None:
    """AutoShares' Price, falling back to Last when Price is 0 or missing."""
    return quote.value


def _timestamp(quote: Quote) -> str:
    raw = quote.timestamp or quote.date
    if not raw:
        return "time not given"
    try:
        moment = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return f"as of {escape(raw)}"
    fallback = moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment.tzinfo else moment.isoformat()
    return f"as of <!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time_secs}}|{fallback}>"


def _delay_words(delayed: bool | None) -> str:
    if delayed is True:
        return "delayed data"
    if delayed is False:
        return "real-time data"
    return "may be delayed"


def _row_text(row: QuoteRow, delayed: bool | None) -> str:
    equity, quote = row.equity, row.quote
    currency = equity.currency or "USD"
    name = equity.description
    exchange = equity.exchange
    head = f"*{escape(row.symbol)}*"
    if name:
        head += f"  {escape(name)}"
    if exchange:
        head += f" · {escape(exchange)}"
    if quote is None:
        return f"{head}\n_No quote arrived in time; try again in a moment._"
    change = quote.change
    change_pc = quote.change_pc
    move = trend(change if change is not None else change_pc)
    change_text = ""
    if change is not None or change_pc is not None:
        bits = [move, signed_money(change, currency), f"({percent(change_pc)})"]
        change_text = "  " + " ".join(b for b in bits if b)
    halted = "  :no_entry: halted" if quote.is_halted else ""
    lines = [head, f"*{price(quote_price(quote), currency)}*{change_text}{halted}"]
    low, high = quote.low, quote.high
    day = (
        f"{price(low, currency)}–{price(high, currency)}" if low is not None and high is not None else MISSING
    )
    vol = quote.volume if quote.volume is not None else quote.total_daily_volume
    lines.append(
        f"Bid {price(quote.bid, currency)} · Ask {price(quote.ask, currency)} · "
        f"Day {day} · Vol {volume(vol)}"
    )
    lines.append(f"_{_timestamp(quote)} · {_delay_words(delayed)}_")
    return "\n".join(lines)


def _suggestion_text(symbol: str, suggestions: Sequence[Security]) -> str:
    names = [
        f"*{escape(s.symbol)}*" + (f" ({escape(s.description)})" if s.description else "")
        for s in suggestions[:5]
        if s.symbol
    ]
    hint = f" Closest matches: {', '.join(names)}." if names else " Check the ticker and try again."
    return f":grey_question: There is no such symbol as *{escape(symbol)}* at AutoShares.{hint}"


@dataclass(frozen=True)
class PrivateChart:
    """The chart of a private answer: the stored chart's id (for Share) and, when Slack can be
    asked to show it, the signed URL of its image (None: a sparkline note stands in)."""

    chart_id: str
    symbol: str
    chart_range: str
    image_url: str | None = None


@dataclass(frozen=True)
class ShareRequest:
    """What a Share click posts: the quotes, and the chart of the first one when it names one."""

    symbols: list[str]
    chart_range: str | None = None
    chart_id: str | None = None


def share_value(symbols: Sequence[str], chart: PrivateChart | None = None) -> str:
    value = ",".join(symbols[:MAX_SHARED_SYMBOLS])
    if chart is not None and symbols and chart.symbol == symbols[0]:
        value += f";{chart.chart_range};{chart.chart_id}"
    return value


def parse_share_value(value: str) -> ShareRequest:
    """What a Share button carries; ValueError when the value is not one the bot makes."""
    listed, *chart = value.split(";")
    symbols = [s for s in listed.split(",") if s]
    if not symbols or len(symbols) > MAX_SHARED_SYMBOLS or not all(map(is_symbol, symbols)):
        raise ValueError(value)
    if not chart:
        return ShareRequest(symbols)
    if len(chart) != 2 or chart[0] not in RANGES or not CHART_ID_RE.fullmatch(chart[1]):
        raise ValueError(value)
    return ShareRequest(symbols, chart_range=chart[0], chart_id=chart[1])


def mention(user_id: str) -> str:
    """``<@U123>`` for a Slack user id from a payload; anything else is not turned into a mention."""
    return f"<@{user_id}>" if _SLACK_USER_RE.fullmatch(user_id) else "someone"


def shared_by_line(user_id: str) -> str:
    """``Shared by @someone``."""
    return f"Shared by {mention(user_id)}"


def quote_message(
    rows: Sequence[QuoteRow],
    unknown: Mapping[str, Sequence[Security]] | None = None,
    *,
    delayed: bool | None = None,
    shared_by: str | None = None,
    chart_note: str | None = None,
    chart: PrivateChart | None = None,
    shareable: bool = True,
    note: str | None = None,
    headlines: Mapping[str, NewsItem] | None = None,
) -> dict[str, Any]:
    """The quotes asked for, in order; unknown symbols after them with suggestions.

    ``shared_by`` (a Slack user id) marks the public copy; ``chart`` is the private answer's
    chart (its image, and Share posts it too); ``chart_note`` is safe mrkdwn (e.g. a sparkline
    when the chart image cannot be shown); the Share button is offered on a private answer that
    has at least one quote; ``note`` (safe text) closes the message; ``headlines`` (symbol →
    its latest story) are shown under their quotes.
    """
    unknown = unknown or {}
    blocks: list[Block] = []
    for index, row in enumerate(rows):
        if index:
            blocks.append(DividerBlock())
        blocks.append(section(_row_text(row, delayed)))
        headline = (headlines or {}).get(row.symbol)
        if headline is not None:
            blocks.append(context(headline_line(headline)))
    for symbol, suggestions in unknown.items():
        blocks.append(section(_suggestion_text(symbol, suggestions)))
    if chart is not None and chart.image_url:
        label = RANGES[chart.chart_range].label if chart.chart_range in RANGES else chart.chart_range
        blocks.append(
            ImageBlock(
                image_url=chart.image_url,
                alt_text=f"Price chart of {chart.symbol} over {label}",
                title=f"{chart.symbol} over {label}",
            )
        )
    if chart_note:
        blocks.append(section(clip(chart_note)))
    quoted = [row.symbol for row in rows if row.quote is not None]
    if shared_by:
        blocks.append(context(shared_by_line(shared_by)))
    elif shareable and quoted:
        blocks.append(
            ActionsBlock(
                block_id="quote_actions",
                elements=[
                    ButtonElement(
                        text="Share to channel",
                        action_id=QUOTE_SHARE,
                        value=share_value(quoted, chart),
                        accessibility_label=(
                            "Post these quotes and the chart to the channel for everyone"
                            if chart is not None and chart.symbol == quoted[0]
                            else "Post these quotes to the channel for everyone"
                        ),
                    )
                ],
            )
        )
    if note:
        blocks.append(context(note))
    summary = _summary(rows, unknown)
    return message(summary, blocks)


def _summary(rows: Sequence[QuoteRow], unknown: Mapping[str, Any]) -> str:
    parts = []
    for row in rows:
        if row.quote is None:
            parts.append(f"{escape(row.symbol)}: no quote")
            continue
        currency = row.equity.currency or "USD"
        parts.append(
            f"{escape(row.symbol)} {price(quote_price(row.quote), currency)} ({percent(row.quote.change_pc)})"
        )
    parts += [f"{escape(symbol)}: no such symbol" for symbol in unknown]
    return " · ".join(parts) or "No quotes."
