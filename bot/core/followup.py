"""Following placed orders in the background: one open-orders listing per account per pass.

A pass leases the orders due (``PendingOrderRepository.claim_for_followup``: open orders not
looked at for an interval, submissions left without an answer) in chunks and checks them one
account at a time, at most ``PollPolicy.concurrency`` accounts at once:

* the account's open orders are listed once (``GET /accounts/{id}/orders`` with the open-status
  filter, every page), and an order there that moved on (a partial fill) is applied;
* orders missing from that list have finished (filled, cancelled, rejected, expired): they are
  read in one more listing filtered by their Ids, and applied;
* a submission left without an answer is settled by its ClientId (``OrderService.resolve_stuck``).

Where AutoShares refuses a filter, or a list was not read to its end, the orders it cannot
vouch for are read one by one, as far as the user's allowance goes. Every call is paced per
user (``UserPacing``) and a 429 backs the user off, so following 40 orders costs one call, not
40, and never eats the quota the user's own commands need. Applying is forward-only and
deduplicated (``storage.orders``): a fill seen by webhook and by a pass is announced once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.autoshares import errors as e
from bot.autoshares.client import UserApi
from bot.autoshares.resources import Order
from bot.core.errors import BotError, NotLinkedError
from bot.core.orders import FIRST_PAGE, LOOKUP_PAGE_SIZE, OPEN_FILTER, OrderService, order_state
from bot.core.pacing import UserPacing
from bot.core.passes import Listing, Meter, OncePerPass, PassReport, PollPolicy, read_pages, run_pass
from bot.core.users import ActingUser, LinkedUsers, UserKey
from storage.orders import order_progress
from storage.records import SUBMITTING, Pending, utcnow

log = logging.getLogger(__name__)

AccountKey = tuple[str, str, int]  # (team id, Slack user id, AutoShares account id)


def ids_filter(order_ids: list[int]) -> str:
    """The orders-list filter that selects these order ids."""
    return "Id in ({})".format(", ".join(str(i) for i in sorted(order_ids)))


class OrderFollowUp:
    """The order follow-up pass (see the module docstring)."""

    def __init__(
        self, *, users: LinkedUsers, orders: OrderService, pacing: UserPacing, policy: PollPolicy
    ) -> None:
        self._users = users
        self._orders = orders
        self.pacing = pacing
        self._policy = policy

    async def run_once(
        self, *, every: timedelta, stuck_after: timedelta, now: datetime | None = None
    ) -> PassReport:
        """One pass over the open orders not looked at within ``every`` and the submissions
        unanswered for ``stuck_after``."""
        stamp = now or utcnow()
        report = PassReport("orders")
        listings: OncePerPass[AccountKey, Listing[Order] | None] = OncePerPass()
        acting: dict[UserKey, ActingUser] = {}

        async def claim() -> list[Pending]:
            rows = await self._orders.repo.claim_for_followup(
                every=every, stuck_after=stuck_after, limit=self._policy.chunk, now=stamp
            )
            # The chunk's users are read in one query, not one each.
            acting.update(
                await self._users.acting_many({(r.team_id, r.slack_user_id) for r in rows} - acting.keys())
            )
            return rows

        async def check(key: AccountKey, rows: list[Pending]) -> None:
            meter = Meter(report, self.pacing, key[:2], acting.get(key[:2]))
            for row in rows:
                if row.status == SUBMITTING:
                    await self._settle(row, meter)
            placed = [r for r in rows if r.status != SUBMITTING and r.autoshares_order_id is not None]
            if placed:
                listing = await listings.get(key, lambda: self._list_open(key, meter))
                if listing is not None:
                    await self._follow(key, placed, listing, meter)

        return await run_pass(
            claim,
            lambda row: (row.team_id, row.slack_user_id, row.account_id),
            check,
            concurrency=self._policy.concurrency,
            report=report,
        )

    # -- the steps -------------------------------------------------------------------------------
    async def _settle(self, row: Pending, meter: Meter) -> None:
        """A submission left without an answer: AutoShares has it (placed) or not (failed)."""
        if not await meter.may_call():
            return
        try:
            await self._orders.resolve_stuck(row)
            await meter.called()
        except e.AutoSharesRateLimited as exc:
            await meter.called()
            await meter.rate_limited(exc.retry_after)
        except (BotError, e.AutoSharesError) as exc:
            meter.report.failed += 1
            log.info("order follow-up of %s skipped: %s", row.id, exc.code)

    async def _list_open(self, key: AccountKey, meter: Meter) -> Listing[Order] | None:
        """The account's open orders, every page (an empty, incomplete listing when AutoShares
        refuses the filter); None when the account is left for a later pass."""
        if not await meter.may_call():
            return None
        try:
            api = self._api(meter)
            try:
                return await read_pages(
                    lambda number: api.orders(
                        key[2], page=number, page_size=LOOKUP_PAGE_SIZE, filter=OPEN_FILTER
                    ),
                    meter,
                    page_size=LOOKUP_PAGE_SIZE,
                    first_page=FIRST_PAGE,
                )
            except e.AutoSharesInvalid:
                await meter.called()
                return Listing({}, complete=False)  # the filter is refused: read orders one by one
        except e.AutoSharesRateLimited as exc:
            await meter.called()
            await meter.rate_limited(exc.retry_after)
        except (BotError, e.AutoSharesError) as exc:
            meter.report.failed += 1
            log.info("order follow-up skipped an account: %s", exc.code)
        return None

    async def _follow(
        self, key: AccountKey, rows: list[Pending], listing: Listing[Order], meter: Meter
    ) -> None:
        missing: list[Pending] = []
        for row in rows:
            order = listing.items.get(row.autoshares_order_id or 0)
            if order is None:
                missing.append(row)
            else:
                await self._apply(row, order, meter)
        if not missing:
            return
        try:
            api = self._api(meter)
            if listing.complete:
                missing = await self._read_finished(api, key[2], missing, meter)
            await self._read_each(api, missing, meter)
        except e.AutoSharesRateLimited as exc:
            await meter.called()
            await meter.rate_limited(exc.retry_after)
        except (BotError, e.AutoSharesError) as exc:
            meter.report.failed += 1
            log.info("order follow-up skipped finished orders: %s", exc.code)

    async def _read_finished(
        self, api: UserApi, account_id: int, rows: list[Pending], meter: Meter
    ) -> list[Pending]:
        """Orders that left the open list, read in one listing filtered by their Ids (a page
        per 100); returns those it could not read that way."""
        by_id = {row.autoshares_order_id: row for row in rows}
        left: list[Pending] = []
        ids = sorted(i for i in by_id if i is not None)
        for start in range(0, len(ids), LOOKUP_PAGE_SIZE):
            batch = ids[start : start + LOOKUP_PAGE_SIZE]
            if not await meter.may_call():
                return left  # the rest stays due for a later pass
            try:
                page = await api.orders(
                    account_id, page=FIRST_PAGE, page_size=LOOKUP_PAGE_SIZE, filter=ids_filter(batch)
                )
            except e.AutoSharesInvalid:
                await meter.called()
                return left + [by_id[i] for i in ids[start:]]
            await meter.called()
            found = {o.id: o for o in page.items}
            for order_id in batch:
                if order_id in found:
                    await self._apply(by_id[order_id], found[order_id], meter)
                else:
                    left.append(by_id[order_id])
        return left

    async def _read_each(self, api: UserApi, rows: list[Pending], meter: Meter) -> None:
        """Read orders one by one, as far as the user's allowance goes."""
        for row in rows:
            if row.autoshares_order_id is None or not await meter.may_call():
                return
            try:
                order = await api.order(row.account_id, row.autoshares_order_id)
            except e.AutoSharesNotFound:
                await meter.called()
                log.info("order follow-up: AutoShares has no order %s", row.autoshares_order_id)
                continue
            await meter.called()
            await self._apply(row, order, meter)

    async def _apply(self, row: Pending, order: Order, meter: Meter) -> None:
        """Apply what AutoShares says when it is later than what the row knows."""
        if order_progress(order_state(order)) <= order_progress(row.result):
            return
        update = await self._orders.apply_polled(order)
        meter.report.announced += update.changed

    @staticmethod
    def _api(meter: Meter) -> UserApi:
        if meter.acting is None:
            raise NotLinkedError()
        return meter.acting.api
