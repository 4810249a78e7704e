"""Alert groups: one ``/alert`` that stands for several AutoShares alerts over time.

AutoShares price alerts fire once at a level. A percent move either way is two of them (one
above, one below), and a repeating alert is a new one at the same level after each trigger's
cool-down. The group ties them together: its triggers reply in the thread of its first post,
the owner can snooze it, and deleting any of its alerts ends it.

Re-arming is exactly once across replicas: :meth:`AlertGroupRepository.claim_rearm` leases the
fired routes whose cool-down is over by moving their ``rearm_at`` on by the lease (a
conditional UPDATE, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, see ``storage.leases``), and
:meth:`~AlertGroupRepository.rearmed` records the new alert only while that lease is still the
caller's: one conditional UPDATE clears ``rearm_at`` and the new route is added in the same
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.alerts import add_route, route_of
from storage.audit import add_event
from storage.leases import lease_chunk
from storage.models import AlertGroup, AlertRoute
from storage.records import ACTIVE, FIRED, GROUP_ACTIVE, GROUP_ENDED, Route, RouteGroup, aware, utcnow


def group_of(row: AlertGroup) -> RouteGroup:
    return RouteGroup(
        id=row.id,
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        symbol=row.symbol,
        direction=row.direction,
        percent=Decimal(row.percent) if row.percent is not None else None,
        reference=Decimal(row.reference) if row.reference is not None else None,
        repeat_seconds=row.repeat_seconds,
        snoozed_until=aware(row.snoozed_until) if row.snoozed_until else None,
        thread_to=row.thread_to,
        thread_channel=row.thread_channel,
        thread_ts=row.thread_ts,
        state=row.state,
        created_at=aware(row.created_at),
    )


@dataclass(frozen=True)
class NewRoute:
    """One AutoShares alert of a new group, created at AutoShares already."""

    alert_id: int
    operator: str
    argument: Decimal


class AlertGroupRepository:
    """Reads and writes ``alert_groups`` and the routes that belong to them."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def create(
        self,
        *,
        team_id: str,
        slack_user_id: str,
        autoshares_user_id: int,
        channel_id: str,
        symbol: str,
        security_id: int,
        field: str,
        expires_at: datetime | None,
        alerts: Sequence[NewRoute],
        direction: str | None = None,
        percent: Decimal | None = None,
        reference: Decimal | None = None,
        repeat_seconds: int | None = None,
    ) -> tuple[RouteGroup, list[Route]]:
        """The group and a route for each of its alerts, in one transaction (each audited)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            group = AlertGroup(
                team_id=team_id,
                slack_user_id=slack_user_id,
                symbol=symbol,
                direction=direction,
                percent=percent,
                reference=reference,
                repeat_seconds=repeat_seconds,
                state=GROUP_ACTIVE,
                created_at=now,
            )
            session.add(group)
            await session.flush()
            extra: dict[str, object] = {}
            if percent is not None:
                extra = {"move": direction, "percent": str(percent), "reference": str(reference)}
            if repeat_seconds is not None:
                extra["repeat_seconds"] = repeat_seconds
            rows = [
                add_route(
                    session,
                    alert_id=alert.alert_id,
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    autoshares_user_id=autoshares_user_id,
                    channel_id=channel_id,
                    symbol=symbol,
                    security_id=security_id,
                    operator=alert.operator,
                    field=field,
                    argument=alert.argument,
                    expires_at=expires_at,
                    now=now,
                    group_id=group.id,
                    detail=extra,
                )
                for alert in alerts
            ]
            await session.flush()
            return group_of(group), [route_of(row) for row in rows]

    async def get(self, group_id: int) -> RouteGroup | None:
        async with self._sessions() as session:
            row = await session.get(AlertGroup, group_id)
            return group_of(row) if row else None

    async def many(self, group_ids: Iterable[int]) -> dict[int, RouteGroup]:
        wanted = sorted(set(group_ids))
        if not wanted:
            return {}
        async with self._sessions() as session:
            rows = await session.scalars(select(AlertGroup).where(AlertGroup.id.in_(wanted)))
            return {row.id: group_of(row) for row in rows}

    async def routes(self, group_id: int) -> list[Route]:
        """Every route of the group, oldest alert first."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(AlertRoute).where(AlertRoute.group_id == group_id).order_by(AlertRoute.alert_id)
            )
            return [route_of(row) for row in rows]

    async def snooze(self, group_id: int, until: datetime, *, slack_user_id: str) -> RouteGroup | None:
        """Hold the group's triggers and re-arming until ``until`` (audited); None when the
        group has ended."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(AlertGroup)
                .where(AlertGroup.id == group_id, AlertGroup.state == GROUP_ACTIVE)
                .values(snoozed_until=until)
            )
            row = await session.get(AlertGroup, group_id, populate_existing=True)
            if row is None or not result.rowcount:  # type: ignore[attr-defined]
                return None
            add_event(
                session,
                subject="alert",
                action="snoozed",
                team_id=row.team_id,
                slack_user_id=slack_user_id,
                subject_id=f"group:{group_id}",
                detail={"until": until.isoformat(), "symbol": row.symbol},
            )
            return group_of(row)

    async def thread_posted(self, group_id: int, *, to: str, channel: str, ts: str) -> None:
        """The group's post that later triggers going to ``to`` reply under: the message Slack
        made (``channel``, ``ts``) of a trigger posted at the top of the conversation."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(AlertGroup)
                .where(AlertGroup.id == group_id)
                .values(thread_to=to[:32], thread_channel=channel[:32], thread_ts=ts[:32])
            )

    async def end(
        self, group_id: int, state: str, *, slack_user_id: str | None = None, team_id: str | None = None
    ) -> list[int]:
        """End the group: its active routes → ``state`` (deleted or expired, audited), nothing
        re-armed any more. Returns the alert ids that were still active."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(AlertGroup)
                .where(AlertGroup.id == group_id, AlertGroup.state == GROUP_ACTIVE)
                .values(state=GROUP_ENDED)
            )
            await session.execute(
                update(AlertRoute)
                .where(AlertRoute.group_id == group_id, AlertRoute.rearm_at.is_not(None))
                .values(rearm_at=None)
            )
            rows = list(
                await session.scalars(
                    select(AlertRoute)
                    .where(AlertRoute.group_id == group_id, AlertRoute.state == ACTIVE)
                    .with_for_update()
                )
            )
            for row in rows:
                row.state = state
                add_event(
                    session,
                    subject="alert",
                    action=state,
                    team_id=team_id,
                    slack_user_id=slack_user_id,
                    subject_id=str(row.alert_id),
                    autoshares_id=row.alert_id,
                )
            return [int(row.alert_id) for row in rows]

    # -- re-arming -------------------------------------------------------------------------------
    async def claim_rearm(self, now: datetime, *, lease: timedelta, limit: int = 100) -> list[Route]:
        """Up to ``limit`` fired routes whose cool-down is over, in an active group that is not
        snoozed, leased to this caller by moving ``rearm_at`` to ``now + lease``; each comes
        back with that stamp, which :meth:`rearmed` checks. A caller that dies leaves them due
        again when the lease runs out."""
        awake = select(AlertGroup.id).where(
            AlertGroup.state == GROUP_ACTIVE,
            AlertGroup.snoozed_until.is_(None) | (AlertGroup.snoozed_until <= now),
        )
        due = (
            (AlertRoute.state == FIRED)
            & AlertRoute.rearm_at.is_not(None)
            & (AlertRoute.rearm_at <= now)
            & AlertRoute.group_id.in_(awake.scalar_subquery())
        )
        chosen = select(AlertRoute.id).where(due).order_by(AlertRoute.rearm_at, AlertRoute.id).limit(limit)
        rows = await lease_chunk(self._sessions, AlertRoute, chosen, due, {"rearm_at": now + lease})
        return sorted((route_of(row) for row in rows), key=lambda r: r.alert_id)

    async def rearmed(self, leased: Route, alert_id: int) -> Route | None:
        """Record the new AutoShares alert ``alert_id`` armed for ``leased`` (a route from
        :meth:`claim_rearm`): the lease is cleared and the new route added in one transaction.
        None when the lease is no longer the caller's or the group has ended meanwhile (the
        caller then removes the alert it made)."""
        now = utcnow()
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(AlertRoute)
                .where(AlertRoute.alert_id == leased.alert_id, AlertRoute.rearm_at == leased.rearm_at)
                .values(rearm_at=None)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            group = await session.get(AlertGroup, leased.group_id) if leased.group_id is not None else None
            if group is None or group.state != GROUP_ACTIVE:
                return None
            row = add_route(
                session,
                alert_id=alert_id,
                team_id=leased.team_id,
                slack_user_id=leased.slack_user_id,
                autoshares_user_id=leased.autoshares_user_id,
                channel_id=leased.channel_id,
                symbol=leased.symbol,
                security_id=leased.security_id,
                operator=leased.operator,
                field=leased.field,
                argument=leased.argument,
                expires_at=leased.expires_at,
                now=now,
                group_id=leased.group_id,
                action="rearmed",
                detail={"after": leased.alert_id},
            )
            await session.flush()
            return route_of(row)

    async def stop_rearming(self, leased: Route) -> bool:
        """Owe no re-arm for ``leased`` any more (its group expired, or its owner is gone);
        False when the lease is no longer the caller's."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                update(AlertRoute)
                .where(AlertRoute.alert_id == leased.alert_id, AlertRoute.rearm_at == leased.rearm_at)
                .values(rearm_at=None)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]
