"""The outbox's delivery (``bot.core.delivery``) on its own: real repositories on the test
database, a clock the test moves, and a notifier that stands in for Slack and records what it
was handed (the Slack surface itself is covered by the scenario tests).

What is checked here: a message Slack takes is posted once and marked delivered; one Slack
refuses is tried again at its Retry-After (or a backoff) and ends dead after the last attempt or
at once when trying again cannot help; a channel's second message waits for the channel's pace
without using an attempt, while another channel is not held up; a worker that died mid-post
leaves the row to be sent again when its lease runs out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

import pytest
from sqlalchemy import update

from bot.core.delivery import MAX_BACKOFF_SECONDS, Delivery, backoff
from bot.core.digests import DigestService
from bot.core.ports import DeliveryFailed, Posted
from bot.telemetry.metrics import Metrics
from storage import outbox
from storage.alert_groups import AlertGroupRepository
from storage.alerts import AlertRouteRepository
from storage.crypto import TokenCipher
from storage.db import Database
from storage.link_states import LINK_REFUSED
from storage.links import LinkRepository
from storage.models import OutboxMessage
from storage.orders import PendingOrderRepository
from storage.outbox import DEAD, DELIVERED, PENDING, SENDING, OutboxRepository
from storage.pacing import ChannelPaceRepository
from storage.records import utcnow


@dataclass
class SlackStandIn:
    """Takes ``link_refused`` messages, or refuses them as told (one failure per call, in order)."""

    refusals: list[DeliveryFailed] = field(default_factory=list)
    told: list[tuple[str, str]] = field(default_factory=list)

    clock: Callable[[], float] | None = None
    told_at: list[tuple[str, float]] = field(default_factory=list)

    async def link_refused(self, team_id: str, slack_user_id: str) -> None:
        if self.refusals:
            raise self.refusals.pop(0)
        self.told.append((team_id, slack_user_id))
        if self.clock is not None:
            self.told_at.append((slack_user_id, self.clock()))

    async def linked(self, link: Any, agreements: Sequence[Any]) -> None:  # pragma: no cover
        raise AssertionError("not owed in these tests")

    async def alert_triggered(self, *args: Any, **kwargs: Any) -> Posted | None:  # pragma: no cover
        raise AssertionError("not owed in these tests")

    async def order_changed(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover
        raise AssertionError("not owed in these tests")

    async def approval_requested(self, *args: Any) -> str | None:  # pragma: no cover
        raise AssertionError("not owed in these tests")

    async def approval_changed(self, *args: Any) -> None:  # pragma: no cover
        raise AssertionError("not owed in these tests")

    async def digest(self, *args: Any) -> None:  # pragma: no cover
        raise AssertionError("not owed in these tests")


class Clock:
    """A clock (seconds since the epoch) the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Virtual time: the sleeper wakes ``seconds`` later by this clock, at once."""
        until = self.now + seconds
        await asyncio.sleep(0)
        self.now = max(self.now, until)


@dataclass
class Rig:
    delivery: Delivery
    slack: SlackStandIn
    repo: OutboxRepository
    metrics: Metrics
    db: Database
    clock: Clock

    async def owe(self, team: str, user: str, *, dedupe: str | None = None) -> None:
        async with self.db.sessions.begin() as session:
            await outbox.enqueue(
                session, LINK_REFUSED, team_id=team, channel=user, data={}, dedupe_key=dedupe
            )

    async def rows(self) -> list[outbox.OutboxItem]:
        return sorted(await self.repo.listed(), key=lambda item: item.id)

    async def make_due(self, *, later: float = 600) -> None:
        """Bring every pending row's next attempt to now: ``later`` seconds have passed (for
        the channels' pace too)."""
        self.clock.now += later
        async with self.db.sessions.begin() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.state == PENDING).values(next_attempt_at=utcnow())
            )


