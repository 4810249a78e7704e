"""A portfolio at a glance: one account's balances and holdings, and how the holdings moved today.

The account is the one every command acts on (``AccountService.resolve``: the user's default,
else their first). Its balances and holdings are asked for together. Today's move of the
holdings is worked out from their quotes (quantity × the day's change per share, from the
process's one quote stream); it is left unknown when a holding got no quote in time, or when the
account holds more than ``HOLDINGS_READ`` securities (the stream watches a bounded number, and a
summary must not push out the quotes everyone else is watching). Viewing holdings is not
trading: the agreements gate does not apply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal

from bot.autoshares import errors as e
from bot.autoshares.resources import Position, Quote
from bot.core.accounts import AccountService
from bot.core.market import MarketService
from bot.core.users import LinkedUsers
from bot.core.views import PortfolioSummary

log = logging.getLogger(__name__)

#: Holdings read (and quoted) for one summary; an account with more is counted, not moved.
HOLDINGS_READ = 50


def holdings_day_change(positions: Sequence[Position], quotes: Mapping[int, Quote]) -> Decimal | None:
    """Σ quantity × the day's change per share; None when any holding lacks either."""
    total = Decimal(0)
    for position in positions:
        quote = quotes.get(position.security_id)
        change = quote.change if quote is not None else None
        if position.quantity is None or change is None:
            return None
        total += position.quantity * change * position.shares_per_unit
    return total.quantize(Decimal("0.01"))


async def summarize(
    users: LinkedUsers,
    accounts: AccountService,
    market: MarketService,
    team_id: str,
    slack_user_id: str,
) -> PortfolioSummary:
    """The summary of the Slack user's default (else first) account; NotLinkedError when they
    have not linked AutoShares, NoTradingAccount when their login has no account."""
    user = await users.acting(team_id, slack_user_id)
    account_id, account = await accounts.resolve(user, None)
    balances, page = await asyncio.gather(
        user.api.balances(account_id),
        user.api.positions(account_id, page=0, page_size=HOLDINGS_READ, sort_field="Symbol"),
    )
    positions = list(page.items)
    count = page.total if page.total is not None else len(positions)
    day_change: Decimal | None = None
    if not page.has_next:
        ids = [p.security_id for p in positions]
        try:
            quotes = await market.streamer.get(user.api, ids) if ids else {}
        except e.AutoSharesError as exc:
            log.info("quotes for a portfolio summary unavailable: %s", exc.code)
        else:
            day_change = holdings_day_change(positions, quotes)
    return PortfolioSummary(account_id, account, balances, positions, count, day_change)
