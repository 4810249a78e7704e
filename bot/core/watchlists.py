"""The user's AutoShares watchlist from Slack: `/watch add`, `/watch remove`, `/watch`, App Home.

The bot keeps no list of its own. It uses one of the user's AutoShares watchlists
(``/users/{userId}/watchlists``), the one named ``WATCHLIST_NAME``, so what `/watch add` puts
there shows in the user's other AutoShares apps and what they add there shows here. That list
is found by name (case-insensitively; the lowest Id if several) and created on the first add; a
create that meets a 409 (made meanwhile by another request or app) looks again and uses it.

Adding resolves the symbols through the process's security cache, as quotes do; one unknown
symbol refuses the whole add with its closest matches (``UnknownSymbolError``), so nothing is
half done, and so does a list that would pass ``MAX_SYMBOLS`` (``WatchlistFull``). Securities
are added and removed one call at a time, in the order typed: AutoShares keeps a list in the
order things were added, which concurrent writes would scramble (and watchlists allow only 60
calls a minute). A 409 to a change means the list was deleted, renamed or made read-only
meanwhile (``WatchlistConflict``).

Showing takes one listing, then the quotes (the process's one streamer session) and each
symbol's day of price history at once, within the command's deadline. History is market data,
the same for everyone, so it is kept per symbol for ``HISTORY_TTL`` seconds: App Home opened
often does not spend the user's 60 history calls a minute. A symbol whose history fails only
loses its sparkline; a quote feed that cannot be reached only loses the prices (``quotes_failed``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from bot.autoshares import deadline
from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import Quote, Security, Watchlist
from bot.core.commands import ChartRange
from bot.core.errors import UnknownSymbolError, WatchlistConflict, WatchlistFull
from bot.core.market import MarketService
from bot.core.users import ActingUser, LinkedUsers
from bot.core.views import WatchChange, WatchlistView, WatchRow

log = logging.getLogger(__name__)

#: The name of the AutoShares watchlist the bot reads and changes.
WATCHLIST_NAME = "Slack"
#: The most symbols that list may hold (the grammar takes at most 10 a command).
MAX_SYMBOLS = 50
#: The sparkline's range (a key of ``bot.core.charts.RANGES``): the day so far.
SPARK_RANGE: ChartRange = "1d"
HISTORY_TTL = 300.0
HISTORY_CONCURRENCY = 8
MAX_HISTORY_ENTRIES = 2000
#: Time kept back from the deadline when waiting for quotes, for the answer itself.
QUOTE_MARGIN_SECONDS = 1.0


def securities_of(watchlist: Watchlist | None) -> list[Security]:
    """A watchlist's securities, in the list's order."""
    return list(watchlist.security_list) if watchlist is not None else []


def lists_securities(watchlist: Watchlist) -> bool:
    """Whether AutoShares' answer carried the list's securities (an answer may leave them out)."""
    return "security_list" in watchlist.model_fields_set


def named(watchlists: Sequence[Watchlist], name: str) -> Watchlist | None:
    """The watchlist called ``name`` (case-insensitively), the oldest (lowest Id) if several."""
    wanted = name.casefold()
    found = [w for w in watchlists if w.name.strip().casefold() == wanted]
    return min(found, key=lambda w: w.id) if found else None


class WatchlistService:
    """One AutoShares watchlist per user, by name: add, remove, show."""

    def __init__(
        self,
        users: LinkedUsers,
        market: MarketService,
        *,
        name: str = WATCHLIST_NAME,
        limit: int = MAX_SYMBOLS,
        history_ttl: float = HISTORY_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users = users
        self._market = market
        self.name = name
        self.limit = limit
        self._history_ttl = history_ttl
        self._clock = clock
        self._history: OrderedDict[str, tuple[float, tuple[float, ...]]] = OrderedDict()

    async def find(self, api: UserApi) -> Watchlist | None:
        """The user's watchlist of that name, with its securities (None before the first add)."""
        return named(await api.watchlists(include_securities=True), self.name)

    # -- changes -----------------------------------------------------------------------------------
    async def add(self, team_id: str, slack_user_id: str, symbols: Sequence[str]) -> WatchChange:
        user = await self._users.acting(team_id, slack_user_id)
        resolution = await self._market.securities.resolve(user.api, symbols)
        if resolution.unknown:
            symbol, suggestions = next(iter(resolution.unknown.items()))
            raise UnknownSymbolError(symbol, suggestions)
        wanted = {symbol: equity.id for symbol, equity in resolution.found.items()}
        watchlist = await self.find(user.api)
        holding = {s.id for s in securities_of(watchlist)}
        new: dict[int, str] = {}
        for symbol, sid in wanted.items():
            if sid not in holding:
                new.setdefault(sid, symbol)
        unchanged = [symbol for symbol in wanted if symbol not in new.values()]
        if len(holding) + len(new) > self.limit:
            raise WatchlistFull(self.limit, len(holding), len(new))
        if watchlist is None:
            watchlist = await self._create(user.api, list(new))
        else:
            for sid in new:
                watchlist = await self._change(user.api.add_security_by_id(watchlist.id, sid))
        total = len(securities_of(watchlist)) if lists_securities(watchlist) else len(holding) + len(new)
        return WatchChange("add", tuple(new.values()), tuple(unchanged), total, self.limit, self.name)

    async def remove(self, team_id: str, slack_user_id: str, symbols: Sequence[str]) -> WatchChange:
        """Remove the symbols the list holds (matched by its own Symbol); the others are reported
        as not on it, unknown ones included: nothing to resolve."""
        user = await self._users.acting(team_id, slack_user_id)
        wanted = list(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))
        watchlist = await self.find(user.api)
        held = {s.symbol.upper(): s.id for s in securities_of(watchlist)}
        removed = [symbol for symbol in wanted if held.get(symbol) is not None]
        total = len(held)
        for symbol in removed:
            assert watchlist is not None
            answer = await self._change(user.api.remove_security_by_id(watchlist.id, held[symbol]))
            total = len(securities_of(answer)) if lists_securities(answer) else total - 1
        unchanged = [symbol for symbol in wanted if symbol not in removed]
        return WatchChange("remove", tuple(removed), tuple(unchanged), total, self.limit, self.name)

    async def _create(self, api: UserApi, security_ids: list[int]) -> Watchlist:
        try:
            return await api.create_watchlist(self.name, security_ids)
        except e.AutoSharesConflict:
            log.info("watchlist create met a conflict: looking for one made meanwhile")
        found = await self.find(api)
        if found is None:
            raise WatchlistConflict("AutoShares refused to create the watchlist")
        holding = {s.id for s in securities_of(found)}
        for sid in security_ids:
            if sid not in holding:
                found = await self._change(api.add_security_by_id(found.id, sid))
        return found

    @staticmethod
    async def _change(call: Awaitable[Watchlist]) -> Watchlist:
        try:
            return await call
        except e.AutoSharesConflict as exc:
            raise WatchlistConflict(f"AutoShares refused to change the watchlist ({exc.code})") from None

    # -- showing -----------------------------------------------------------------------------------
    async def show(self, team_id: str, slack_user_id: str) -> WatchlistView:
        return await self.view(await self._users.acting(team_id, slack_user_id))

    async def view(self, user: ActingUser, *, rows: int | None = None) -> WatchlistView:
        """The watchlist with quotes and sparkline closes for its first ``rows`` securities (all
        of them when None)."""
        watchlist = await self.find(user.api)
        listed = [s for s in securities_of(watchlist) if s.symbol]
        shown = listed if rows is None else listed[:rows]
        ids = [s.id for s in shown]
        gate = asyncio.Semaphore(HISTORY_CONCURRENCY)
        (quotes, quotes_failed), closes = await asyncio.gather(
            self._quotes(user, ids),
            asyncio.gather(*(self._closes(user, s.symbol, gate) for s in shown)),
        )
        return WatchlistView(
            name=(watchlist.name if watchlist is not None else "") or self.name,
            rows=[
                WatchRow(s.symbol, s, quotes.get(sid), spark)
                for s, sid, spark in zip(shown, ids, closes, strict=True)
            ],
            total=len(listed),
            limit=self.limit,
            delayed=self._market.streamer.delayed,
            quotes_failed=quotes_failed,
        )

    async def _quotes(self, user: ActingUser, ids: list[int]) -> tuple[dict[int, Quote], bool]:
        """The latest quotes (waiting no longer than the deadline allows), and whether the feed
        failed outright."""
        if not ids:
            return {}, False
        streamer = self._market.streamer
        left = deadline.remaining()
        wait = None if left is None else max(min(streamer.timeout, left - QUOTE_MARGIN_SECONDS), 0.1)
        try:
            return await streamer.get(user.api, ids, timeout=wait), False
        except e.RelinkRequired:
            raise
        except e.AutoSharesError as exc:
            log.info("watchlist quotes unavailable: %s", exc.code)
            return {}, True

    async def _closes(
        self, user: ActingUser, symbol: str, gate: asyncio.Semaphore
    ) -> tuple[float, ...] | None:
        """The day's closes of ``symbol``, oldest first (cached); None when AutoShares would not
        give them."""
        key = symbol.upper()
        cached = self._history.get(key)
        if cached is not None and cached[0] > self._clock():
            self._history.move_to_end(key)
            return cached[1]
        async with gate:
            try:
                candles = await self._market.history(user, symbol, SPARK_RANGE)
            except e.RelinkRequired:
                raise
            except e.AutoSharesError as exc:
                log.info("watchlist history unavailable: %s", exc.code)
                return None
        closes = tuple(c.close for c in candles)
        self._history[key] = (self._clock() + self._history_ttl, closes)
        self._history.move_to_end(key)
        while len(self._history) > MAX_HISTORY_ENTRIES:
            self._history.popitem(last=False)
        return closes