def replica(
    db: Database, encryption_key: str, slack: SlackStandIn, clock: Clock, metrics: Metrics, *, batch: int = 100
) -> Delivery:
    """One replica's outbox worker on the shared database (and the test's clock)."""
    return Delivery(
        OutboxRepository(db.sessions),
        slack,
        links=LinkRepository(db.sessions, TokenCipher([encryption_key])),
        routes=AlertRouteRepository(db.sessions),
        groups=AlertGroupRepository(db.sessions),
        orders=PendingOrderRepository(db.sessions),
        # Digests are composed only for digest messages, which these tests do not owe.
        digests=cast(DigestService, None),
        metrics=metrics,
        max_attempts=3,
        retry_base_seconds=1.0,
        paces=ChannelPaceRepository(db.sessions),
        pace_seconds=1.0,
        clock=clock,
        sleep=clock.sleep,
        batch=batch,
    )


@pytest.fixture
def rig(db: Database, encryption_key: str) -> Rig:
    slack, metrics, clock = SlackStandIn(), Metrics(), Clock()
    delivery = replica(db, encryption_key, slack, clock, metrics)
    return Rig(delivery, slack, delivery.outbox, metrics, db, clock)


async def deliver(rig: Rig) -> int:
    started = await rig.delivery.run_once()
    await rig.delivery.idle()
    return started


async def test_a_message_slack_takes_is_posted_once_and_marked_delivered(rig: Rig) -> None:
    await rig.owe("T1", "U1")
    assert await deliver(rig) == 1
    assert rig.slack.told == [("T1", "U1")]
    [row] = await rig.rows()
    assert row.state == DELIVERED and row.delivered_at is not None and row.attempts == 1
    assert await deliver(rig) == 0  # nothing owed any more
    assert rig.slack.told == [("T1", "U1")]
    assert rig.metrics.value("autoshares_outbox_messages_total", outcome="delivered") == 1


async def test_a_dedupe_key_owes_one_message_however_often_it_is_written(rig: Rig) -> None:
    for _ in range(3):
        await rig.owe("T1", "U1", dedupe="refused:abc")
    assert len(await rig.rows()) == 1
    await deliver(rig)
    assert rig.slack.told == [("T1", "U1")]


async def test_a_refusal_with_retry_after_waits_that_long_then_is_delivered(rig: Rig) -> None:
    rig.slack.refusals.append(DeliveryFailed("ratelimited", retry_after=30))
    await rig.owe("T1", "U1")
    before = utcnow()
    await deliver(rig)
    [row] = await rig.rows()
    assert row.state == PENDING and row.last_error == "ratelimited" and row.attempts == 1
    assert row.next_attempt_at >= before + timedelta(seconds=29)
    assert await deliver(rig) == 0  # not due yet: Slack's Retry-After is honoured
    await rig.make_due()
    await deliver(rig)
    [row] = await rig.rows()
    assert row.state == DELIVERED and row.last_error is None and row.attempts == 2
    assert rig.slack.told == [("T1", "U1")]


async def test_a_message_refused_every_time_is_dead_after_the_last_attempt(rig: Rig) -> None:
    rig.slack.refusals.extend(DeliveryFailed("channel_not_found_yet") for _ in range(5))
    await rig.owe("T1", "U1")
    for _ in range(3):
        await rig.make_due()
        await deliver(rig)
    [row] = await rig.rows()
    assert row.state == DEAD and row.attempts == 3 and row.last_error == "channel_not_found_yet"
    assert rig.slack.told == []
    await rig.make_due()
    assert await deliver(rig) == 0  # dead rows are left for people
    assert rig.metrics.value("autoshares_outbox_messages_total", outcome="dead") == 1


async def test_a_permanent_refusal_is_dead_at_once(rig: Rig) -> None:
    rig.slack.refusals.append(DeliveryFailed("account_inactive", permanent=True))
    await rig.owe("T1", "U1")
    await deliver(rig)
    [row] = await rig.rows()
    assert row.state == DEAD and row.attempts == 1 and row.last_error == "account_inactive"


