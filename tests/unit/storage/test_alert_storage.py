"""AlertRouteRepository: an alert is announced at most once, whoever reports it, however often."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from storage.alert_groups import AlertGroupRepository, NewRoute
from storage.alert_preferences import AlertPreferences
from storage.alerts import AlertRouteRepository, FireOutcome
from storage.audit import AuditLog
from storage.db import Database
from storage.models import AlertRoute, ProcessedWebhook
from storage.outbox import OutboxRepository
from storage.records import DELETED, utcnow


async def _route(
    repo: AlertRouteRepository,
    alert_id: int,
    *,
    argument: Decimal = Decimal("200"),
    expires_at: datetime | None = None,
) -> None:
    await repo.create(
        alert_id=alert_id,
        team_id="T1",
        slack_user_id="U1",
        autoshares_user_id=1001,
        channel_id="C1",
        symbol="AAPL",
        security_id=1,
        operator="GTEQ",
        field="Last",
        argument=argument,
        expires_at=expires_at,
    )


async def test_webhooks_and_pollers_racing_fire_once(db: Database) -> None:
    repo = AlertRouteRepository(db.sessions)
    await _route(repo, 42)
    results = await asyncio.gather(
        *(repo.fire(42, event_id=f"evt_{i % 3}") for i in range(9)),
        *(repo.fire(42, source="poller") for _ in range(5)),
    )
    outcomes = [r.outcome for r in results]
    assert outcomes.count(FireOutcome.FIRED) == 1
    assert outcomes.count(FireOutcome.DUPLICATE) == 6  # three ids, each delivered three times
    route = await repo.get(42)
    assert route is not None and route.state == "fired" and route.fired_at is not None
    fired = [e for e in await AuditLog(db.sessions).since(subject="alert") if e.action == "fired"]
    assert len(fired) == 1 and fired[0].autoshares_id == "42"


async def test_unknown_deleted_and_repeated_events(db: Database) -> None:
    repo = AlertRouteRepository(db.sessions)
    assert (await repo.fire(999, event_id="evt_x")).outcome is FireOutcome.UNKNOWN
    assert (await repo.fire(999, event_id="evt_x")).outcome is FireOutcome.DUPLICATE
    await _route(repo, 7)
    assert await repo.end(7, DELETED, slack_user_id="U1", team_id="T1")
    assert not await repo.end(7, DELETED)
    assert (await repo.fire(7, event_id="evt_y")).outcome is FireOutcome.NOT_ACTIVE
    assert await repo.remember("evt_z", "order.created")
    assert not await repo.remember("evt_z", "order.created")
    actions = [e.action for e in await AuditLog(db.sessions).since(subject_id="7")]
    assert actions == ["created", "deleted"]


async def test_polling_leases_split_routes_between_pollers(db: Database) -> None:
    repo = AlertRouteRepository(db.sessions)
    for alert_id in range(1, 7):
        await _route(repo, alert_id)
    a, b = await asyncio.gather(
        repo.claim_for_polling(timedelta(seconds=60)), repo.claim_for_polling(timedelta(seconds=60))
    )
    assert sorted(r.alert_id for r in a + b) == [1, 2, 3, 4, 5, 6]
    assert await repo.claim_for_polling(timedelta(seconds=60)) == []
    assert len(await repo.claim_for_polling(timedelta(0))) == 6


async def test_never_checked_routes_are_leased_first_and_a_pass_sees_each_once(db: Database) -> None:
    repo = AlertRouteRepository(db.sessions)
    for alert_id in range(1, 8):
        await _route(repo, alert_id)
    async with db.sessions.begin() as session:  # 1-5 were checked an hour ago; 6 and 7 never
        await session.execute(
            update(AlertRoute)
            .where(AlertRoute.alert_id <= 5)
            .values(claimed_at=utcnow() - timedelta(hours=1))
        )
    now = utcnow()
    first = await repo.claim_for_polling(timedelta(minutes=1), limit=3, now=now)
    assert len(first) == 3 and {6, 7} <= {r.alert_id for r in first}
    rest = [await repo.claim_for_polling(timedelta(minutes=1), limit=3, now=now) for _ in range(3)]
    assert sorted(r.alert_id for r in first + rest[0] + rest[1]) == list(range(1, 8))
    assert rest[2] == []  # what this pass leased is not due again within it


async def test_sweep_retires_old_routes_and_webhook_ids(db: Database) -> None:
    repo = AlertRouteRepository(db.sessions)
    await _route(repo, 1)
    await _route(repo, 2, argument=Decimal("1"), expires_at=utcnow() - timedelta(days=2))
    assert await repo.remember("evt_old", "order.created")
    async with db.sessions.begin() as session:
        await session.execute(update(ProcessedWebhook).values(received_at=utcnow() - timedelta(days=8)))
    assert await repo.remember("evt_new", "order.created")
    assert await repo.sweep(route_grace=timedelta(days=1), webhook_retention=timedelta(days=7)) == (1, 1)
    assert (await repo.get(2)).state == "expired"  # type: ignore[union-attr]
    assert (await repo.get(1)).state == "active"  # type: ignore[union-attr]
    assert not await repo.remember("evt_new", "order.created")
    assert await repo.sweep(route_grace=timedelta(days=1), webhook_retention=timedelta(days=7)) == (0, 0)


# -- alert groups: repeating alerts, snooze, where triggers go -----------------------------------


async def _group(
    db: Database, *, repeat_seconds: int | None = 3600, alert_ids: tuple[int, ...] = (42,)
) -> int:
    group, _ = await AlertGroupRepository(db.sessions).create(
        team_id="T1",
        slack_user_id="U1",
        autoshares_user_id=1001,
        channel_id="C1",
        symbol="AAPL",
        security_id=1,
        field="Last",
        expires_at=utcnow() + timedelta(days=30),
        alerts=[NewRoute(alert_id, "GTEQ", Decimal("200")) for alert_id in alert_ids],
        repeat_seconds=repeat_seconds,
    )
    return group.id


async def test_a_repeating_route_is_rearmed_once_whoever_claims_it(db: Database) -> None:
    routes, groups = AlertRouteRepository(db.sessions), AlertGroupRepository(db.sessions)
    await _group(db)
    fired = (await routes.fire(42, source="poller")).route
    assert fired is not None and fired.fired_at is not None
    assert fired.rearm_at == fired.fired_at + timedelta(hours=1)
    assert await groups.claim_rearm(fired.fired_at + timedelta(minutes=59), lease=timedelta(minutes=2)) == []

    now = fired.fired_at + timedelta(hours=1)
    claims = await asyncio.gather(*(groups.claim_rearm(now, lease=timedelta(minutes=2)) for _ in range(5)))
    (leased,) = [route for claim in claims for route in claim]
    assert leased.rearm_at == now + timedelta(minutes=2)
    assert await groups.rearmed(fired, 43) is None  # not the lease's stamp: records nothing
    new = await groups.rearmed(leased, 43)
    assert new is not None and (new.alert_id, new.state, new.group_id) == (43, "active", leased.group_id)
    assert await groups.rearmed(leased, 44) is None  # the lease is spent
    assert (await routes.get(42)).rearm_at is None  # type: ignore[union-attr]
    assert await groups.claim_rearm(now + timedelta(days=1), lease=timedelta(minutes=2)) == []
    actions = [(e.subject_id, e.action) for e in await AuditLog(db.sessions).since(subject="alert")]
    assert actions == [("42", "created"), ("42", "fired"), ("43", "rearmed")]


async def test_a_lease_that_ran_out_records_nothing_for_its_late_holder(db: Database) -> None:
    routes, groups = AlertRouteRepository(db.sessions), AlertGroupRepository(db.sessions)
    await _group(db, repeat_seconds=60)
    fired = (await routes.fire(42)).route
    assert fired is not None and fired.rearm_at is not None
    (slow,) = await groups.claim_rearm(fired.rearm_at, lease=timedelta(minutes=2))
    (other,) = await groups.claim_rearm(fired.rearm_at + timedelta(minutes=3), lease=timedelta(minutes=2))
    assert await groups.rearmed(slow, 43) is None
    assert await groups.rearmed(other, 44) is not None
    assert await routes.get(43) is None


async def test_a_snoozed_or_ended_group_is_not_rearmed_and_a_snoozed_trigger_owes_no_message(
    db: Database,
) -> None:
    routes, groups = AlertRouteRepository(db.sessions), AlertGroupRepository(db.sessions)
    group_id = await _group(db, alert_ids=(42, 43))
    until = utcnow() + timedelta(days=1)
    snoozed = await groups.snooze(group_id, until, slack_user_id="U1")
    assert snoozed is not None and snoozed.snoozed(utcnow()) and not snoozed.snoozed(until)
    result = await routes.fire(42, event_id="evt_1")
    assert result.outcome is FireOutcome.FIRED and not result.posted
    assert [r.kind for r in await OutboxRepository(db.sessions).listed()] == []
    assert await groups.claim_rearm(utcnow() + timedelta(hours=2), lease=timedelta(minutes=2)) == []
    (due,) = await groups.claim_rearm(until + timedelta(seconds=1), lease=timedelta(minutes=2))
    assert due.alert_id == 42
    assert await groups.end(group_id, DELETED, slack_user_id="U1", team_id="T1") == [43]
    assert (await routes.fire(43)).outcome is FireOutcome.NOT_ACTIVE
    assert await groups.rearmed(due, 44) is None  # ended meanwhile
    assert await groups.snooze(group_id, until, slack_user_id="U1") is None


async def test_a_trigger_goes_where_the_member_chose(db: Database) -> None:
    routes, preferences = AlertRouteRepository(db.sessions), AlertPreferences(db.sessions)
    await _route(routes, 1)
    await _route(routes, 2)
    assert await preferences.delivery("T1", "U1") == "channel"
    await routes.fire(1)
    await preferences.set_delivery("T1", "U1", "dm")
    await preferences.set_delivery("T1", "U1", "dm")  # again: still one choice
    assert await preferences.delivery("T1", "U1") == "dm"
    await routes.fire(2)
    owed = sorted(await OutboxRepository(db.sessions).listed(), key=lambda r: r.id)
    assert [(r.channel, r.data["to"]) for r in owed] == [("C1", "C1"), ("U1", "U1")]
