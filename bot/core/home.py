"""What App Home shows one user, as it is right now.

An unlinked user (or one whose sign-in has expired) gets a fresh single-use sign-in link. A
linked user gets their default account (the same rule as every command, ``AccountService``),
its balances and open orders, their active alerts and their watchlist (the first
``WATCHLIST_ROWS`` symbols, with quotes and sparklines), fetched concurrently; each part that
AutoShares cannot answer is noted in ``problems`` and left empty, so one failing call never
blanks the whole tab.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from bot.autoshares import errors as e
from bot.autoshares.resources import Position
from bot.core.accounts import AccountService
from bot.core.alerts import AlertService
from bot.core.errors import BotError
from bot.core.linking import LinkService
from bot.core.orders import open_orders
from bot.core.users import ActingUser, LinkedUsers
from bot.core.views import HomeData, WatchlistView
from bot.core.watchlists import WatchlistService
from bot.vocabulary.options import is_option_symbol

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How many of the watchlist's symbols the tab shows (quoted and charted).
WATCHLIST_ROWS = 10
#: Holdings read for App Home's option positions.
OPTION_POSITIONS_PAGE = 50


@dataclass(frozen=True)
class UnlinkedHome:
    """The tab for someone not linked: a fresh sign-in link."""

    link_url: str
    notice: str | None = None


async def _part(job: Awaitable[T], problems: list[str], name: str) -> T | None:
    """Await one part; None (and a note in ``problems``) when it fails. Relinking propagates."""
    try:
        return await job
    except e.RelinkRequired:
        raise
    except (BotError, e.AutoSharesError) as exc:
        log.info("app home: %s unavailable (%s)", name, exc.code)
        problems.append(name)
        return None


def is_option_position(position: Position) -> bool:
    """An option holding: AutoShares says so (``SecurityType``), or its symbol is an option's."""
    return (position.security_type or "").casefold() == "option" or is_option_symbol(position.symbol or "")


async def _option_positions(user: ActingUser, account_id: int) -> list[Position] | None:
    """The account's option positions (its first page of holdings); None when AutoShares cannot
    say: the section is a courtesy and is left out, noted in the log only."""
    try:
        page = await user.api.positions(
            account_id, page=0, page_size=OPTION_POSITIONS_PAGE, sort_field="Symbol"
        )
    except e.RelinkRequired:
        raise
    except e.AutoSharesError as exc:
        log.info("app home: option positions unavailable (%s)", exc.code)
        return None
    return [p for p in page.items if is_option_position(p)]


class HomeService:
    def __init__(
        self,
        users: LinkedUsers,
        linking: LinkService,
        accounts: AccountService,
        alerts: AlertService,
        watchlists: WatchlistService | None = None,
    ) -> None:
        self._users = users
        self._linking = linking
        self._accounts = accounts
        self._alerts = alerts
        self._watchlists = watchlists

    async def _watchlist(self, user: ActingUser, problems: list[str]) -> WatchlistView | None:
        if self._watchlists is None:
            return None
        return await _part(self._watchlists.view(user, rows=WATCHLIST_ROWS), problems, "watchlist")

    async def build(
        self, team_id: str, slack_user_id: str, *, notice: str | None = None
    ) -> HomeData | UnlinkedHome:
        link = await self._users.get(team_id, slack_user_id)
        if link is None:
            return UnlinkedHome(await self._linking.start(team_id, slack_user_id), notice)
        data = HomeData(link=link, notice=notice)
        if link.needs_relink:
            data.relink_url = await self._linking.start(team_id, slack_user_id)
            return data
        user = self._users.acting_as(link)
        try:
            accounts = await _part(user.api.accounts(), data.problems, "accounts")
            if accounts:
                _, data.account = await self._accounts.choose(user, accounts, None)
            account_id = data.account.id if data.account else None
            alerts = _part(self._alerts.active(user.api), data.problems, "alerts")
            watchlist = self._watchlist(user, data.problems)
            if account_id is None:
                data.orders = []
                data.alerts, data.watchlist = await asyncio.gather(alerts, watchlist)
            else:
                (
                    data.balances,
                    data.orders,
                    data.alerts,
                    data.watchlist,
                    data.option_positions,
                ) = await asyncio.gather(
                    _part(user.api.balances(account_id), data.problems, "balances"),
                    _part(open_orders(user.api, account_id), data.problems, "orders"),
                    alerts,
                    watchlist,
                    _option_positions(user, account_id),
                )
        except e.RelinkRequired:
            data.link = await self._users.get(team_id, slack_user_id) or link
            data.relink_url = await self._linking.start(team_id, slack_user_id)
        return data
