"""`/news AAPL`: the latest headlines with their source and time, each with a Read button that
opens the story's text in a modal; and the one-line latest headline under a quote card.

The Read button's value is what the click acts on, so it is parsed strictly: ``<SYMBOL>;<NewsId>``.
Everything AutoShares wrote (headline, source, text) is escaped, so a story can never ping or
link.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import Block, ButtonElement, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject
from slack_sdk.models.views import View

from bot.autoshares.resources import NewsItem
from bot.vocabulary.ids import autoshares_id
from bot.vocabulary.symbols import is_symbol
from handlers.blocks.common import clip, context, escape, message, one_line, section

NEWS_READ = "news_read"
#: The text of a story is cut into sections this long (Slack allows 3000 characters).
ARTICLE_CHUNK = 2900
#: A modal holds at most 100 blocks; a story longer than this many sections is cut short.
ARTICLE_SECTIONS = 30


def when(item: NewsItem) -> str:
    """``<!date^…^{date_short_pretty} {time}|…>``, Slack's own time in the reader's zone."""
    moment = item.moment
    if moment is None:
        return "time not given"
    fallback = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{moment}^{{date_short_pretty}} {{time}}|{fallback}>"


def headline(item: NewsItem) -> str:
    """The story's headline, escaped, on one line."""
    return escape(one_line(item.header))


def byline(item: NewsItem) -> str:
    """``Sandbox Wire · Today 09:30``."""
    source = escape(one_line(item.source)) if item.source and item.source.strip() else "Source not given"
    return f"{clip(source, 100)} · {when(item)}"


def read_value(symbol: str, item: NewsItem) -> str:
    return f"{symbol};{item.news_id}"


def parse_read_value(value: str) -> tuple[str, int]:
    """The symbol and story id a Read button names; ValueError when the bot did not make it."""
    symbol, _, raw = value.partition(";")
    news_id = autoshares_id(raw)
    if not is_symbol(symbol) or news_id is None:
        raise ValueError(value)
    return symbol, news_id


def news_message(symbol: str, items: Sequence[NewsItem]) -> dict[str, Any]:
    """The headlines, newest first, each with Read."""
    shown = escape(symbol)
    if not items:
        text = f":newspaper: AutoShares has no news for *{shown}* right now."
        return message(f"No news for {symbol}", [section(text)])
    blocks: list[Block] = [section(f":newspaper: *Latest news for {shown}*")]
    for item in items:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=clip(f"*{headline(item)}*\n{byline(item)}", 2900)),
                accessory=ButtonElement(
                    text="Read",
                    action_id=NEWS_READ,
                    value=read_value(symbol, item),
                    accessibility_label=clip(f"Read: {one_line(item.header)}", 75),
                ),
            )
        )
    blocks.append(context("Only you can see this. Read opens the story here in Slack."))
    return message(f"Latest news for {symbol}: {headline(items[0])}", blocks)


def escaped_chunks(text: str, size: int, most: int) -> list[str]:
    """``text`` escaped and cut into at most ``most`` pieces of at most ``size`` characters each,
    never inside an escape (escaping ``&``, ``<`` and ``>`` lengthens the text)."""
    rest = escape(text[: size * most])  # escaping never shortens: this is enough text
    chunks: list[str] = []
    while rest and len(chunks) < most:
        cut = size
        amp = rest.rfind("&", max(size - 4, 0), size) if len(rest) > size else -1
        if amp > 0 and ";" not in rest[amp:size]:  # ``&amp;`` would be cut in two
            cut = amp
        chunks.append(rest[:cut])
        rest = rest[cut:]
    return chunks


def article_view(symbol: str, item: NewsItem) -> dict[str, Any]:
    """The story in a modal: headline, byline, its text (and the attachment's link, if any)."""
    text = (item.content or "").strip() or "AutoShares gave no text for this story."
    chunks = escaped_chunks(text, ARTICLE_CHUNK, ARTICLE_SECTIONS + 1)
    cut = len(chunks) > ARTICLE_SECTIONS
    blocks: list[Block] = [section(f"*{headline(item)}*"), context(byline(item))]
    blocks += [section(chunk) for chunk in chunks[:ARTICLE_SECTIONS]]
    if cut:
        blocks.append(context("The story is longer than Slack can show; this is its beginning."))
    attachment = (item.attachment or "").strip()
    if (
        attachment.startswith("https://")
        and len(attachment) < 2000
        and not any(c in attachment for c in "<>| ")
    ):
        blocks.append(context(f"<{attachment}|Open the attachment>"))
    view = View(type="modal", title=clip(f"{symbol} news", 24), close="Close", blocks=blocks)
    return view.to_dict()


def headline_line(item: NewsItem) -> str:
    """Under a quote card: ``:newspaper: Headline — Sandbox Wire · Today 09:30``."""
    return f":newspaper: {clip(headline(item), 200)} — {byline(item)}"
