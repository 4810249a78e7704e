"""Pending orders: between preview and placement, and the order's life after it.

The row's id (a uuid4 string) is the AutoShares ``ClientId``. States::

    pending ──confirm──▶ submitting ──▶ placed      (AutoShares has the order)
       │        ▲            └────────▶ failed      (AutoShares refused it / does not have it)
       │        └─approve─┐
       ├──confirm (needs approval)──▶ awaiting_approval ──reject──▶ rejected
       ├──cancel──▶ cancelled                      ├──cancel──▶ cancelled
       └──timeout─▶ expired                        └──timeout─▶ expired

    placed ──a change of the order placed──▶ replaced

A change to a placed order (``/order edit``) is a row of its own that goes the same way; once
AutoShares replaced the order (which keeps its id) the change's row follows the order and the
earlier rows of that order are ``replaced``: updates of the order go to the newest row.

Every move is a conditional UPDATE (``WHERE status = …``) so exactly one caller wins it, on
one process or many sharing the database. Status updates that arrive later (webhooks, polling)
only move an order forward (New → PartiallyFilled → Filled), whatever order they arrive in.

SQLite note: pysqlite opens a transaction only at the first write, so a read-decide-write
sequence starts with a write (the webhook id insert, or a no-op UPDATE of the row) to take the
lock first; on PostgreSQL the same statement takes the row lock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.alerts import remember_event
from storage.audit import add_event
from storage.leases import lease_chunk
from storage.models import PendingOrder
from storage.outbox import due_now, enqueue, withdraw
from storage.records import (
    AWAITING_APPROVAL,
    CANCELLED,
    EXPIRED,
    FAILED,
    PENDING,
    PLACED,
    REJECTED,
    REPLACED,
    SUBMITTING,
    TERMINAL_ORDER_STATUSES,
    WAITING_STATES,
    OrderState,
    Pending,
    PendingState,
    aware,
    utcnow,
)
from storage.team import give_back_order_slot, take_order_slot

#: Audit action recorded when an order reaches one of these statuses.
STATUS_ACTIONS = {
    "PartiallyFilled": "partially_filled",
    "Filled": "filled",
    "Canceled": "cancelled",
    "Rejected": "rejected",
    "Expired": "expired",
}


def order_progress(order: OrderState | None) -> tuple[int, Decimal]:
    """How far an order has got: (status rank, executed quantity). Bigger is later."""
    return order.progress if order is not None else (-1, Decimal(0))


def is_terminal(order_status: str | None) -> bool:
    return order_status in TERMINAL_ORDER_STATUSES


def _loads(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _pending(row: PendingOrder) -> Pending:
    return Pending(
        id=row.id,
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        account_id=int(row.account_id),
        symbol=row.symbol,
        request=_loads(row.request_json) or {},
        preview=_loads(row.preview_json),
        notional=Decimal(row.notional) if row.notional is not None else None,
        status=PendingState(row.status),
        created_at=aware(row.created_at),
        expires_at=aware(row.expires_at),
        updated_at=aware(row.updated_at),
        channel_id=row.channel_id,
        response_url=row.response_url,
        autoshares_order_id=int(row.autoshares_order_id) if row.autoshares_order_id is not None else None,
        order_status=row.order_status,
        result=OrderState.from_stored(_loads(row.result_json)),
        error=row.error,
        approval_channel=row.approval_channel,
        approval_ts=row.approval_ts,
        decided_by=row.decided_by,
    )


@dataclass(frozen=True)
class OrderUpdate:
    """What applying an order status did: ``changed`` rows need their message refreshed.
    ``deferred``: nothing was recorded, not even the event id, because the order may be one
    still being placed here (see :meth:`PendingOrderRepository.apply_order_update`)."""

    pending: Pending | None
    changed: bool
    duplicate: bool = False
    previous_status: str | None = None
    deferred: bool = False


class _NotYetKnown(Exception):
    """Roll back an order event that may belong to a placement still without its answer."""


ORDER_CHANGED = "order_changed"
#: Outbox kinds of two-person approval: the request posted to the approvers' channel, and that
#: message updated as the order moves on.
APPROVAL_REQUESTED = "approval_requested"
APPROVAL_CHANGED = "approval_changed"


class OverDailyLimit(Exception):
    """The member already sent their daily limit of orders: nothing was claimed."""


@dataclass(frozen=True)
class DayQuota:
    """The trading day an order counts on, and the member's limit for it (None: no limit)."""

    day: str
    limit: int | None


