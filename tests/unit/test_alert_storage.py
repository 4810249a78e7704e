"""AlertRouteRepository: an alert is announced at most once, whoever reports it, however often."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from storage.alerts import AlertRouteRepository, FireOutcome
from storage.audit import AuditLog
from storage.db import Database
from storage.models import AlertRoute, ProcessedWebhook
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
