"""Ticker symbols: what the bot accepts as one."""

from __future__ import annotations

import re

#: A ticker after upper-casing: a letter, then up to nine letters, digits, dots or dashes.
SYMBOL_RE = re.compile(r"[A-Z][A-Z0-9.\-]{0,9}")


def is_symbol(text: str) -> bool:
    """Whether ``text`` is a ticker as written (already upper case). ASCII is checked first:
    ``"ſ".upper()`` is ``"S"``, and ``ſPY`` is not SPY."""
    return text.isascii() and SYMBOL_RE.fullmatch(text) is not None


def symbol_of(text: str) -> str | None:
    """``text`` upper-cased as a ticker, or None when it is not one (no ``$``, no spaces)."""
    if not text.isascii():
        return None
    candidate = text.upper()
    return candidate if SYMBOL_RE.fullmatch(candidate) else None
