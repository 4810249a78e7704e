"""Ticker previews: links to AutoShares quote pages unfurl into quote cards.

Slack sends ``link_shared`` when a link on one of the manifest's ``unfurl_domains`` is posted,
or typed in the message composer. The links to quote pages on ``AUTOSHARES_QUOTE_DOMAIN``
(``https://autoshares.com/quote/AAPL``, see ``handlers.parsing.quote_page_symbol``) are read;
every other link is left to Slack. The event is acked at once; the lazy listener fetches the
quotes with the *sharer's* own AutoShares login (``event.user``: quotes are the linked user's
API in this app) and answers with one ``chat.unfurl`` carrying a card per link: market data
only (price, change, bid/ask, day range, volume), never an account or a position.

A sharer who has not linked AutoShares (or whose sign-in must be renewed) gets, instead, a small
card naming the symbol and ``/autoshares link``. Any other failure (AutoShares down or slow,
Slack refusing the unfurl) leaves the link as Slack shows it and is logged: a failed preview is
not worth a message of its own in someone else's conversation.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.autoshares.errors import AutoSharesUnauthorized, RelinkRequired
from bot.core.errors import NotLinkedError
from handlers.blocks import previews as blocks
from handlers.kit import Event, Listener, Surface, register_table, within_deadline
from handlers.parsing import MAX_QUOTE_SYMBOLS, quote_page_symbol

log = logging.getLogger(__name__)

#: The sharer cannot get quotes until they link (again): they get the "link your login" card.
NEEDS_LINK = (NotLinkedError, RelinkRequired, AutoSharesUnauthorized)


def quote_links(links: object, domain: str) -> dict[str, str]:
    """URL → symbol for the event's links that are quote pages on ``domain``, for at most
    ``MAX_QUOTE_SYMBOLS`` distinct symbols (links to further symbols are left to Slack)."""
    found: dict[str, str] = {}
    symbols: set[str] = set()
    for link in links if isinstance(links, list) else []:
        url = link.get("url") if isinstance(link, dict) else None
        if not isinstance(url, str):
            continue
        symbol = quote_page_symbol(url, domain)
        if symbol is None or (symbol not in symbols and len(symbols) == MAX_QUOTE_SYMBOLS):
            continue
        symbols.add(symbol)
        found[url] = symbol
    return found


def unfurl_target(event: dict[str, Any]) -> dict[str, Any]:
    """Which message (or composer) ``chat.unfurl`` attaches to: ``unfurl_id`` and ``source`` when
    Slack gives them (the only way for a link still in the composer), else ``channel`` and ``ts``."""
    if event.get("unfurl_id") and event.get("source"):
        return {"unfurl_id": str(event["unfurl_id"]), "source": str(event["source"])}
    return {"channel": str(event.get("channel") or ""), "ts": str(event.get("message_ts") or "")}


async def unfurl(
    surface: Surface,
    team_id: str,
    user_id: str,
    links: dict[str, str],
    event: dict[str, Any],
    client: AsyncWebClient,
) -> None:
    """One ``chat.unfurl`` with a quote card per link (a "link your login" card if need be)."""
    symbols = list(dict.fromkeys(links.values()))
    try:
        found = await surface.core.market.quotes(team_id, user_id, symbols)
    except NEEDS_LINK as exc:
        log.info("unfurl for a sharer who cannot get quotes: %s", getattr(exc, "code", type(exc).__name__))
        cards = {url: blocks.link_needed_card(symbol) for url, symbol in links.items()}
    else:
        quoted = [row.symbol for row in found.rows if row.quote is not None]
        headlines = await surface.core.news.latest(found.user, quoted)
        cards = {
            url: blocks.quote_card(symbol, found.rows, found.unknown, delayed=found.delayed, headlines=headlines)
            for url, symbol in links.items()
        }
    await client.chat_unfurl(**unfurl_target(event), unfurls=cards)


async def on_shared(
    surface: Surface, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
) -> None:
    """``link_shared``: quote page links unfurl into quote cards; other links are left to Slack."""
    links = quote_links(event.get("links"), surface.quote_domain)
    if not links:
        return
    team_id, user_id = str(body.get("team_id") or ""), str(event.get("user") or "")
    await within_deadline(surface.limits, unfurl(surface, team_id, user_id, links, event, client))


async def on_failure(
    surface: Surface,
    _body: dict[str, Any],
    _event: dict[str, Any],
    _client: AsyncWebClient,
    _exc: BaseException,
) -> None:
    """Logged by the boundary; the link keeps Slack's own preview."""
    return None


LISTENERS: tuple[Listener, ...] = (Event("link_shared", on_shared, on_failure),)


def register(app: AsyncApp, surface: Surface) -> None:
    """Register the link preview surface's listeners."""
    register_table(app, surface, LISTENERS)
