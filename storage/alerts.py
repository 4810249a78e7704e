"""Alert routes (where to announce a price alert) and processed webhook ids.

Exactly-once announcement rests on two conditional writes that commit together:

* ``processed_webhooks``: insert-or-ignore of the event id; a repeated delivery inserts nothing
  and changes nothing else.
* ``alert_routes.state``: ``active → fired`` is a conditional UPDATE; whoever changes the row
  (webhook, poller, another replica) announces, everyone else sees rowcount 0.

Route states: active → fired | deleted | expired.

A route may belong to an alert group (``storage.alert_groups``: both levels of a percent move,
the alerts a repeating one is re-armed with). Firing such a route also, in the same
transaction: owes no message while the group is snoozed (the trigger is audited, not posted),
and, for a repeating group, sets ``rearm_at`` to the end of the cool-down. The message goes
where the owner asked (``storage.alert_preferences``): the alert's channel, or their DM.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.alert_preferences import delivery_of
from storage.audit import add_event
from storage.leases import lease_chunk
from storage.models import AlertGroup, AlertRoute, ProcessedWebhook
from storage.outbox import enqueue
from storage.records import (
    ACTIVE,
    DELETED,
    DELIVER_DM,
    EXPIRED,
    FIRED,
    GROUP_ACTIVE,
    GROUP_ENDED,
    Route,
    aware,
    utcnow,
)

ALERT_TRIGGERED = "alert_triggered"


async def remember_event(session: AsyncSession, event_id: str, event_type: str) -> bool:
    """Insert-or-ignore the webhook event id in the caller's transaction.

    Returns True the first time an id is seen, False for a repeat (the caller then does nothing).
    """
    values = {"event_id": event_id[:128], "event_type": event_type[:64], "received_at": utcnow()}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ProcessedWebhook).values(**values).on_conflict_do_nothing(index_elements=["event_id"])
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def route_of(row: AlertRoute) -> Route:
    return Route(
        alert_id=int(row.alert_id),
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        autoshares_user_id=int(row.autoshares_user_id),
        channel_id=row.channel_id,
        symbol=row.symbol,
        security_id=int(row.security_id),
        operator=row.operator,
        field=row.field,
        argument=Decimal(row.argument),
        expires_at=aware(row.expires_at) if row.expires_at else None,
        created_at=aware(row.created_at),
        state=row.state,
        fired_at=aware(row.fired_at) if row.fired_at else None,
        group_id=row.group_id,
        fired_price=Decimal(row.fired_price) if row.fired_price is not None else None,
        rearm_at=aware(row.rearm_at) if row.rearm_at else None,
    )


#: The largest price a NUMERIC(18, 4) column holds, with room to spare.
_MAX_STORED_PRICE = 10**13


def stored_price(value: Decimal | None) -> Decimal | None:
    """A reported price (read by the client: finite) as the route keeps it, 4 places; None when
    none was reported or it is beyond what the column holds."""
    if value is None or abs(value) >= _MAX_STORED_PRICE:
        return None
    return value.quantize(Decimal("0.0001"))


def add_route(
    session: AsyncSession,
    *,
    alert_id: int,
    team_id: str,
    slack_user_id: str,
    autoshares_user_id: int,
    channel_id: str,
    symbol: str,
    security_id: int,
    operator: str,
    field: str,
    argument: Decimal,
    expires_at: datetime | None,
    now: datetime,
    group_id: int | None = None,
    action: str = "created",
    detail: dict[str, Any] | None = None,
) -> AlertRoute:
    """Add an active route (and its audit event) in the caller's transaction."""
    row = AlertRoute(
        alert_id=alert_id,
        team_id=team_id,
        slack_user_id=slack_user_id,
        autoshares_user_id=autoshares_user_id,
        channel_id=channel_id,
        symbol=symbol,
        security_id=security_id,
        operator=operator,
        field=field,
        argument=argument,
        expires_at=expires_at,
        created_at=now,
        state=ACTIVE,
        group_id=group_id,
    )
    session.add(row)
    add_event(
        session,
        subject="alert",
        action=action,
        team_id=team_id,
        slack_user_id=slack_user_id,
        subject_id=str(alert_id),
        autoshares_id=alert_id,
        detail={
            "symbol": symbol,
            "operator": operator,
            "field": field,
            "argument": str(argument),
            "channel": channel_id,
            **({"group": group_id} if group_id is not None else {}),
            **(detail or {}),
        },
        at=now,
    )
    return row