async def test_an_unforeseen_failure_is_tried_again_later_not_lost(rig: Rig) -> None:
    rig.slack.refusals.append(cast(DeliveryFailed, RuntimeError("boom")))
    await rig.owe("T1", "U1")
    await deliver(rig)
    [row] = await rig.rows()
    assert row.state == PENDING and row.last_error == "RuntimeError"
    await rig.make_due()
    await deliver(rig)
    assert rig.slack.told == [("T1", "U1")]


async def test_a_channel_keeps_its_pace_without_using_attempts_and_holds_up_no_other(rig: Rig) -> None:
    await rig.owe("T1", "U1")
    await rig.owe("T1", "U1")
    await rig.owe("T1", "U2")
    assert await deliver(rig) == 2  # one post per channel at a time
    assert sorted(rig.slack.told) == [("T1", "U1"), ("T1", "U2")]
    held = [row for row in await rig.rows() if row.state == PENDING]
    assert len(held) == 1 and held[0].channel == "U1"
    assert held[0].attempts == 0  # held back for the pace, not tried
    assert held[0].next_attempt_at > utcnow() + timedelta(seconds=0.5)


async def test_two_replicas_keep_one_pace_per_channel_between_them(rig: Rig, db: Database, encryption_key: str) -> None:
    rig.slack.clock = rig.clock
    # A second replica: its own worker, notifier and metrics, the same database (and clock).
    other = replica(db, encryption_key, rig.slack, rig.clock, Metrics(), batch=2)
    rig.delivery = replica(db, encryption_key, rig.slack, rig.clock, rig.metrics, batch=2)
    for _ in range(6):
        await rig.owe("T1", "U1")
    await rig.owe("T1", "U2")
    started = []
    while len(rig.slack.told) < 7:
        started.append(await rig.delivery.run_once())
        started.append(await other.run_once())
        await asyncio.gather(rig.delivery.idle(), other.idle())
        await rig.make_due(later=0.3)
    assert sum(started[0::2]) >= 1 and sum(started[1::2]) >= 1  # both replicas posted
    posted = sorted(at for channel, at in rig.slack.told_at if channel == "U1")
    assert len(posted) == 6
    assert min(b - a for a, b in zip(posted, posted[1:], strict=False)) >= 1.0 - 1e-9
    assert all(row.state == DELIVERED and row.attempts == 1 for row in await rig.rows())


async def test_slacks_retry_after_holds_back_every_replica(rig: Rig, db: Database, encryption_key: str) -> None:
    other = replica(db, encryption_key, rig.slack, rig.clock, Metrics())
    rig.slack.refusals.append(DeliveryFailed("ratelimited", retry_after=30))
    await rig.owe("T1", "U1")
    await deliver(rig)  # Slack asked this replica to wait 30 s in that channel
    await rig.owe("T1", "U1")
    assert await other.run_once() == 0  # the other replica's message waits too, no attempt used
    held = [row for row in await rig.rows() if row.attempts == 0]
    assert len(held) == 1 and held[0].next_attempt_at > utcnow() + timedelta(seconds=29)
    await rig.make_due(later=30)
    assert await other.run_once() == 1
    await other.idle()
    assert rig.slack.told == [("T1", "U1")]


async def test_a_row_whose_sender_died_is_sent_again_when_its_lease_runs_out(rig: Rig) -> None:
    await rig.owe("T1", "U1")
    [claimed] = await rig.repo.claim(limit=10, lease=timedelta(seconds=60))  # a worker that then died
    assert claimed.state == SENDING
    assert await deliver(rig) == 0  # the lease still holds
    async with rig.db.sessions.begin() as session:
        await session.execute(update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1)))
    assert await deliver(rig) == 1
    [row] = await rig.rows()
    assert row.state == DELIVERED and row.attempts == 2
    assert rig.slack.told == [("T1", "U1")]


def test_backoff_doubles_with_jitter_up_to_ten_minutes() -> None:
    for attempts in range(1, 6):
        assert 0.8 * 2**attempts <= backoff(attempts) <= 1.2 * 2**attempts
    assert backoff(40) <= MAX_BACKOFF_SECONDS * 1.2
