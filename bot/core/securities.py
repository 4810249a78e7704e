"""Symbol → security (``EquityResource``), cached, with closest matches for unknown symbols.

Quotes, alerts and charts need AutoShares' security ``Id``; ``GET /equities/{symbol}`` gives
it, and a listing changes rarely, so one answer is kept for ``ttl`` seconds (an unknown symbol
for ``miss_ttl``) and concurrent asks for one symbol share one call. For a symbol AutoShares
does not know, ``closest`` searches ``GET /equities/lookup`` with the symbol and shorter
prefixes of it, and ranks what comes back by similarity.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import Security
from bot.core.errors import UnknownSymbolError

log = logging.getLogger(__name__)

DEFAULT_TTL = 3600.0
DEFAULT_MISS_TTL = 300.0
DEFAULT_MAX_ENTRIES = 5000
SUGGESTIONS = 5


@dataclass
class Resolution:
    """Symbols resolved in the order asked: found ones with their EquityResource, unknown ones
    with their closest matches."""

    found: dict[str, Security] = field(default_factory=dict)
    unknown: dict[str, list[Security]] = field(default_factory=dict)


@dataclass
class _Entry:
    equity: Security | None  # None: AutoShares said 404
    expires_at: float


class SecurityCache:
    """Process-wide cache of ``GET /equities/{symbol}`` answers (securities are not per user)."""

    def __init__(
        self,
        *,
        ttl: float = DEFAULT_TTL,
        miss_ttl: float = DEFAULT_MISS_TTL,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.miss_ttl = miss_ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[Security | None]] = {}
        self.fetches = 0

    def _cached(self, symbol: str) -> _Entry | None:
        entry = self._entries.get(symbol)
        if entry is None:
            return None
        if entry.expires_at <= self._clock():
            del self._entries[symbol]
            return None
        self._entries.move_to_end(symbol)
        return entry

    def _store(self, symbol: str, equity: Security | None) -> None:
        ttl = self.ttl if equity is not None else self.miss_ttl
        self._entries[symbol] = _Entry(equity, self._clock() + ttl)
        self._entries.move_to_end(symbol)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def _fetch(self, api: UserApi, symbol: str) -> Security | None:
        self.fetches += 1
        try:
            equity = await api.equity(symbol)
        except e.AutoSharesNotFound:
            return None
        return equity

    async def find(self, api: UserApi, symbol: str) -> Security | None:
        """The EquityResource for ``symbol`` (upper-cased), or None when AutoShares has none."""
        symbol = symbol.strip().upper()
        entry = self._cached(symbol)
        if entry is not None:
            return entry.equity
        pending = self._inflight.get(symbol)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Security | None] = asyncio.get_running_loop().create_future()
        self._inflight[symbol] = future
        try:
            equity = await self._fetch(api, symbol)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: sharing callers re-raise it themselves
            raise
        else:
            self._store(symbol, equity)
            future.set_result(equity)
            return equity
        finally:
            del self._inflight[symbol]

    async def equity(self, api: UserApi, symbol: str) -> Security:
        """The EquityResource for ``symbol``; UnknownSymbolError (with suggestions) otherwise."""
        found = await self.find(api, symbol)
        if found is None:
            raise UnknownSymbolError(symbol.strip().upper(), await self.closest(api, symbol))
        return found

    async def resolve(self, api: UserApi, symbols: Sequence[str]) -> Resolution:
        """Resolve several symbols at once (the quote command takes up to ten)."""
        wanted = list(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))
        answers = await asyncio.gather(*(self.find(api, s) for s in wanted))
        result = Resolution()
        for symbol, equity in zip(wanted, answers, strict=True):
            if equity is not None:
                result.found[symbol] = equity
            else:
                result.unknown[symbol] = []
        for symbol in result.unknown:
            result.unknown[symbol] = await self.closest(api, symbol)
        return result

    async def closest(self, api: UserApi, text: str, count: int = SUGGESTIONS) -> list[Security]:
        """Securities whose symbol or name is most like ``text`` (never raises: suggestions are
        a courtesy, and an error here must not hide the real answer, "no such symbol")."""
        text = text.strip().upper()
        masks = list(dict.fromkeys(m for m in (text, text[:2], text[:1]) if m))
        candidates: dict[str, Security] = {}
        for mask in masks:
            try:
                found = await api.lookup(mask, count=20)
            except e.AutoSharesError as exc:
                log.info("symbol lookup failed: %s", exc.code)
                break
            for item in found:
                if item.symbol:
                    candidates.setdefault(item.symbol.upper(), item)
            if len(candidates) >= count * 2:
                break

        def likeness(item: Security) -> float:
            symbol = item.symbol.upper()
            name = (item.description or "").upper()
            by_symbol = difflib.SequenceMatcher(None, text, symbol).ratio()
            by_name = 0.9 if len(text) >= 3 and text in name else 0.0
            return max(by_symbol, by_name)

        ranked = sorted(candidates.values(), key=lambda item: (-likeness(item), item.symbol))
        return ranked[:count]
