"""Background loops: order follow-up (always) and alert watching (where no webhook is set).

Order follow-up, every ``ORDER_POLL_SECONDS``:
  * pending orders past their confirmation window become ``expired`` (the message says so);
  * submissions with no answer for a while (a crash, a lost response) are settled by looking
    the order up by ClientId;
  * without a webhook secret, open orders are read from AutoShares and their messages updated.
Alert watching, every ``ALERT_POLL_SECONDS``, only without a webhook secret: see
``AlertService.poll_once``.

Rows are leased through the repositories (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, conditional
UPDATEs on SQLite), so any number of replicas can run these loops without a coordinator and
without announcing anything twice. ``stop()`` ends the loops promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.autoshares.errors import AutoSharesError
from bot.core.delivery import Delivery
from bot.core.errors import BotError
from bot.core.usecases import UseCases
from bot.settings import Settings
from bot.wiring import Services
from storage.records import SUBMITTING
from storage.replays import REPLAY_RETENTION, SlackRequestLog

log = logging.getLogger(__name__)

#: Routes this long past their expiry are retired (a late webhook retry may still come first).
ROUTE_GRACE = timedelta(days=1)
#: Webhook ids are kept well beyond AutoShares' retry schedule (about 15 hours in all).
WEBHOOK_RETENTION = timedelta(days=7)
#: Housekeeping runs at most this often.
HOUSEKEEPING_EVERY_SECONDS = 3600.0


class Pollers:
    """Starts and stops the background loops of one process."""

    def __init__(
        self, core: UseCases, delivery: Delivery, settings: Settings, replays: SlackRequestLog
    ) -> None:
        self.core = core
        self.delivery = delivery
        self.settings = settings
        self.replays = replays
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._housekept_at: float | None = None

    @classmethod
    def of(cls, services: Services) -> Pollers:
        """The loops over one process's services."""
        return cls(services.core, services.delivery, services.settings, services.replays)

    @property
    def webhooks_configured(self) -> bool:
        return bool(self.settings.autoshares_webhook_secret)

    def start(self) -> None:
        """Start the loops this configuration needs (call once, inside the running loop)."""
        self._stop.clear()
        self._tasks.append(
            asyncio.create_task(
                self._loop("outbox", self.settings.outbox_poll_seconds, self.delivery.run_once, busy=True),
                name="outbox",
            )
        )
        self._tasks.append(
            asyncio.create_task(
                self._loop("orders", self.settings.order_poll_seconds, self.orders_once), name="order-poller"
            )
        )
        if not self.webhooks_configured:
            self._tasks.append(
                asyncio.create_task(
                    self._loop("alerts", self.settings.alert_poll_seconds, self.alerts_once),
                    name="alert-poller",
                )
            )

    async def stop(self, grace: float = 5.0) -> None:
        """Stop the loops: a pass in progress may finish (a delivery cut short would leave its
        messages leased until the lease runs out) for up to ``grace`` seconds, then is cancelled."""
        self._stop.set()
        if self._tasks:
            _done, late = await asyncio.wait(self._tasks, timeout=grace)
            for task in late:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._tasks.clear()
        with contextlib.suppress(asyncio.TimeoutError):  # posts already started finish
            await asyncio.wait_for(self.delivery.idle(), grace)

    async def _loop(
        self, name: str, interval: float, once: Callable[[], Awaitable[Any]], *, busy: bool = False
    ) -> None:
        """Run ``once`` every ``interval``; with ``busy``, at once again while it did something."""
        interval = max(interval, 0.01)
        did = 0
        while not self._stop.is_set():
            if not (busy and did):
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=interval)
            if self._stop.is_set():
                return
            try:
                did = await once() or 0
            except asyncio.CancelledError:
                raise
            except Exception:  # keep polling; the next pass may succeed
                did = 0
                log.exception("%s poller pass failed", name)

    # -- one pass each ---------------------------------------------------------------------------
    async def orders_once(self) -> None:
        await self.housekeeping()
        orders = self.core.orders
        await orders.repo.expire_due()  # each owes its confirmation message the news (outbox)
        stuck_after = self.settings.settle_after_seconds
        rows = await orders.repo.claim_for_followup(
            every=timedelta(seconds=max(self.settings.order_poll_seconds, 0.05)),
            stuck_after=timedelta(seconds=stuck_after),
            include_open=not self.webhooks_configured,
        )
        for row in rows:
            try:
                if row.status == SUBMITTING:
                    await orders.resolve_stuck(row)
                else:
                    await orders.refresh(row)
            except (BotError, AutoSharesError) as exc:
                log.info("order follow-up of %s skipped: %s", row.id, exc.code)

    async def housekeeping(self) -> None:
        """Retire long-expired alert routes, forget old webhook ids and old Slack request
        hashes (hourly)."""
        now = asyncio.get_running_loop().time()
        if self._housekept_at is not None and now - self._housekept_at < HOUSEKEEPING_EVERY_SECONDS:
            return
        self._housekept_at = now
        expired, forgotten = await self.core.alerts.routes.sweep(
            route_grace=ROUTE_GRACE, webhook_retention=WEBHOOK_RETENTION
        )
        hashes = await self.replays.forget_older_than(REPLAY_RETENTION)
        if expired or forgotten or hashes:
            log.info(
                "housekeeping: %d alert routes expired, %d webhook ids and %d Slack request hashes forgotten",
                expired,
                forgotten,
                hashes,
            )

    async def alerts_once(self) -> None:
        await self.core.alerts.poll_once()
