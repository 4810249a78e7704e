"""Team trading's state: each member's role and limits, each workspace's policy, and the daily
order counter.

Every change an admin makes is audited (subject ``team``) in its own transaction, with who made
it and what changed, so the audit export shows who was allowed what and since when.

The daily limit is a counter row per member and trading day, taken with one conditional
``UPDATE … SET count = count + 1 WHERE count < limit`` inside the transaction that sends the
order on its way: on PostgreSQL the row lock makes concurrent takers wait and re-check, on
SQLite writers take turns, so twenty clicks at once cannot pass a limit of three together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, Final, Literal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit import add_event
from storage.models import OrderDayCount, TeamMember, WorkspacePolicy
from storage.records import DM_PLACE, Member, Policy, Role, utcnow


class _Keep(Enum):
    KEEP = "keep"


#: A setting left as it is (the default of every parameter of a change): None means "no limit"
#: or "the default role", so it cannot also mean "unchanged".
KEEP: Final = _Keep.KEEP
Keep = Literal[_Keep.KEEP]


def _given(**values: object) -> dict[str, object]:
    """The settings a change names (those not left as KEEP), by column name."""
    return {name: value for name, value in values.items() if value is not KEEP}


def _places_text(places: Iterable[str] | None) -> str | None:
    if places is None:
        return None
    unique = sorted(set(places), key=lambda p: (p != DM_PLACE, p))
    return ",".join(unique)


def _places(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(p for p in text.split(",") if p)


def _member(row: TeamMember) -> Member:
    return Member(
        team_id=row.team_id,
        slack_user_id=row.slack_user_id,
        role=Role.stored(row.role),
        max_order_value=Decimal(row.max_order_value) if row.max_order_value is not None else None,
        max_orders_per_day=row.max_orders_per_day,
        needs_approval=bool(row.needs_approval),
    )


def _policy(row: WorkspacePolicy) -> Policy:
    return Policy(
        team_id=row.team_id,
        trading_paused=bool(row.trading_paused),
        order_places=_places(row.order_places),
        alert_places=_places(row.alert_places),
        approval_threshold=Decimal(row.approval_threshold) if row.approval_threshold is not None else None,
        approvals_channel=row.approvals_channel,
    )


def _shown(value: Any) -> Any:
    """A changed value as the audit detail keeps it (JSON-friendly)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list | set | frozenset):
        return sorted(value)
    return value


def _change(
    session: AsyncSession,
    row: TeamMember | WorkspacePolicy,
    changes: Mapping[str, Any],
    *,
    actor: str,
    action: str,
    subject_id: str,
) -> None:
    """Set ``changes`` on a member's or a workspace's row and audit who changed what, in the
    caller's transaction (place lists are stored as text)."""
    now = utcnow()
    for name, value in changes.items():
        setattr(row, name, _places_text(value) if name in ("order_places", "alert_places") else value)
    row.updated_at, row.updated_by = now, actor
    add_event(
        session,
        subject="team",
        action=action,
        team_id=row.team_id,
        slack_user_id=actor,
        subject_id=subject_id,
        detail={name: _shown(value) for name, value in changes.items()},
        at=now,
    )


