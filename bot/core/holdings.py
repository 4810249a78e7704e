"""Holdings across and within accounts: every account at once (balances summed by AutoShares,
holdings with the account each sits in, open orders), and one account's largest holdings and
its allocation by security type.

Each view asks AutoShares its independent questions together. Viewing holdings is not trading:
the agreements gate does not apply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import Order
from bot.core.accounts import AccountService
from bot.core.errors import NoTradingAccount
from bot.core.orders import OPEN_FILTERS
from bot.core.users import LinkedUsers
from bot.core.views import ConsolidatedView, TopHoldings

log = logging.getLogger(__name__)

#: Holdings and open orders read for the consolidated view (one page of each).
CONSOLIDATED_ROWS = 50
#: Holdings in the top list.
TOP_COUNT = 5


async def consolidated_open_orders(api: UserApi, account_ids: Sequence[int]) -> list[Order]:
    """The open orders of all the accounts, newest first: the documented status filter, then
    status names, then the first page unfiltered (kept to the open ones either way)."""
    for form in (*OPEN_FILTERS, None):
        try:
            page = await api.consolidated_orders(account_ids, page_size=CONSOLIDATED_ROWS, filter=form)
        except e.AutoSharesInvalid:
            if form is None:
                raise
            log.info("AutoShares refused a consolidated order filter; trying the next form")
            continue
        return sorted((o for o in page.items if o.is_open), key=lambda o: o.id, reverse=True)
    raise AssertionError("unreachable: the unfiltered read returns or raises")  # pragma: no cover


class HoldingsService:
    def __init__(self, users: LinkedUsers, accounts: AccountService) -> None:
        self._users = users
        self._accounts = accounts

    async def consolidated(self, team_id: str, slack_user_id: str) -> ConsolidatedView:
        """`/autoshares account all`: every account of the user at once."""
        user = await self._users.acting(team_id, slack_user_id)
        accounts = await user.api.accounts()
        if not accounts:
            raise NoTradingAccount("user has no trading accounts")
        ids = [a.id for a in accounts]
        balances, positions, orders = await asyncio.gather(
            user.api.consolidated_balance(ids),
            user.api.consolidated_positions(ids, page_size=CONSOLIDATED_ROWS),
            consolidated_open_orders(user.api, ids),
        )
        return ConsolidatedView(accounts, balances, positions.items, positions.total, orders)

    async def top(self, team_id: str, slack_user_id: str, requested: int | None) -> TopHoldings:
        """`/autoshares positions top`: the requested, default or first account's largest
        holdings and its allocation by security type."""
        user = await self._users.acting(team_id, slack_user_id)
        account_id, account = await self._accounts.resolve(user, requested)
        top, groups = await asyncio.gather(
            user.api.top_positions(account_id, count=TOP_COUNT), user.api.position_groups(account_id)
        )
        return TopHoldings(account_id, account, top, groups)
