"""Market data for Slack users: quotes for symbols and price history for charts.

Symbols resolve through the process's security cache (``GET /equities/{symbol}``, TTL), quotes
come from the process's one quote-streamer session (never polled), and history from
``PUT /history/symbols``. Quotes are market data, not trading: the agreements gate does not apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.autoshares.errors import QuotesUnavailable
from bot.autoshares.resources import Security
from bot.autoshares.streamer import QuoteStreamer
from bot.core.charts import Candle, candles_from, history_request, within_range
from bot.core.errors import UnknownSymbolError
from bot.core.securities import SecurityCache
from bot.core.users import ActingUser, LinkedUsers
from bot.core.views import QuoteRow


@dataclass(frozen=True)
class Quotes:
    """Quotes in the order asked, the unknown symbols with their closest matches, and whether
    the feed says its data is delayed (None: it does not say)."""

    user: ActingUser
    rows: list[QuoteRow]
    unknown: dict[str, list[Security]]
    delayed: bool | None


class MarketService:
    def __init__(self, users: LinkedUsers, securities: SecurityCache, streamer: QuoteStreamer) -> None:
        self._users = users
        self.securities = securities
        self.streamer = streamer

    async def quotes(self, team_id: str, slack_user_id: str, symbols: Sequence[str]) -> Quotes:
        user = await self._users.acting(team_id, slack_user_id)
        resolution = await self.securities.resolve(user.api, symbols)
        ids = {symbol: equity.id for symbol, equity in resolution.found.items()}
        quotes = await self.streamer.get(user.api, ids.values()) if ids else {}
        rows = [
            QuoteRow(symbol, resolution.found[symbol], quotes.get(ids[symbol]))
            for symbol in symbols
            if symbol in resolution.found
        ]
        return Quotes(user, rows, resolution.unknown, self.streamer.delayed)

    async def quote(self, team_id: str, slack_user_id: str, symbol: str) -> QuoteRow:
        """One symbol's quote: UnknownSymbolError (with the closest matches) when AutoShares
        lists no such symbol, QuotesUnavailable when no quote arrived in time."""
        found = await self.quotes(team_id, slack_user_id, [symbol])
        row = next(iter(found.rows), None)
        if row is None:
            asked = symbol.strip().upper()
            raise UnknownSymbolError(asked, found.unknown.get(asked, []))
        if row.quote is None:
            raise QuotesUnavailable(f"no quote for {row.symbol} arrived in time")
        return row

    async def history(self, user: ActingUser, symbol: str, chart_range: str) -> list[Candle]:
        """The candles of ``symbol`` over ``chart_range`` (a key of ``charts.RANGES``), oldest first."""
        model = await user.api.history(history_request(symbol, chart_range))
        return within_range(candles_from(model), chart_range)
