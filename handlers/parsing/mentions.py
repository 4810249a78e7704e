"""Mentions and links: the cashtags in a message that mentions the bot, and the symbol an
AutoShares quote page link names."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.vocabulary.symbols import SYMBOL_RE
from handlers.parsing.common import (
    _ZERO_WIDTH,
)

# --------------------------------------------------------------------------- mentions and links

#: How an AutoShares quote page names its symbol: ``https://<AUTOSHARES_QUOTE_DOMAIN>/quote/AAPL``
#: (or ``www.<domain>``; any case, an optional trailing slash, any query or fragment).
QUOTE_PAGE_PREFIX = "/quote/"

#: ``$AAPL`` not glued to a word or a number before it (``US$5`` is no cashtag); the symbol
#: characters of SYMBOL_RE, in either case, checked whole after trailing punctuation is dropped.
_CASHTAG_RE = re.compile(r"(?<![A-Za-z0-9$])\$([A-Za-z][A-Za-z0-9.\-]*)")
#: Slack's markup in message text: mentions, channels and links (``<https://…|label>``).
_SLACK_MARKUP_RE = re.compile(r"<[^<>]*>")


def cashtags(text: str) -> list[str]:
    """The distinct symbols written as cashtags (``$AAPL``, ``$brk.b``) in a message's text, in
    the order written, upper-cased. Slack markup (mentions, links, whose URLs may hold a ``$``) is
    skipped, and a word that is no valid ticker (``$TOOLONGSYMBOL``) is no cashtag. The caller
    decides how many to quote (``MAX_QUOTE_SYMBOLS``)."""
    text = _SLACK_MARKUP_RE.sub(" ", text.translate(_ZERO_WIDTH))
    found: list[str] = []
    for match in _CASHTAG_RE.finditer(text):
        candidate = match.group(1).rstrip(".-").upper()
        if candidate.isascii() and SYMBOL_RE.fullmatch(candidate) and candidate not in found:
            found.append(candidate)
    return found


def quote_page_symbol(url: str, domain: str) -> str | None:
    """The symbol a link to an AutoShares quote page on ``domain`` names, or None for any other
    link (another host or path, a symbol that is no valid ticker)."""
    try:
        parts = urlsplit(url.strip().replace("&amp;", "&"))
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        return None
    if parts.scheme not in ("http", "https") or host not in (domain, f"www.{domain}"):
        return None
    path = parts.path
    if not path.lower().startswith(QUOTE_PAGE_PREFIX):
        return None
    candidate = path[len(QUOTE_PAGE_PREFIX) :].removesuffix("/").upper()
    if not candidate.isascii() or not SYMBOL_RE.fullmatch(candidate):
        return None
    return candidate
