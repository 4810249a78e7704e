"""PendingOrderRepository on a real database: the state machine, races and forward-only status."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import update

from storage.audit import AuditLog
from storage.db import Database
from storage.links import utcnow
from storage.models import PendingOrder
from storage.orders import (
    CANCELLED,
    EXPIRED,
    FAILED,
    PLACED,
    SUBMITTING,
    PendingOrderRepository,
    order_progress,
)
from storage.records import OrderState


async def _pending(repo: PendingOrderRepository, *, ttl: float = 120, user: str = "U1") -> str:
    pending_id = str(uuid.uuid4())
    await repo.create(
        id=pending_id,
        team_id="T1",
        slack_user_id=user,
        account_id=5001,
        symbol="AAPL",
        request={"Symbol": "AAPL", "Side": "Buy", "Quantity": 10, "Type": "Market"},
        preview={"IsSuccessful": True, "Cost": 1850.0},
        notional=Decimal("1850.00"),
        ttl=timedelta(seconds=ttl),
        channel_id="C1",
        response_url="http://slack.test/response/1",
    )
    return pending_id


async def test_only_one_of_many_concurrent_claims_wins(db: Database) -> None:
    repo = PendingOrderRepository(db.sessions)
    pending_id = await _pending(repo)
    results = await asyncio.gather(*(repo.claim(pending_id, "T1", "U1") for _ in range(20)))
    assert results.count(True) == 1
    row = await repo.get(pending_id)
    assert row is not None and row.status == SUBMITTING
    actions = [e.action for e in await AuditLog(db.sessions).since(subject_id=pending_id)]
    assert actions == ["previewed", "confirmed"]


async def test_claim_refuses_other_users_and_expired_rows(db: Database) -> None:
    repo = PendingOrderRepository(db.sessions)
    pending_id = await _pending(repo)
    assert not await repo.claim(pending_id, "T1", "U2")
    assert not await repo.claim(pending_id, "T2", "U1")  # the same user id from another workspace
    assert not await repo.claim(pending_id, "T1", "U1", now=utcnow() + timedelta(seconds=121))
    assert not await repo.cancel(pending_id, "T1", "U2")
    assert not await repo.cancel(pending_id, "T2", "U1")
    row = await repo.get(pending_id)
    assert row is not None and row.status == "pending"
    assert await repo.cancel(pending_id, "T1", "U1")
    assert not await repo.claim(pending_id, "T1", "U1")
    row = await repo.get(pending_id)
    assert row is not None and row.status == CANCELLED


async def test_expire_due_expires_each_row_once(db: Database) -> None:
    repo = PendingOrderRepository(db.sessions)
    old = await _pending(repo, ttl=0)
    fresh = await _pending(repo, ttl=120)
    first, second = await asyncio.gather(repo.expire_due(), repo.expire_due())
    assert [p.id for p in first + second] == [old]
    assert (await repo.get(old)).status == EXPIRED  # type: ignore[union-attr]
    assert (await repo.get(fresh)).status == "pending"  # type: ignore[union-attr]
    assert not await repo.claim(old, "T1", "U1")


async def test_status_only_moves_forward_and_events_are_deduplicated(db: Database) -> None:
    repo = PendingOrderRepository(db.sessions)
    pending_id = await _pending(repo)
    assert await repo.claim(pending_id, "T1", "U1")
    # The fill webhook can arrive before the place call has even returned.
    filled = OrderState(order_id=7, client_id=pending_id, status="Filled", executed_quantity=Decimal(10))
    update = await repo.apply_order_update(filled, event_id="evt_1", event_type="order.filled")
    assert update.changed and update.pending is not None
    assert update.pending.autoshares_order_id == 7
    again = await repo.apply_order_update(filled, event_id="evt_1", event_type="order.filled")
    assert again.duplicate and not again.changed
    placed = await repo.record_placed(pending_id, OrderState(order_id=7, client_id=pending_id, status="New"))
    assert placed is not None and placed.status == PLACED
    assert placed.order_status == "Filled"  # the older "New" did not overwrite the fill
    stale = await repo.apply_order_update(
        OrderState(order_id=7, status="PartiallyFilled", executed_quantity=Decimal(5))
    )
    assert not stale.changed
    actions = [e.action for e in await AuditLog(db.sessions).since(subject_id=pending_id)]
    assert actions == ["previewed", "confirmed", "filled", "placed"]


async def test_record_failed_and_followup_claims(db: Database) -> None:
    repo = PendingOrderRepository(db.sessions)
    stuck = await _pending(repo)
    assert await repo.claim(stuck, "T1", "U1")
    placed = await _pending(repo)
    assert await repo.claim(placed, "T1", "U1")
    await repo.record_placed(placed, OrderState(order_id=8, client_id=placed, status="New"))
    # Nothing is due yet...
    assert await repo.claim_for_followup(every=timedelta(seconds=60), stuck_after=timedelta(seconds=60)) == []
    # ...a minute later both are, and two pollers split them without overlap.
    async with db.sessions.begin() as session:
        await session.execute(update(PendingOrder).values(updated_at=utcnow() - timedelta(seconds=61)))
    a, b = await asyncio.gather(
        repo.claim_for_followup(every=timedelta(seconds=60), stuck_after=timedelta(seconds=60)),
        repo.claim_for_followup(every=timedelta(seconds=60), stuck_after=timedelta(seconds=60)),
    )
    ids = sorted(p.id for p in a + b)
    assert ids == sorted([stuck, placed])
    failed = await repo.record_failed(stuck, "not found at AutoShares")
    assert failed is not None and failed.status == FAILED
    assert await repo.record_failed(stuck, "again") is not None
    actions = [e.action for e in await AuditLog(db.sessions).since(subject_id=stuck)]
    assert actions.count("failed") == 1


def test_order_progress_orders_statuses() -> None:
    def state(status: str, executed: int | None = None) -> OrderState:
        return OrderState(status=status, executed_quantity=Decimal(executed) if executed is not None else None)

    assert order_progress(None) < order_progress(state("New"))
    assert order_progress(state("New")) < order_progress(state("PartiallyFilled", 1))
    partial = order_progress(state("PartiallyFilled", 1))
    assert partial < order_progress(state("PartiallyFilled", 2))
    assert partial < order_progress(state("Canceled", 1))


def test_an_order_state_is_stored_as_the_column_has_always_kept_it() -> None:
    """result_json keeps OrderResource names, so rows written before read back the same."""
    written = {"Id": 7, "ClientId": "c-1", "Status": "PartiallyFilled", "ExecutedQuantity": 4, "AveragePrice": 10.5}
    state = OrderState.from_stored(written)
    assert state == OrderState(
        order_id=7,
        client_id="c-1",
        status="PartiallyFilled",
        executed_quantity=Decimal(4),
        average_price=Decimal("10.5"),
    )
    assert OrderState.from_stored(state.stored()) == state
    later = OrderState(status="Filled", executed_quantity=Decimal(10)).over(state)
    assert (later.order_id, later.status, later.executed_quantity) == (7, "Filled", Decimal(10))
    assert OrderState.from_stored("not json") is None