class FireOutcome(enum.Enum):
    FIRED = "fired"  # this caller won: announce it
    DUPLICATE = "duplicate"  # the webhook event id was already processed
    NOT_ACTIVE = "not_active"  # already fired, deleted or expired
    UNKNOWN = "unknown"  # no route for this alert (not created through the bot)


@dataclass(frozen=True)
class FireResult:
    outcome: FireOutcome
    route: Route | None = None
    #: False when the trigger was claimed but owes no message (its group is snoozed).
    posted: bool = True


def _later(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and aware(moment) > now


class AlertRouteRepository:
    """Reads and writes ``alert_routes`` (and ``processed_webhooks`` for alert events)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self,
        *,
        alert_id: int,
        team_id: str,
        slack_user_id: str,
        autoshares_user_id: int,
        channel_id: str,
        symbol: str,
        security_id: int,
        operator: str,
        field: str,
        argument: Decimal,
        expires_at: datetime | None,
        detail: dict[str, Any] | None = None,
    ) -> Route:
        """Record where alert ``alert_id`` is announced, and audit its creation."""
        async with self._sessions.begin() as session:
            row = add_route(
                session,
                alert_id=alert_id,
                team_id=team_id,
                slack_user_id=slack_user_id,
                autoshares_user_id=autoshares_user_id,
                channel_id=channel_id,
                symbol=symbol,
                security_id=security_id,
                operator=operator,
                field=field,
                argument=argument,
                expires_at=expires_at,
                now=utcnow(),
                detail=detail,
            )
            await session.flush()
            return route_of(row)

    async def get(self, alert_id: int) -> Route | None:
        async with self._sessions() as session:
            row = await session.scalar(select(AlertRoute).where(AlertRoute.alert_id == alert_id))
            return route_of(row) if row else None

    async def for_user(self, team_id: str, slack_user_id: str) -> list[Route]:
        async with self._sessions() as session:
            rows = await session.scalars(
                select(AlertRoute)
                .where(AlertRoute.team_id == team_id, AlertRoute.slack_user_id == slack_user_id)
                .order_by(AlertRoute.alert_id)
            )
            return [route_of(row) for row in rows]

    async def fire(
        self,
        alert_id: int,
        *,
        event_id: str | None = None,
        event_type: str = "alert.triggered",
        source: str = "webhook",
        price: Decimal | None = None,
    ) -> FireResult:
        """Claim the announcement of ``alert_id`` (active → fired), at most once; the one
        message is owed to the outbox in the same transaction.

        With ``event_id`` the webhook id is recorded in the same transaction, so a repeated
        delivery is a no-op even when the route has since been deleted. A route of a snoozed
        group is claimed but owes no message; one of a repeating group is due to be re-armed
        after its cool-down. The message goes to the owner's DM when they chose so.
        """
        now = utcnow()
        async with self._sessions.begin() as session:
            if event_id is not None and not await remember_event(session, event_id, event_type):
                return FireResult(FireOutcome.DUPLICATE)
            result = await session.execute(
                update(AlertRoute)
                .where(AlertRoute.alert_id == alert_id, AlertRoute.state == ACTIVE)
                .values(state=FIRED, fired_at=now, fired_price=stored_price(price))
            )
            row = await session.scalar(select(AlertRoute).where(AlertRoute.alert_id == alert_id))
            if row is None:
                return FireResult(FireOutcome.UNKNOWN)
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return FireResult(FireOutcome.NOT_ACTIVE, route_of(row))
            group = await session.get(AlertGroup, row.group_id) if row.group_id is not None else None
            live = group is not None and group.state == GROUP_ACTIVE
            snoozed = live and group is not None and _later(group.snoozed_until, now)
            if live and group is not None and group.repeat_seconds:
                row.rearm_at = now + timedelta(seconds=group.repeat_seconds)
            to = row.channel_id
            if await delivery_of(session, row.team_id, row.slack_user_id) == DELIVER_DM:
                to = row.slack_user_id
            add_event(
                session,
                subject="alert",
                action="fired",
                team_id=row.team_id,
                slack_user_id=row.slack_user_id,
                subject_id=str(alert_id),
                autoshares_id=alert_id,
                detail={
                    "source": source,
                    "price": str(price) if price is not None else None,
                    "event_id": event_id,
                    "symbol": row.symbol,
                    **({"group": row.group_id} if row.group_id is not None else {}),
                    **({"snoozed": True} if snoozed else {}),
                },
                at=now,
            )
            if not snoozed:
                await enqueue(
                    session,
                    ALERT_TRIGGERED,
                    team_id=row.team_id,
                    channel=to,
                    data={"alert_id": alert_id, "price": str(price) if price is not None else None, "to": to},
                    dedupe_key=f"alert:{alert_id}:fired",
                )
            await session.flush()
            return FireResult(FireOutcome.FIRED, route_of(row), posted=not snoozed)

    async def end(
        self,
        alert_id: int,
        state: str,
        *,
        slack_user_id: str | None = None,
        team_id: str | None = None,
        audit: bool = True,
    ) -> bool:
        """Move an active route to ``deleted`` or ``expired`` (audited); False when not active."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(AlertRoute)
                .where(AlertRoute.alert_id == alert_id, AlertRoute.state == ACTIVE)
                .values(state=state)
            )
            changed = bool(result.rowcount)  # type: ignore[attr-defined]
            if changed and audit:
                add_event(
                    session,
                    subject="alert",
                    action=state,
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    subject_id=str(alert_id),
                    autoshares_id=alert_id,
                )
            return changed

    async def edit(
        self,
        alert_id: int,
        *,
        operator: str,
        field: str,
        argument: Decimal,
        expires_at: datetime | None,
        team_id: str,
        slack_user_id: str,
    ) -> bool:
        """An active route watches the alert's new level (audited ``edited``); False when the
        route is not active."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(AlertRoute)
                .where(AlertRoute.alert_id == alert_id, AlertRoute.state == ACTIVE)
                .values(operator=operator, field=field, argument=argument, expires_at=expires_at)
            )
            changed = bool(result.rowcount)  # type: ignore[attr-defined]
            if changed:
                add_event(
                    session,
                    subject="alert",
                    action="edited",
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    subject_id=str(alert_id),
                    autoshares_id=alert_id,
                )
            return changed

    async def retire(self, team_id: str, slack_user_ids: Sequence[str] | None = None) -> int:
        """Active routes of a workspace (or of those users) → deleted, audited ``retired``, and
        their alert groups ended: the app was uninstalled or its access revoked, so nothing
        more may be announced or re-armed there."""
        conditions = [AlertRoute.team_id == team_id, AlertRoute.state == ACTIVE]
        if slack_user_ids is not None:
            conditions.append(AlertRoute.slack_user_id.in_(list(slack_user_ids)))
        now = utcnow()
        async with self._sessions.begin() as session:
            rows = list(await session.scalars(select(AlertRoute).where(*conditions).with_for_update()))
            for row in rows:
                row.state = DELETED
                add_event(
                    session,
                    subject="alert",
                    action="retired",
                    team_id=row.team_id,
                    slack_user_id=row.slack_user_id,
                    subject_id=str(row.alert_id),
                    autoshares_id=row.alert_id,
                    at=now,
                )
            # Nothing of theirs is re-armed either.
            owners = [AlertRoute.team_id == team_id, AlertRoute.rearm_at.is_not(None)]
            groups = [AlertGroup.team_id == team_id, AlertGroup.state == GROUP_ACTIVE]
            if slack_user_ids is not None:
                owners.append(AlertRoute.slack_user_id.in_(list(slack_user_ids)))
                groups.append(AlertGroup.slack_user_id.in_(list(slack_user_ids)))
            await session.execute(update(AlertRoute).where(*owners).values(rearm_at=None))
            await session.execute(update(AlertGroup).where(*groups).values(state=GROUP_ENDED))
            return len(rows)

    async def active_on(self, symbol: str) -> list[Route]:
        """Active routes of alerts on ``symbol`` (any user), oldest first: the alerts an
        alert.triggered event naming only the symbol and condition may be about."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(AlertRoute)
                .where(AlertRoute.state == ACTIVE, func.upper(AlertRoute.symbol) == symbol.upper())
                .order_by(AlertRoute.alert_id)
            )
            return [route_of(row) for row in rows]

    async def seen(self, event_id: str) -> bool:
        """Whether a webhook event id was processed already (a read; the claim is ``remember``
        or ``fire``, in the transaction of the effect)."""
        async with self._sessions() as session:
            found = await session.scalar(
                select(ProcessedWebhook.event_id).where(ProcessedWebhook.event_id == event_id[:128])
            )
            return found is not None

    async def remember(self, event_id: str, event_type: str) -> bool:
        """Record a webhook id that has no effect here; False when it was seen before."""
        async with self._sessions.begin() as session:
            return await remember_event(session, event_id, event_type)

    async def sweep(self, *, route_grace: timedelta, webhook_retention: timedelta) -> tuple[int, int]:
        """Housekeeping: expire routes well past their expiry (audited), forget old webhook ids.

        ``route_grace`` leaves time for a late or retried trigger of an alert that fired just
        before it expired; ``webhook_retention`` must outlast AutoShares' retry schedule.
        """
        now = utcnow()
        async with self._sessions() as session:
            stale = list(
                await session.scalars(
                    select(AlertRoute.alert_id).where(
                        AlertRoute.state == ACTIVE, AlertRoute.expires_at < now - route_grace
                    )
                )
            )
        expired = 0
        for alert_id in stale:
            expired += await self.end(int(alert_id), EXPIRED)
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(ProcessedWebhook).where(ProcessedWebhook.received_at < now - webhook_retention)
            )
        return expired, int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def claim_for_polling(
        self, every: timedelta, *, limit: int = 500, now: datetime | None = None
    ) -> list[Route]:
        """Up to ``limit`` active routes not checked since ``now - every``, leased to this caller
        by setting ``claimed_at = now``; returned grouped by user.

        Never-checked routes (``claimed_at`` NULL) come first on every database (PostgreSQL
        sorts NULL last unless told), then the longest unchecked, each user's routes together.
        A pass calls this with one ``now`` until it returns nothing: what it leased is no longer
        due, so the pass sees every due route once, whatever their number.

        One transaction per call. On PostgreSQL the chunk is locked with ``SELECT … FOR UPDATE
        SKIP LOCKED`` and then stamped, so replicas split the routes without waiting on each
        other; on SQLite (one writer at a time) one conditional ``UPDATE … RETURNING``
        re-checks that each row is still due, so two pollers never both take a row.
        """
        now = now or utcnow()
        due = (AlertRoute.state == ACTIVE) & (
            AlertRoute.claimed_at.is_(None) | (AlertRoute.claimed_at <= now - every)
        )
        chosen = (
            select(AlertRoute.id)
            .where(due)
            .order_by(
                AlertRoute.claimed_at.asc().nulls_first(),
                AlertRoute.team_id,
                AlertRoute.slack_user_id,
                AlertRoute.id,
            )
            .limit(limit)
        )
        rows = await lease_chunk(self._sessions, AlertRoute, chosen, due, {"claimed_at": now})
        rows.sort(key=lambda r: (r.team_id, r.slack_user_id, r.alert_id))
        return [route_of(r) for r in rows]