class TeamRepository:
    """Reads and writes members, policies and daily counts; admin changes are audited."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def member(self, team_id: str, slack_user_id: str) -> Member:
        async with self._sessions() as session:
            row = await session.get(TeamMember, (team_id, slack_user_id))
            return _member(row) if row else Member(team_id, slack_user_id)

    async def members(self, team_id: str) -> list[Member]:
        """Members an admin has set something for, by user id."""
        async with self._sessions() as session:
            rows = await session.scalars(
                select(TeamMember).where(TeamMember.team_id == team_id).order_by(TeamMember.slack_user_id)
            )
            return [_member(r) for r in rows]

    async def holders(self, team_id: str, roles: Iterable[str]) -> list[str]:
        """User ids given one of ``roles`` in the bot (Slack's own admins are not listed)."""
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(TeamMember.slack_user_id)
                    .where(TeamMember.team_id == team_id, TeamMember.role.in_(list(roles)))
                    .order_by(TeamMember.slack_user_id)
                )
            )

    async def set_member(
        self,
        team_id: str,
        slack_user_id: str,
        *,
        actor: str,
        role: Role | None | Keep = KEEP,
        max_order_value: Decimal | None | Keep = KEEP,
        max_orders_per_day: int | None | Keep = KEEP,
        needs_approval: bool | Keep = KEEP,
    ) -> Member:
        """Change a member's role (None: the default) or limits (None: no limit); the settings
        not given are kept. Audited with what changed."""
        changes = _given(
            role=role,
            max_order_value=max_order_value,
            max_orders_per_day=max_orders_per_day,
            needs_approval=needs_approval,
        )
        async with self._sessions.begin() as session:
            row = await session.get(TeamMember, (team_id, slack_user_id))
            if row is None:
                row = TeamMember(team_id=team_id, slack_user_id=slack_user_id, needs_approval=False)
                session.add(row)
            _change(session, row, changes, actor=actor, action="member_changed", subject_id=slack_user_id)
            await session.flush()
            return _member(row)

    async def policy(self, team_id: str) -> Policy:
        async with self._sessions() as session:
            row = await session.get(WorkspacePolicy, team_id)
            return _policy(row) if row else Policy(team_id)

    async def set_policy(
        self,
        team_id: str,
        *,
        actor: str,
        trading_paused: bool | Keep = KEEP,
        order_places: tuple[str, ...] | None | Keep = KEEP,
        alert_places: tuple[str, ...] | None | Keep = KEEP,
        approval_threshold: Decimal | None | Keep = KEEP,
        approvals_channel: str | None | Keep = KEEP,
    ) -> Policy:
        """Change the workspace's rules (places None: anywhere; threshold None: none); the
        settings not given are kept. Audited with what changed."""
        changes = _given(
            trading_paused=trading_paused,
            order_places=order_places,
            alert_places=alert_places,
            approval_threshold=approval_threshold,
            approvals_channel=approvals_channel,
        )
        async with self._sessions.begin() as session:
            row = await session.get(WorkspacePolicy, team_id)
            if row is None:
                row = WorkspacePolicy(team_id=team_id, trading_paused=False)
                session.add(row)
            _change(session, row, changes, actor=actor, action="policy_changed", subject_id=team_id)
            await session.flush()
            return _policy(row)

    async def orders_on(self, team_id: str, slack_user_id: str, day: str) -> int:
        """Orders sent for the member on ``day`` (the trading day, ``YYYY-MM-DD``)."""
        async with self._sessions() as session:
            row = await session.get(OrderDayCount, (team_id, slack_user_id, day))
            return int(row.count) if row else 0


async def take_order_slot(
    session: AsyncSession, team_id: str, slack_user_id: str, day: str, limit: int | None
) -> bool:
    """Count one more order for the member on ``day``, in the caller's transaction; False (and
    nothing counted) when ``limit`` orders were already sent that day."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(
        insert(OrderDayCount)
        .values(team_id=team_id, slack_user_id=slack_user_id, day=day, count=0)
        .on_conflict_do_nothing()
    )
    statement = update(OrderDayCount).where(
        OrderDayCount.team_id == team_id,
        OrderDayCount.slack_user_id == slack_user_id,
        OrderDayCount.day == day,
    )
    if limit is not None:
        statement = statement.where(OrderDayCount.count < limit)
    result = await session.execute(statement.values(count=OrderDayCount.count + 1))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def give_back_order_slot(session: AsyncSession, team_id: str, slack_user_id: str, day: str) -> None:
    """AutoShares refused an order outright: it does not count against the day's limit."""
    await session.execute(
        update(OrderDayCount)
        .where(
            OrderDayCount.team_id == team_id,
            OrderDayCount.slack_user_id == slack_user_id,
            OrderDayCount.day == day,
            OrderDayCount.count > 0,
        )
        .values(count=OrderDayCount.count - 1)
    )
