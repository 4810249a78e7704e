"""Delivering the outbox: every message the bot owes Slack, until Slack takes it.

Repositories owe a message in the same transaction as the change behind it (``storage.outbox``).
:meth:`Delivery.run_once` leases the due rows, reads what each one is about (the fired alert's
route, the order as it is now, the new link) and hands it to the :class:`Notifier`. A message
Slack took is marked delivered; one it refused is tried again later (its ``Retry-After`` when
Slack gave one, else a growing backoff) and ends ``dead`` with Slack's error after
``max_attempts`` or when trying again cannot help. Posts keep Slack's pace of one message per
second per channel across every replica (the channel's next slot is a database row, taken by one
conditional UPDATE: ``storage.pacing``): a second message for a channel waits its turn without
using an attempt, Slack's Retry-After for a channel holds every replica back from it, and one
channel's slow post holds up no other channel. The clock (``clock``) reads seconds since the
epoch, since replicas compare their slots through the database; ``clock`` and ``sleep`` are
injected so that tests can run the pace on virtual time.

A fired alert of a group (a percent move, a repeating alert) replies in the thread of the
group's first post in the same place; the first one posted records its ts for the others, as
an approval request records its own.

Crash safety: a worker that dies after Slack took a message but before marking it delivered
leaves the row leased; when the lease runs out another worker sends it again. So a crash can
repeat at most the messages that were in flight at that moment, each once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, cast

from bot.autoshares.errors import AutoSharesError, RelinkRequired
from bot.autoshares.resources import Agreement, Transfer, parse, parse_list
from bot.core.digests import DigestService
from bot.core.errors import NotLinkedError
from bot.core.notices import ActionNotice
from bot.core.ports import DeliveryFailed, Notifier
from bot.telemetry.metrics import Metrics
from storage.alert_groups import AlertGroupRepository
from storage.alerts import ALERT_TRIGGERED, AlertRouteRepository
from storage.corporate_actions import CORPORATE_ACTION
from storage.digests import DIGEST_DUE
from storage.link_states import LINK_REFUSED
from storage.links import LINKED, LinkRepository
from storage.orders import APPROVAL_CHANGED, APPROVAL_REQUESTED, ORDER_CHANGED, PendingOrderRepository
from storage.outbox import OutboxItem, OutboxRepository
from storage.pacing import ChannelPaceRepository
from storage.records import SUBMITTING, utcnow
from storage.transfers import TRANSFER_SETTLED

log = logging.getLogger(__name__)

#: Seconds between two posts to one channel (Slack's chat.postMessage pace).
CHANNEL_PACE_SECONDS = 1.0
#: A Slack channel: (team id, channel id).
Channel = tuple[str, str]
MAX_BACKOFF_SECONDS = 600.0


def backoff(attempts: int, base: float = 1.0) -> float:
    """Seconds before attempt ``attempts + 1``: ``base`` × 2, 4, 8 … up to ten minutes, with jitter."""
    return min(base * 2.0**attempts, MAX_BACKOFF_SECONDS) * random.uniform(0.8, 1.2)


class _AtSlot:
    """The notifier, reached only once the post's slot has come (``wait``)."""

    def __init__(self, notifier: Notifier, wait: Callable[[], Awaitable[None]]) -> None:
        self._notifier = notifier
        self._wait = wait

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        post = getattr(self._notifier, name)

        async def at_slot(*args: Any, **kwargs: Any) -> Any:
            await self._wait()
            return await post(*args, **kwargs)

        return at_slot


