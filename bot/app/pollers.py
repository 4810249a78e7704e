"""Background loops: order follow-up, alert watching, token upkeep, the outbox, housekeeping.

Order follow-up, every ``ORDER_POLL_SECONDS``:
  * pending orders past their confirmation window become ``expired`` (the message says so);
  * submissions with no answer for a while (a crash, a lost response) are settled by looking
    the order up by ClientId;
  * open orders are read from AutoShares (one listing per account) and their messages updated:
    each every ``ORDER_POLL_SECONDS`` without a webhook secret; with one, every
    ``BACKSTOP_POLL_SECONDS`` in case an order webhook never comes (``OrderFollowUp``).
Alert watching, every ``ALERT_POLL_SECONDS`` without a webhook secret, every
``BACKSTOP_POLL_SECONDS`` with one: see ``AlertService.poll_once``.
Re-arming repeating alerts, every ``REARM_CHECK_SECONDS``: see ``AlertService.rearm_once``.
Corporate actions, every ``CORPORATE_ACTION_CHECK_SECONDS``: each linked member's holdings are
looked at every ``bot.core.corporate_actions.CHECK_EVERY`` (members leased, so replicas split
them) and each action on them is told once, by DM (``CorporateActionService.run_once``).
Transfers, every ``TRANSFER_POLL_SECONDS``: the accounts whose transfers members follow are read
and each transfer that completed or failed is told to its member once (``TransferService``).
Clicks left behind, every ``CLICK_RECOVERY_SECONDS``: the intents of durable clicks (Confirm,
Approve, Reject, Withdraw, Cancel, Share) that the replica which acknowledged them did not
finish, because it died, are leased and carried out here (``handlers.clicks``).
Token upkeep, every minute: tokens about to expire of users with active alerts or open orders
are refreshed (``LinkedUsers.refresh_expiring``), so an idle user's background work goes on.
Housekeeping, hourly (from the order loop): long-expired alert routes retired, old webhook ids
and Slack request hashes and click intents forgotten, expired chart images deleted.

Each pass checks everything due at its start, in chunks, ``POLL_CONCURRENCY`` AutoShares calls
at a time, within each user's allowance (``POLL_USER_CALLS_PER_MINUTE``); passes start on a
fixed schedule (a pass that overruns is followed at once by the next), so no alert or open order
waits much longer than its interval between checks. Rows are leased through the repositories
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, conditional UPDATEs on SQLite), so any number of
replicas can run these loops without a coordinator and without announcing anything twice.
``stop()`` ends the loops promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.app.settings import Settings
from bot.app.wiring import Services
from bot.core.delivery import Delivery
from bot.core.passes import PassReport, due_after
from bot.core.usecases import UseCases
from bot.telemetry.metrics import Metrics
from handlers.clicks import ClickRecovery
from storage.outbox import on_queued
from storage.records import utcnow
from storage.replays import REPLAY_RETENTION, SlackRequestLog

log = logging.getLogger(__name__)

#: Routes this long past their expiry are retired (a late webhook retry may still come first).
ROUTE_GRACE = timedelta(days=1)
#: Webhook ids are kept well beyond AutoShares' retry schedule (about 15 hours in all).
WEBHOOK_RETENTION = timedelta(days=7)
#: Housekeeping runs at most this often.
HOUSEKEEPING_EVERY_SECONDS = 3600.0
#: Token upkeep runs this often, and refreshes the tokens that expire within REFRESH_AHEAD
#: (AutoShares' access tokens last 24 hours, some deployments 60 minutes).
TOKEN_UPKEEP_SECONDS = 60.0
REFRESH_AHEAD = timedelta(minutes=10)
#: How often due digests are looked for (a digest is posted within this of its time).
DIGEST_CHECK_SECONDS = 20.0
#: How often clicks whose replica died are looked for (a click is finished within this of
#: its intent being left: its lease lapsing, or ``handlers.clicks.RECOVER_AFTER`` unleased).
CLICK_RECOVERY_SECONDS = 1.0
#: How often repeating alerts whose cool-down is over are armed again (within this of its end).
REARM_CHECK_SECONDS = 15.0
#: How often members whose holdings are due a look for corporate actions are looked for.
CORPORATE_ACTION_CHECK_SECONDS = 60.0


class Pollers:
    """Starts and stops the background loops of one process."""

    def __init__(
        self,
        core: UseCases,
        delivery: Delivery,
        settings: Settings,
        replays: SlackRequestLog,
        metrics: Metrics | None = None,
        clicks: ClickRecovery | None = None,
    ) -> None:
        self.core = core
        self.delivery = delivery
        self.settings = settings
        self.replays = replays
        self.metrics = metrics
        self.clicks = clicks
        self._stop = asyncio.Event()
        #: Set when this process commits a message to the outbox: it is delivered at once.
        self._queued = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._housekept_at: float | None = None

    @classmethod
    def of(cls, services: Services, clicks: ClickRecovery | None = None) -> Pollers:
        """The loops over one process's services (and its clicks' recovery, when it serves Slack)."""
        return cls(
            services.core, services.delivery, services.settings, services.replays, services.metrics, clicks
        )

    @property
    def webhooks_configured(self) -> bool:
        return bool(self.settings.autoshares_webhook_secret)

    def start(self) -> None:
        """Start the loops (call once, inside the running loop)."""
        self._stop.clear()
        on_queued(self._queued)
        loops: list[tuple[str, float, Callable[[], Awaitable[Any]], bool]] = [
            ("outbox", self.settings.outbox_poll_seconds, self.delivery.run_once, True),
            ("orders", self.settings.order_poll_seconds, self.orders_once, False),
            ("alerts", self.settings.alert_check_seconds, self.alerts_once, False),
            ("tokens", TOKEN_UPKEEP_SECONDS, self.tokens_once, False),
            ("digests", DIGEST_CHECK_SECONDS, self.digests_once, False),
            ("rearm", REARM_CHECK_SECONDS, self.rearm_once, False),
            ("corporate_actions", CORPORATE_ACTION_CHECK_SECONDS, self.corporate_actions_once, False),
            ("transfers", self.settings.transfer_poll_seconds, self.transfers_once, False),
        ]
        if self.clicks is not None:
            loops.append(("clicks", CLICK_RECOVERY_SECONDS, self.clicks.run_once, True))
        for name, interval, once, busy in loops:
            wake = self._queued if name == "outbox" else None
            self._tasks.append(
                asyncio.create_task(self._loop(name, interval, once, busy=busy, wake=wake), name=name)
            )

    async def stop(self, grace: float = 5.0) -> None:
        """Stop the loops: a pass in progress may finish (a delivery cut short would leave its
        messages leased until the lease runs out) for up to ``grace`` seconds, then is cancelled."""
        self._stop.set()
        self._queued.set()
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
        self,
        name: str,
        interval: float,
        once: Callable[[], Awaitable[Any]],
        *,
        busy: bool = False,
        wake: asyncio.Event | None = None,
    ) -> None:
        """Run ``once`` every ``interval``, counted from the start of one run to the start of
        the next (a run that overruns is followed at once); with ``busy``, at once again while
        it did something, else ``interval`` after it ends; with ``wake``, also as soon as it is
        set (it is cleared before the run, so a later set is never lost)."""
        interval = max(interval, 0.01)
        clock = asyncio.get_running_loop().time
        started = clock()
        did = 0
        while not self._stop.is_set():
            if not (busy and did):
                wait = interval if busy else max(started + interval - clock(), 0.0)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for((wake or self._stop).wait(), timeout=wait)
            if self._stop.is_set():
                return
            if wake is not None:
                wake.clear()
            started = clock()
            try:
                did = await once() or 0
            except asyncio.CancelledError:
                raise
            except Exception:  # keep polling; the next pass may succeed
                did = 0
                log.exception("%s poller pass failed", name)

    # -- one pass each ---------------------------------------------------------------------------
    async def orders_once(self) -> PassReport:
        """Expire confirmations, settle unanswered submissions, follow open orders."""
        await self.housekeeping()
        await self.core.orders.repo.expire_due()  # each owes its confirmation message the news
        stuck_after = self.settings.settle_after_seconds
        report = await self.core.followup.run_once(
            every=due_after(self.settings.open_order_check_seconds),
            stuck_after=timedelta(seconds=stuck_after),
            now=utcnow(),
        )
        self._observe(report)
        return report

    async def alerts_once(self) -> PassReport:
        """Check every active alert due at AutoShares and announce the ones that fired."""
        report = await self.core.alerts.poll_once(due_after(self.settings.alert_check_seconds), now=utcnow())
        self._observe(report)
        return report

    async def rearm_once(self) -> int:
        """Arm again, once each, the repeating alerts whose cool-down is over."""
        return await self.core.alerts.rearm_once(now=utcnow())

    async def transfers_once(self) -> int:
        """Read every followed account due and owe its member a DM per transfer that completed
        or failed since, once each (``bot.core.transfers``)."""
        return await self.core.transfers.check_once(due_after(self.settings.transfer_poll_seconds), now=utcnow())

    async def digests_once(self) -> int:
        """Owe every digest due now to the outbox, once each."""
        return await self.core.digests.run_once()

    async def corporate_actions_once(self) -> int:
        """Tell holders, once each, of the corporate actions on what they hold."""
        return await self.core.corporate_actions.run_once()

    async def tokens_once(self) -> int:
        """Refresh the tokens about to expire of users whom background work needs."""
        refreshed = await self.core.users.refresh_expiring(
            REFRESH_AHEAD, concurrency=self.settings.poll_concurrency
        )
        if refreshed:
            log.info("token upkeep: %d tokens refreshed ahead of expiry", refreshed)
        return refreshed

    async def housekeeping(self) -> None:
        """Retire long-expired alert routes, forget old webhook ids and old Slack request
        hashes, delete expired chart images (hourly)."""
        now = asyncio.get_running_loop().time()
        if self._housekept_at is not None and now - self._housekept_at < HOUSEKEEPING_EVERY_SECONDS:
            return
        self._housekept_at = now
        expired, forgotten = await self.core.alerts.routes.sweep(
            route_grace=ROUTE_GRACE, webhook_retention=WEBHOOK_RETENTION
        )
        hashes = await self.replays.forget_older_than(REPLAY_RETENTION)
        charts = await self.core.charts.prune()
        if self.clicks is not None:
            await self.clicks.intents.forget_older_than()
        if expired or forgotten or hashes or charts:
            log.info(
                "housekeeping: %d alert routes expired, %d webhook ids and %d Slack request hashes "
                "forgotten, %d chart images deleted",
                expired,
                forgotten,
                hashes,
                charts,
            )

    def _observe(self, report: PassReport) -> None:
        if self.metrics is not None:
            self.metrics.poll_pass(report)
        if report.paced or report.backed_off or report.failed:
            log.info("%s", report.line())
        elif report.rows:
            log.debug("%s", report.line())
