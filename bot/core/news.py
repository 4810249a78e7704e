"""A company's news: the latest headlines of a symbol (``GET /news``), one story's text for
the Read button, and the latest headline of each quoted symbol for quote cards.

News is market data, not trading: the agreements gate does not apply. The symbol is resolved
through the security cache first, so an unknown one is answered with the closest matches.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.autoshares import errors as e
from bot.autoshares.resources import NewsItem
from bot.core.errors import NewsNotFound
from bot.core.securities import SecurityCache
from bot.core.users import ActingUser, LinkedUsers

log = logging.getLogger(__name__)

#: Headlines shown by `/news`.
HEADLINES_SHOWN = 5
#: How long a quote card waits for its headlines: the quotes are not held up longer than this.
HEADLINE_WAIT_SECONDS = 1.5


@dataclass(frozen=True)
class Headlines:
    symbol: str
    items: list[NewsItem]


def newest_first(items: Sequence[NewsItem]) -> list[NewsItem]:
    """Newest first; stories without a time keep AutoShares' order, after the dated ones."""
    return sorted(items, key=lambda item: -(item.moment or 0))


class NewsService:
    def __init__(self, users: LinkedUsers, securities: SecurityCache) -> None:
        self._users = users
        self._securities = securities

    async def headlines(self, team_id: str, slack_user_id: str, symbol: str) -> Headlines:
        """The newest ``HEADLINES_SHOWN`` stories of ``symbol``; UnknownSymbolError when
        AutoShares lists no such symbol."""
        user = await self._users.acting(team_id, slack_user_id)
        equity = await self._securities.equity(user.api, symbol)
        items = await user.api.news(equity.symbol)
        return Headlines(equity.symbol, newest_first(items)[:HEADLINES_SHOWN])

    async def article(self, team_id: str, slack_user_id: str, symbol: str, news_id: int) -> NewsItem:
        """The story ``news_id`` of ``symbol`` with its text; NewsNotFound when it is gone."""
        user = await self._users.acting(team_id, slack_user_id)
        found = next((item for item in await user.api.news(symbol) if item.news_id == news_id), None)
        if found is None:
            raise NewsNotFound(symbol, news_id)
        return found

    async def latest(
        self, user: ActingUser, symbols: Sequence[str], *, wait: float = HEADLINE_WAIT_SECONDS
    ) -> dict[str, NewsItem]:
        """The newest story of each symbol, asked for at once; a symbol whose news AutoShares
        could not give is left out (a quote card is still worth showing without it), and so is
        every symbol when AutoShares has not answered within ``wait`` seconds."""

        async def newest(symbol: str) -> NewsItem | None:
            try:
                items = newest_first(await user.api.news(symbol))
            except e.AutoSharesError as exc:
                log.info("news for a quote card unavailable: %s", exc.code)
                return None
            return items[0] if items else None

        try:
            found = await asyncio.wait_for(asyncio.gather(*(newest(symbol) for symbol in symbols)), wait)
        except TimeoutError:
            log.info("news for quote cards took longer than %.1f s; the quotes are shown without it", wait)
            return {}
        return {symbol: item for symbol, item in zip(symbols, found, strict=True) if item is not None}