class Delivery:
    def __init__(
        self,
        outbox: OutboxRepository,
        notifier: Notifier,
        *,
        links: LinkRepository,
        routes: AlertRouteRepository,
        groups: AlertGroupRepository,
        orders: PendingOrderRepository,
        digests: DigestService,
        metrics: Metrics,
        paces: ChannelPaceRepository,
        batch: int = 100,
        lease: timedelta = timedelta(seconds=60),
        max_attempts: int = 8,
        retry_base_seconds: float = 1.0,
        pace_seconds: float = CHANNEL_PACE_SECONDS,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.outbox = outbox
        self._notifier = notifier
        self._links = links
        self._routes = routes
        self._groups = groups
        self._orders = orders
        self._digests = digests
        self._metrics = metrics
        self._batch = batch
        self._lease = lease
        self.max_attempts = max_attempts
        self._retry_base = retry_base_seconds
        self._paces = paces
        self._pace = pace_seconds
        self._clock = clock
        self._sleep = sleep
        self._sending: dict[Channel, float] = {}  # channel with a post in flight -> end of its slot
        self._posting: set[asyncio.Task[None]] = set()

    async def run_once(self) -> int:
        """Start delivering what is due now; returns how many posts it started.

        Each channel sends one post at a time, in a task of its own, so a channel whose post
        waits out a Retry-After holds up no other channel. The post's slot is taken from the
        channel's pace shared by every replica (``storage.pacing``); a channel whose next slot
        is more than a pace away, and a channel's other due messages, are held back until their
        turn (one write each, no attempt used), so they come due in turn rather than all at once.
        """
        items = await self.outbox.claim(limit=self._batch, lease=self._lease)
        if not items:
            return 0
        by_channel: dict[Channel, list[OutboxItem]] = {}
        for item in items:
            by_channel.setdefault((item.team_id, item.channel), []).append(item)
        started = 0
        for channel, queue in by_channel.items():
            now = self._clock()
            free_at = max(self._sending.get(channel, now), now + self._pace)
            if channel not in self._sending:
                slot = await self._paces.take(*channel, now=now, pace=self._pace, horizon=self._pace)
                free_at = slot.at + self._pace if slot.granted else slot.at
                if slot.granted:
                    self._start(channel, queue.pop(0), slot.at)
                    started += 1
            for turn, item in enumerate(queue):
                wait = free_at + turn * self._pace - now
                await self.outbox.retry(
                    item.id, utcnow() + timedelta(seconds=max(wait, 0.0)), None, attempt_used=False
                )
        return started

    async def idle(self) -> None:
        """Wait for the posts this process has started."""
        while self._posting:
            await asyncio.wait(set(self._posting))

    async def settle(self, timeout: float = 10.0) -> None:
        """Deliver until nothing is due or being sent (what waits for a later retry stays)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            await self.run_once()
            await asyncio.wait_for(self.idle(), max(deadline - loop.time(), 0.01))
            if not await self.outbox.in_flight():
                return
            await asyncio.sleep(0.01)

    def _start(self, channel: Channel, item: OutboxItem, at: float) -> None:
        self._sending[channel] = at + self._pace
        task = asyncio.create_task(self._post(channel, item, at), name="outbox-post")
        self._posting.add(task)
        task.add_done_callback(self._posting.discard)

    async def _post(self, channel: Channel, item: OutboxItem, at: float) -> None:
        """One post at its slot (at most one pace from now). What the post needs is read first;
        only Slack's call waits for the slot, so the reads (or a digest's AutoShares calls) do
        not push the post out of it. A post that took longer than its slot (Slack's client
        waited out a Retry-After) pushes the channel's next slot to a pace after it ended, for
        every replica."""
        slot = [at]
        try:
            await self._attempt(
                item, cast(Notifier, _AtSlot(self._notifier, lambda: self._wait(channel, slot)))
            )
        finally:
            self._sending.pop(channel, None)
        ended = self._clock()
        if ended > slot[0] + self._pace:
            await self._paces.push(*channel, ended + self._pace)

    async def _wait(self, channel: Channel, slot: list[float]) -> None:
        """Wait for the post's slot; one missed (the reads before the post outlasted it) is
        given up for the channel's next free one."""
        now = self._clock()
        if self._pace > 0 and now > slot[0] + self._pace / 2:
            slot[0] = (
                await self._paces.take(*channel, now=now, pace=self._pace, horizon=MAX_BACKOFF_SECONDS)
            ).at
        if slot[0] > now:
            await self._sleep(slot[0] - now)

    async def _attempt(self, item: OutboxItem, notifier: Notifier) -> int:
        try:
            await self._deliver(item, notifier)
        except DeliveryFailed as exc:
            self._failed(item, exc.error)
            if exc.permanent or item.attempts >= self.max_attempts:
                await self.outbox.dead(item.id, exc.error)
                self._metrics.outbox("dead")
                log.error(
                    "outbox message %s (%s) is dead after %d attempts: %s",
                    item.id,
                    item.kind,
                    item.attempts,
                    exc.error,
                )
                return 0
            delay = (
                exc.retry_after if exc.retry_after is not None else backoff(item.attempts, self._retry_base)
            )
            if exc.retry_after is not None:  # Slack's word holds for every replica posting there
                await self._paces.push(item.team_id, item.channel, self._clock() + exc.retry_after)
            await self.outbox.retry(item.id, utcnow() + timedelta(seconds=delay), exc.error)
            self._metrics.outbox("retried")
            return 0
        except Exception as exc:  # a bug or an outage we did not foresee: try again later
            log.exception("delivering outbox message %s (%s) failed unexpectedly", item.id, item.kind)
            await self.outbox.retry(
                item.id,
                utcnow() + timedelta(seconds=backoff(item.attempts, self._retry_base)),
                type(exc).__name__,
            )
            self._metrics.outbox("retried")
            return 0
        await self.outbox.delivered(item.id)
        self._metrics.outbox("delivered")
        return 1

    def _failed(self, item: OutboxItem, error: str) -> None:
        log.warning(
            "outbox message %s (%s) not taken by Slack (attempt %d): %s",
            item.id,
            item.kind,
            item.attempts,
            error,
        )

    async def _deliver(self, item: OutboxItem, notifier: Notifier) -> None:
        """Read what the message is about as it is now, and hand it to the notifier."""
        data = item.data
        if item.kind == ALERT_TRIGGERED:
            await self._alert(item, notifier)
        elif item.kind == ORDER_CHANGED:
            pending = await self._orders.get(str(data["pending_id"]))
            if pending is not None and pending.status != SUBMITTING:  # else the follow-up settles it first
                await notifier.order_changed(pending, dm_fallback=bool(data.get("dm_fallback", True)))
        elif item.kind == APPROVAL_REQUESTED:
            pending = await self._orders.get(str(data["pending_id"]))
            if pending is not None and pending.approval_ts is None:  # not posted yet (as far as we know)
                ts = await notifier.approval_requested(pending)
                if ts:
                    await self._orders.approval_posted(pending.id, ts)
        elif item.kind == APPROVAL_CHANGED:
            pending = await self._orders.get(str(data["pending_id"]))
            if pending is not None:
                await notifier.approval_changed(pending)
        elif item.kind == DIGEST_DUE:
            await self._digest(item, notifier)
        elif item.kind == LINKED:
            link = await self._links.get(item.team_id, item.channel)
            if link is not None:
                # kept as the client dumped them (older rows: as AutoShares wrote them)
                agreements = parse_list(Agreement, data.get("agreements") or [], "a stored link message")
                await notifier.linked(link, agreements)
        elif item.kind == CORPORATE_ACTION:
            await notifier.corporate_action(item.team_id, item.channel, ActionNotice.from_data(item.data))
        elif item.kind == LINK_REFUSED:
            await notifier.link_refused(item.team_id, item.channel)
        elif item.kind == TRANSFER_SETTLED:
            transfer = parse(Transfer, data.get("transfer"), "a stored transfer notice")
            await notifier.transfer_settled(item.team_id, item.channel, int(data["account_id"]), transfer)
        else:
            raise DeliveryFailed(f"no delivery for messages of kind {item.kind!r}", permanent=True)

    async def _alert(self, item: OutboxItem, notifier: Notifier) -> None:
        """Post a fired alert where it was owed; a trigger of a group replies under the
        group's post there, and the first one posted becomes that post."""
        route = await self._routes.get(int(item.data["alert_id"]))
        if route is None:
            return
        price = item.data.get("price")
        to = str(item.data.get("to") or route.channel_id)
        group = await self._groups.get(route.group_id) if route.group_id is not None else None
        thread = group.thread_for(to) if group is not None else None
        posted = await notifier.alert_triggered(
            route, float(price) if price is not None else None, to=to, thread=thread, group=group
        )
        if group is not None and thread is None and posted is not None:
            await self._groups.thread_posted(group.id, to=posted.to, channel=posted.channel, ts=posted.ts)

    async def _digest(self, item: OutboxItem, notifier: Notifier) -> None:
        """Compose a due digest as AutoShares has it now and post it. A schedule removed since,
        or a member no longer linked, has nothing to post; AutoShares failing is tried again."""
        digest = await self._digests.repo.get(int(item.data["digest_id"]))
        if digest is None:
            return
        occurrence = datetime.fromisoformat(str(item.data["occurrence"]))
        try:
            summary = await self._digests.compose(digest, occurrence)
        except NotLinkedError:  # unlinked since: the schedule goes with the link
            await self._digests.repo.remove(digest.team_id, [digest.slack_user_id])
            raise DeliveryFailed(
                f"digest {digest.id}: the member is no longer linked", permanent=True
            ) from None
        except RelinkRequired as exc:
            raise DeliveryFailed(f"digest {digest.id}: {exc.code}", permanent=True) from None
        except AutoSharesError as exc:
            raise DeliveryFailed(f"digest {digest.id}: AutoShares {exc.code}") from None
        await notifier.digest(digest.team_id, digest.channel_id, digest.slack_user_id, summary)