def click_answer_key(pending_id: str) -> str:
    """The outbox key of the answer a Confirm click owes (see :meth:`PendingOrderRepository.claim`)."""
    return f"click:{pending_id[:36]}"


async def _announce(
    session: AsyncSession,
    row: PendingOrder,
    *,
    dm_fallback: bool = True,
    dedupe_key: str | None = None,
    due_in: timedelta | None = None,
) -> None:
    """Owe the requester an update of the order's message, in the caller's transaction; one per
    state the order reaches (the message shows the latest state when it is delivered)."""
    known = OrderState.from_stored(_loads(row.result_json))
    executed = known.executed_quantity if known is not None else None
    state = f"{row.status}:{row.order_status or ''}:{executed or ''}"
    await enqueue(
        session,
        ORDER_CHANGED,
        team_id=row.team_id,
        channel=row.slack_user_id,
        data={"pending_id": row.id, "dm_fallback": dm_fallback},
        dedupe_key=dedupe_key or f"order:{row.id}:{state}",
        due_in=due_in,
    )
    if dedupe_key is None:  # the approval request, if any, shows the order's state too
        await _approval_changed(session, row, state)


async def _requesters_move(
    session: AsyncSession,
    pending_id: str,
    team_id: str,
    slack_user_id: str,
    now: datetime,
    values: dict[str, Any],
) -> bool:
    """The requester's Confirm moves a pending order on (to submitting, or to awaiting
    approval): one conditional UPDATE, only for the requester in their workspace and before
    the confirmation expires, so exactly one of any number of racing callers wins."""
    result = await session.execute(
        update(PendingOrder)
        .where(
            PendingOrder.id == pending_id[:36],
            PendingOrder.status == PENDING,
            PendingOrder.expires_at > now,
            PendingOrder.team_id == team_id,
            PendingOrder.slack_user_id == slack_user_id,
        )
        .values(**values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def _counted(session: AsyncSession, pending_id: str, quota: DayQuota | None) -> PendingOrder:
    """The order just moved to ``submitting``, counted against its requester's day
    (:class:`OverDailyLimit`, rolling the move back, when the day's orders are all sent)."""
    row = await session.get(PendingOrder, pending_id[:36])
    assert row is not None
    if quota is not None and not await take_order_slot(
        session, row.team_id, row.slack_user_id, quota.day, quota.limit
    ):
        raise OverDailyLimit()
    return row


async def _approval_changed(session: AsyncSession, row: PendingOrder, state: str | None = None) -> None:
    """Owe the approval request's message an update (it shows the order's state as it is when
    delivered), in the caller's transaction; once per ``state``."""
    state = state or f"{row.status}:{row.decided_by or ''}"
    if row.approval_channel:
        await enqueue(
            session,
            APPROVAL_CHANGED,
            team_id=row.team_id,
            channel=row.approval_channel,
            data={"pending_id": row.id},
            dedupe_key=f"approval:{row.id}:{state}",
        )


def _summary(order: OrderState) -> dict[str, Any]:
    """What the audit log keeps of an order's move."""
    return {
        key: value
        for key, value in order.stored().items()
        if key in ("Status", "ExecutedQuantity", "AveragePrice", "LeavesQuantity", "Description")
    }


class PendingOrderRepository:
    """Reads and writes ``pending_orders``; every state change is audited in its transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self,
        *,
        id: str,
        team_id: str,
        slack_user_id: str,
        account_id: int,
        symbol: str,
        request: dict[str, Any],
        preview: dict[str, Any] | None,
        notional: Decimal | None,
        ttl: timedelta,
        channel_id: str | None,
        response_url: str | None,
    ) -> Pending:
        """Store a previewed order awaiting confirmation (audited as ``previewed``)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            row = PendingOrder(
                id=id,
                team_id=team_id,
                slack_user_id=slack_user_id,
                account_id=account_id,
                symbol=symbol,
                request_json=json.dumps(request, sort_keys=True),
                preview_json=json.dumps(preview, sort_keys=True) if preview is not None else None,
                notional=notional,
                status=PENDING,
                created_at=now,
                expires_at=now + ttl,
                updated_at=now,
                channel_id=channel_id,
                response_url=response_url,
            )
            session.add(row)
            add_event(
                session,
                subject="order",
                action="previewed",
                team_id=team_id,
                slack_user_id=slack_user_id,
                subject_id=id,
                detail={"account_id": account_id, "order": request, "notional": notional},
                at=now,
            )
            await session.flush()
            return _pending(row)

    async def get(self, pending_id: str) -> Pending | None:
        async with self._sessions() as session:
            row = await session.get(PendingOrder, pending_id[:36])
            return _pending(row) if row else None

    async def find(self, *, client_id: str | None = None, order_id: int | None = None) -> Pending | None:
        """The row for an AutoShares order, by its ClientId or its order id."""
        conditions = []
        if client_id:
            conditions.append(PendingOrder.id == client_id[:36])
        if order_id is not None:
            conditions.append(PendingOrder.autoshares_order_id == order_id)
        if not conditions:
            return None
        async with self._sessions() as session:
            row = await session.scalar(
                select(PendingOrder)
                .where(or_(*conditions), PendingOrder.status != REPLACED)
                .order_by(PendingOrder.created_at.desc())
                .limit(1)
            )
            return _pending(row) if row else None

    async def claim(
        self,
        pending_id: str,
        team_id: str,
        slack_user_id: str,
        *,
        response_url: str | None = None,
        answer_within: timedelta | None = None,
        quota: DayQuota | None = None,
        now: datetime | None = None,
    ) -> bool:
        """The Confirm click: pending → submitting, only for the requester and before expiry.

        One conditional UPDATE; exactly one caller sees rowcount 1 however many race. With
        ``answer_within``, the winner's answer is also owed to the outbox, due that long from now
        (key :func:`click_answer_key`): the clicker withdraws it once it has answered, so it is
        delivered only if that process died first. With ``quota``, the winner also takes one of
        the day's orders; when none is left it raises :class:`OverDailyLimit` and nothing moves.
        """
        now = now or utcnow()
        values: dict[str, Any] = {"status": SUBMITTING, "updated_at": now}
        if response_url:
            values["response_url"] = response_url
        async with self._sessions.begin() as session:
            won = await _requesters_move(session, pending_id, team_id, slack_user_id, now, values)
            if won:
                row = await _counted(session, pending_id, quota)
                add_event(
                    session,
                    subject="order",
                    action="confirmed",
                    team_id=row.team_id,
                    slack_user_id=slack_user_id,
                    subject_id=pending_id,
                    detail={"account_id": row.account_id, "symbol": row.symbol},
                    at=now,
                )
                if answer_within is not None:
                    await _announce(session, row, dedupe_key=click_answer_key(row.id), due_in=answer_within)
            return won

    async def click_answered(self, pending_id: str, *, answered: bool) -> None:
        """The clicker's own answer went out (the owed one is withdrawn) or could not (it is owed
        now, with a DM if the message cannot be updated)."""
        async with self._sessions.begin() as session:
            if answered:
                await withdraw(session, click_answer_key(pending_id))
            else:
                await due_now(session, click_answer_key(pending_id))

    async def _end_pending(
        self,
        pending_id: str,
        status: PendingState,
        *,
        where: list[Any],
        actor: str | None,
        now: datetime,
        announce: bool = False,
        waiting: Sequence[PendingState] = (PENDING,),
        decided_by: str | None = None,
    ) -> bool:
        """Move a waiting order (``waiting``: pending, or awaiting approval) to ``status``."""
        values: dict[str, Any] = {"status": status, "updated_at": now}
        if decided_by is not None:
            values["decided_by"] = decided_by
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(PendingOrder)
                .where(PendingOrder.id == pending_id[:36], PendingOrder.status.in_(waiting), *where)
                .values(**values)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            row = await session.get(PendingOrder, pending_id[:36])
            assert row is not None
            add_event(
                session,
                subject="order",
                action=status,
                team_id=row.team_id,
                slack_user_id=actor or row.slack_user_id,
                subject_id=pending_id,
                detail={
                    "symbol": row.symbol,
                    "stage": "approval" if row.approval_channel else "confirmation",
                    "requester": row.slack_user_id,
                },
                at=now,
            )
            if announce:
                await _announce(session, row, dm_fallback=bool(row.approval_channel))
            elif row.approval_channel:
                await _approval_changed(session, row)
            return True

    async def cancel(
        self, pending_id: str, team_id: str, slack_user_id: str, *, now: datetime | None = None
    ) -> bool:
        """The Cancel click: pending (or awaiting approval) → cancelled, only for the requester."""
        return await self._end_pending(
            pending_id,
            CANCELLED,
            where=[PendingOrder.team_id == team_id, PendingOrder.slack_user_id == slack_user_id],
            actor=slack_user_id,
            now=now or utcnow(),
            waiting=tuple(WAITING_STATES),
        )

    async def expire(self, pending_id: str, *, now: datetime | None = None, announce: bool = False) -> bool:
        """pending (or awaiting approval) → expired once its window has passed (``announce``:
        the order's messages are owed the news, when nobody is there to be told by a click)."""
        now = now or utcnow()
        return await self._end_pending(
            pending_id,
            EXPIRED,
            where=[PendingOrder.expires_at <= now],
            actor=None,
            now=now,
            announce=announce,
            waiting=tuple(WAITING_STATES),
        )

    # -- two-person approval ---------------------------------------------------------------------
    async def request_approval(
        self,
        pending_id: str,
        team_id: str,
        slack_user_id: str,
        *,
        channel: str,
        ttl: timedelta,
        reason: str,
        response_url: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """The Confirm click of an order that needs approval: pending → awaiting_approval (only
        the requester, before expiry, once), with the request to the approvers' ``channel``
        owed to the outbox in the same transaction; the request stands for ``ttl``."""
        now = now or utcnow()
        values: dict[str, Any] = {
            "status": AWAITING_APPROVAL,
            "updated_at": now,
            "expires_at": now + ttl,
            "approval_channel": channel,
        }
        if response_url:
            values["response_url"] = response_url
        async with self._sessions.begin() as session:
            if not await _requesters_move(session, pending_id, team_id, slack_user_id, now, values):
                return False
            row = await session.get(PendingOrder, pending_id[:36])
            assert row is not None
            add_event(
                session,
                subject="order",
                action="approval_requested",
                team_id=team_id,
                slack_user_id=slack_user_id,
                subject_id=pending_id,
                detail={
                    "symbol": row.symbol,
                    "notional": row.notional,
                    "reason": reason,
                    "channel": channel,
                },
                at=now,
            )
            await enqueue(
                session,
                APPROVAL_REQUESTED,
                team_id=team_id,
                channel=channel,
                data={"pending_id": row.id},
                dedupe_key=f"approval:{row.id}:requested",
            )
            return True

    async def approve(
        self,
        pending_id: str,
        team_id: str,
        approver: str,
        *,
        quota: DayQuota | None = None,
        now: datetime | None = None,
    ) -> bool:
        """The Approve click: awaiting_approval → submitting, only in the order's workspace,
        before the request expires, and never by the requester. One conditional UPDATE, so
        exactly one of any number of racing clicks wins, on one replica or many; the winner
        takes one of the requester's orders for the day (:class:`OverDailyLimit` when none is
        left, and nothing moves)."""
        now = now or utcnow()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(PendingOrder)
                .where(
                    PendingOrder.id == pending_id[:36],
                    PendingOrder.status == AWAITING_APPROVAL,
                    PendingOrder.expires_at > now,
                    PendingOrder.team_id == team_id,
                    PendingOrder.slack_user_id != approver,
                )
                .values(status=SUBMITTING, decided_by=approver, updated_at=now)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            row = await _counted(session, pending_id, quota)
            add_event(
                session,
                subject="order",
                action="approved",
                team_id=team_id,
                slack_user_id=approver,
                subject_id=pending_id,
                detail={"symbol": row.symbol, "notional": row.notional, "requester": row.slack_user_id},
                at=now,
            )
            await _approval_changed(session, row)
            return True

    async def reject(
        self, pending_id: str, team_id: str, approver: str, *, now: datetime | None = None
    ) -> bool:
        """The Reject click: awaiting_approval → rejected (never by the requester); the
        requester and the approvers' message are told through the outbox."""
        return await self._end_pending(
            pending_id,
            REJECTED,
            where=[PendingOrder.team_id == team_id, PendingOrder.slack_user_id != approver],
            actor=approver,
            now=now or utcnow(),
            announce=True,
            waiting=(AWAITING_APPROVAL,),
            decided_by=approver,
        )

    async def approval_posted(self, pending_id: str, ts: str) -> None:
        """Remember the approval request's message, so later states update it in place."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(PendingOrder)
                .where(PendingOrder.id == pending_id[:36], PendingOrder.approval_ts.is_(None))
                .values(approval_ts=ts[:32])
            )

    async def expire_for(self, team_id: str, slack_user_ids: Sequence[str] | None = None) -> list[Pending]:
        """Expire every confirmation still waiting in a workspace (or for those users), whatever
        its window: the app was uninstalled or its access revoked."""
        query = select(PendingOrder.id).where(
            PendingOrder.team_id == team_id, PendingOrder.status.in_(sorted(WAITING_STATES))
        )
        if slack_user_ids is not None:
            query = query.where(PendingOrder.slack_user_id.in_(list(slack_user_ids)))
        async with self._sessions() as session:
            ids = list(await session.scalars(query))
        now = utcnow()
        expired = []
        for pending_id in ids:
            if await self._end_pending(
                pending_id, EXPIRED, where=[], actor=None, now=now, waiting=tuple(WAITING_STATES)
            ):
                row = await self.get(pending_id)
                if row is not None:
                    expired.append(row)
        return expired

    async def expire_due(self, *, limit: int = 100, now: datetime | None = None) -> list[Pending]:
        """Expire every pending order past its window; returns the rows this caller expired."""
        now = now or utcnow()
        async with self._sessions() as session:
            ids = list(
                await session.scalars(
                    select(PendingOrder.id)
                    .where(
                        PendingOrder.status.in_(sorted(WAITING_STATES)), PendingOrder.expires_at <= now
                    )
                    .limit(limit)
                )
            )
        expired = []
        for pending_id in ids:
            if await self.expire(pending_id, now=now, announce=True):
                row = await self.get(pending_id)
                if row is not None:
                    expired.append(row)
        return expired

    async def _lock(self, session: AsyncSession, pending_id: str) -> PendingOrder | None:
        """Take the row's write lock before reading it (see the module docstring)."""
        await session.execute(
            update(PendingOrder)
            .where(PendingOrder.id == pending_id[:36])
            .values(updated_at=PendingOrder.updated_at)
        )
        return await session.get(PendingOrder, pending_id[:36], populate_existing=True)

    def _merge(
        self,
        session: AsyncSession,
        row: PendingOrder,
        order: OrderState,
        now: datetime,
        actor: str | None,
    ) -> bool:
        """Apply ``order`` to the row when it is later than what the row knows; audit the move."""
        known = OrderState.from_stored(_loads(row.result_json))
        if order_progress(order) <= order_progress(known):
            return False
        before = row.order_status
        # An event may state only some properties (the documented webhook data has nine):
        # what it leaves out stays as last known.
        row.result_json = json.dumps(order.over(known).stored(), sort_keys=True)
        row.order_status = order.status or row.order_status
        if row.autoshares_order_id is None:
            row.autoshares_order_id = order.order_id
        row.updated_at = now
        action = STATUS_ACTIONS.get(row.order_status or "")
        # A status change, or a further partial fill (progress grew at the same status).
        if action and (row.order_status != before or action == "partially_filled"):
            add_event(
                session,
                subject="order",
                action=action,
                team_id=row.team_id,
                slack_user_id=actor,
                subject_id=row.id,
                autoshares_id=row.autoshares_order_id,
                detail=_summary(order),
                at=now,
            )
        return True

    async def record_placed(
        self, pending_id: str, order: OrderState, *, announce: bool = False, replaced: bool = False
    ) -> Pending | None:
        """submitting → placed with AutoShares' answer (audited ``placed``); ``announce`` when
        the requester is not waiting on a click's answer (a poller settled it). ``replaced``:
        the row is a change AutoShares made to a placed order, whose earlier rows are then
        ``replaced`` (their messages are told) and this one follows the order.

        Idempotent: the placer and a poller resolving the same ClientId may both call it; the
        order's status only moves forward.
        """
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await self._lock(session, pending_id)
            if row is None or row.status not in (SUBMITTING, PLACED):
                return _pending(row) if row else None
            if row.status == SUBMITTING and replaced and order.order_id is not None:
                await self._hand_over(session, row, order.order_id, now)
            if row.status == SUBMITTING:
                row.status = PLACED
                row.error = None
                row.autoshares_order_id = order.order_id or row.autoshares_order_id
                add_event(
                    session,
                    subject="order",
                    action="placed",
                    team_id=row.team_id,
                    slack_user_id=row.slack_user_id,
                    subject_id=row.id,
                    autoshares_id=row.autoshares_order_id,
                    detail={
                        "account_id": row.account_id,
                        "order": _loads(row.request_json),
                        **_summary(order),
                    },
                    at=now,
                )
            self._merge(session, row, order, now, None)
            row.updated_at = now
            await session.flush()
            if announce:
                await _announce(session, row)
            return _pending(row)

    async def _hand_over(self, session: AsyncSession, row: PendingOrder, order_id: int, now: datetime) -> None:
        """The order ``order_id`` was replaced by the change ``row``: its earlier placed rows
        become ``replaced`` (audited, their messages told), in the caller's transaction."""
        earlier = list(
            await session.scalars(
                select(PendingOrder).where(
                    PendingOrder.autoshares_order_id == order_id,
                    PendingOrder.account_id == row.account_id,
                    PendingOrder.status == PLACED,
                    PendingOrder.id != row.id,
                )
            )
        )
        for old in earlier:
            old.status = REPLACED
            old.updated_at = now
            add_event(
                session,
                subject="order",
                action="replaced",
                team_id=old.team_id,
                slack_user_id=row.slack_user_id,
                subject_id=old.id,
                autoshares_id=order_id,
                detail={"by": row.id, "symbol": old.symbol},
                at=now,
            )
            await session.flush()
            await _announce(session, old)

    async def record_failed(
        self, pending_id: str, error: str, *, announce: bool = False, give_back_day: str | None = None
    ) -> Pending | None:
        """submitting → failed: AutoShares refused the order or does not have it (audited).
        ``give_back_day``: the order did not count against the member's limit for that day."""
        now = utcnow()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(PendingOrder)
                .where(PendingOrder.id == pending_id[:36], PendingOrder.status == SUBMITTING)
                .values(status=FAILED, error=error[:2000], updated_at=now)
            )
            row = await session.get(PendingOrder, pending_id[:36])
            if row is not None and result.rowcount == 1:  # type: ignore[attr-defined]
                add_event(
                    session,
                    subject="order",
                    action="failed",
                    team_id=row.team_id,
                    slack_user_id=row.slack_user_id,
                    subject_id=row.id,
                    detail={"error": error[:500], "symbol": row.symbol},
                    at=now,
                )
                if give_back_day is not None:
                    await give_back_order_slot(session, row.team_id, row.slack_user_id, give_back_day)
                if announce:
                    await _announce(session, row)
            return _pending(row) if row else None

    async def note_uncertain(self, pending_id: str, error: str) -> None:
        """Keep a submitting row for the follow-up poller to resolve, noting why."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(PendingOrder)
                .where(PendingOrder.id == pending_id[:36], PendingOrder.status == SUBMITTING)
                .values(error=error[:2000], updated_at=utcnow())
            )

    async def apply_order_update(
        self,
        order: OrderState,
        *,
        event_id: str | None = None,
        event_type: str = "order.updated",
        actor: str | None = None,
        account_id: int | None = None,
    ) -> OrderUpdate:
        """Apply an OrderResource seen in a webhook or by polling to the row it belongs to.

        With ``event_id`` the webhook id is recorded in the same transaction (a repeat is a
        no-op). Returns whether the row changed, so only real changes are announced.

        An event naming only the order's Id (the documented webhook data carries no ClientId)
        can arrive before the placement's answer has told us that Id. With ``account_id``, such
        an event that matches no row while an order of that account is still ``submitting`` is
        ``deferred``: nothing is recorded, and the caller answers so that AutoShares delivers
        it again later, when the Id is known.
        """
        now = utcnow()
        client_id = order.client_id or None
        order_id = order.order_id
        try:
            async with self._sessions.begin() as session:
                if event_id is not None and not await remember_event(session, event_id, event_type):
                    return OrderUpdate(None, changed=False, duplicate=True)
                conditions = []
                if client_id:
                    conditions.append(PendingOrder.id == client_id[:36])
                if order_id is not None:
                    conditions.append(PendingOrder.autoshares_order_id == order_id)
                if not conditions:
                    return OrderUpdate(None, changed=False)
                # The newest row of the order follows it: a change placed since replaces the
                # earlier rows (they are ``replaced`` and hear nothing more).
                pending_id = await session.scalar(
                    select(PendingOrder.id)
                    .where(or_(*conditions), PendingOrder.status != REPLACED)
                    .order_by(PendingOrder.created_at.desc())
                    .limit(1)
                )
                if pending_id is None:
                    if client_id is None and account_id is not None:
                        placing = await session.scalar(
                            select(PendingOrder.id)
                            .where(PendingOrder.account_id == account_id, PendingOrder.status == SUBMITTING)
                            .limit(1)
                        )
                        if placing is not None:
                            raise _NotYetKnown()
                    return OrderUpdate(None, changed=False)
                return await self._apply_to(session, pending_id, order, now, actor)
        except _NotYetKnown:
            return OrderUpdate(None, changed=False, deferred=True)

    async def _apply_to(
        self,
        session: AsyncSession,
        pending_id: str,
        order: OrderState,
        now: datetime,
        actor: str | None,
    ) -> OrderUpdate:
        """Merge ``order`` into its row, in the caller's transaction; a change owes the order's
        message its update (outbox)."""
        row = await self._lock(session, pending_id)
        if row is None:
            return OrderUpdate(None, changed=False)
        before = row.order_status
        changed = self._merge(session, row, order, now, actor)
        await session.flush()
        if changed and row.status == PLACED:
            await _announce(session, row)
        return OrderUpdate(_pending(row), changed=changed, previous_status=before)

    async def claim_for_followup(
        self,
        *,
        every: timedelta,
        stuck_after: timedelta,
        include_open: bool = True,
        limit: int = 500,
        now: datetime | None = None,
    ) -> list[Pending]:
        """Rows a poller should look at now, leased to this caller by setting ``updated_at =
        now``; returned grouped by account.

        Placed orders still open and not looked at since ``now - every``, and submissions with
        no answer for ``stuck_after`` (a crash or a lost response); the longest untouched first,
        each account's orders together. A pass calls this with one ``now`` until it returns
        nothing (what it leased is no longer due). One transaction per call: on PostgreSQL the
        chunk is locked with ``SELECT … FOR UPDATE SKIP LOCKED`` and then stamped; on SQLite one
        conditional ``UPDATE … RETURNING`` re-checks that each row is still due, so two
        pollers never both take a row.
        """
        now = now or utcnow()
        stuck = (PendingOrder.status == SUBMITTING) & (PendingOrder.updated_at <= now - stuck_after)
        due = stuck
        if include_open:
            open_order = (
                (PendingOrder.status == PLACED)
                # A subscription to a new issue has no order to read back.
                & PendingOrder.autoshares_order_id.is_not(None)
                & (
                    PendingOrder.order_status.is_(None)
                    | PendingOrder.order_status.not_in(sorted(TERMINAL_ORDER_STATUSES))
                )
                & (PendingOrder.updated_at <= now - every)
            )
            due = stuck | open_order
        chosen = (
            select(PendingOrder.id)
            .where(due)
            .order_by(
                PendingOrder.updated_at,
                PendingOrder.team_id,
                PendingOrder.slack_user_id,
                PendingOrder.account_id,
                PendingOrder.id,
            )
            .limit(limit)
        )
        rows = await lease_chunk(self._sessions, PendingOrder, chosen, due, {"updated_at": now})
        rows.sort(key=lambda r: (r.team_id, r.slack_user_id, r.account_id, r.created_at))
        return [_pending(r) for r in rows]

    async def open_for_user(self, team_id: str, slack_user_id: str, limit: int = 50) -> list[Pending]:
        """This user's placed orders, newest first (for matching list entries to messages)."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(PendingOrder)
                .where(
                    PendingOrder.team_id == team_id,
                    PendingOrder.slack_user_id == slack_user_id,
                    PendingOrder.status == PLACED,
                )
                .order_by(PendingOrder.created_at.desc())
                .limit(limit)
            )
            return [_pending(r) for r in rows]
