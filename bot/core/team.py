"""Team trading: who may do what in a workspace, where, and how much.

Every click acts as the person who clicked, within what their role allows. Roles, least to
most, each allowing what the ones before it allow:

* **viewer**: quotes, their watchlist, accounts and positions, price alerts;
* **trader**: orders (preview, confirm, cancel);
* **approver**: approves or rejects other members' orders that need approval;
* **admin**: grants roles and limits and sets the workspace's policy.

Slack workspace owners and admins are always admins. Everyone else has the role an admin gave
them, or the default role (``DEFAULT_ROLE``, trader unless set). Admins set, per workspace,
where orders and alerts are allowed (anywhere, an allowlist of channels, direct messages), a
pause on all trading, and an approval threshold with the approvers' channel; per member, a
maximum order value, a maximum of orders per trading day, and "needs approval".

The same rules serve `/autoshares admin …` and App Home's Team section: both call this service,
which checks that the actor is an admin before it changes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.core.errors import (
    ApprovalsNotSet,
    DailyOrderLimit,
    OrderValueOverLimit,
    PlaceNotAllowed,
    RoleTooLow,
    TradingPaused,
)
from bot.core.ports import SlackDirectory
from storage.orders import DayQuota
from storage.records import ADMIN, APPROVER, DM_PLACE, ROLES, TRADER, VIEWER, Member, Policy
from storage.team import TeamRepository

__all__ = ["ADMIN", "APPROVER", "ROLES", "TRADER", "VIEWER", "TeamService", "TeamRules"]

#: The exchange's clock decides which trading day an order counts on.
TRADING_ZONE = ZoneInfo("America/New_York")

#: What each action needs.
ORDERS, APPROVALS, ADMINISTRATION = "place orders", "approve orders", "manage the team"


def rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else 0


def trading_day(now: datetime | None = None) -> str:
    """The trading day (exchange time) as ``YYYY-MM-DD``: daily limits reset at its midnight."""
    return (now or datetime.now(UTC)).astimezone(TRADING_ZONE).date().isoformat()


def is_dm(channel_id: str | None) -> bool:
    return not channel_id or channel_id.startswith("D")


def allowed_in(places: Sequence[str] | None, channel_id: str | None) -> bool:
    """Whether a place list (None: anywhere) admits the conversation."""
    if places is None:
        return True
    if is_dm(channel_id):
        return DM_PLACE in places
    return channel_id in places


@dataclass(frozen=True)
class TeamRules:
    """Deployment-wide team settings: the role of members no admin has set, and how long an
    approval request stands."""

    default_role: str = TRADER
    approval_seconds: int = 900


@dataclass(frozen=True)
class OrderGate:
    """What the rules say about one order: the member and policy read, whether it needs
    approval (and why), and the day's quota it counts against."""

    member: Member
    policy: Policy
    quota: DayQuota
    approval: str | None = None  # "over_threshold" or "member_needs_approval"


@dataclass(frozen=True)
class TeamOverview:
    """What an admin sees: the policy and the members with something set."""

    policy: Policy
    members: list[Member]
    default_role: str


class TeamService:
    def __init__(self, repo: TeamRepository, directory: SlackDirectory, rules: TeamRules) -> None:
        self.repo = repo
        self._directory = directory
        self.rules = rules

    # -- roles -----------------------------------------------------------------------------------
    def _granted(self, member: Member) -> str:
        return member.role or self.rules.default_role

    async def role(self, team_id: str, slack_user_id: str) -> str:
        """The member's role: a Slack owner or admin is admin; else what was granted, or the
        default."""
        granted = self._granted(await self.repo.member(team_id, slack_user_id))
        if granted != ADMIN and await self._directory.is_workspace_admin(team_id, slack_user_id):
            return ADMIN
        return granted

    async def require(
        self, team_id: str, slack_user_id: str, needed: str, action: str, member: Member | None = None
    ) -> Member:
        """The member, when their role is at least ``needed``; else :class:`RoleTooLow`. Slack
        is asked about owners and admins only when the granted role is not enough."""
        member = member or await self.repo.member(team_id, slack_user_id)
        granted = self._granted(member)
        if rank(granted) >= rank(needed):
            return member
        if await self._directory.is_workspace_admin(team_id, slack_user_id):
            return member
        raise RoleTooLow(action, needed, granted)

    # -- orders ----------------------------------------------------------------------------------
    async def order_gate(
        self, team_id: str, slack_user_id: str, channel_id: str | None, *, now: datetime | None = None
    ) -> OrderGate:
        """Before any AutoShares call: the role, the pause, the place and the day's count."""
        member = await self.require(team_id, slack_user_id, TRADER, ORDERS)
        policy = await self.repo.policy(team_id)
        if policy.trading_paused:
            raise TradingPaused()
        if not allowed_in(policy.order_places, channel_id):
            raise PlaceNotAllowed("orders", policy.order_places or ())
        day = trading_day(now)
        limit = member.max_orders_per_day
        if limit is not None and await self.repo.orders_on(team_id, slack_user_id, day) >= limit:
            raise DailyOrderLimit(limit)
        return OrderGate(member=member, policy=policy, quota=DayQuota(day, limit))

    @staticmethod
    def weigh(gate: OrderGate, value: Decimal | None) -> OrderGate:
        """The order's value against the member's limit and the approval threshold. A value
        that cannot be known is over any limit and needs approval wherever a threshold is set
        (the rules fail closed)."""
        limit = gate.member.max_order_value
        if limit is not None and (value is None or value > limit):
            raise OrderValueOverLimit(value, limit)
        threshold = gate.policy.approval_threshold
        approval = None
        if threshold is not None and (value is None or value > threshold):
            approval = "over_threshold"
        elif gate.member.needs_approval:
            approval = "member_needs_approval"
        if approval is not None and not gate.policy.approvals_channel:
            raise ApprovalsNotSet()
        return OrderGate(gate.member, gate.policy, gate.quota, approval)

    async def approver_gate(self, team_id: str, approver: str, requester: str) -> DayQuota:
        """Before an Approve: the approver's role, the pause, and the requester still a trader;
        the quota is the requester's."""
        await self.require(team_id, approver, APPROVER, APPROVALS)
        policy = await self.repo.policy(team_id)
        if policy.trading_paused:
            raise TradingPaused()
        try:
            member = await self.require(team_id, requester, TRADER, ORDERS)
        except RoleTooLow as exc:
            raise RoleTooLow(exc.action, exc.needed, exc.role, requester=requester) from None
        return DayQuota(trading_day(), member.max_orders_per_day)

    # -- alerts ----------------------------------------------------------------------------------
    async def alert_place(self, team_id: str, channel_id: str | None) -> None:
        """Alerts may post here (the channel policy), else :class:`PlaceNotAllowed`."""
        policy = await self.repo.policy(team_id)
        if not allowed_in(policy.alert_places, channel_id):
            raise PlaceNotAllowed("alerts", policy.alert_places or ())

    # -- administration --------------------------------------------------------------------------
    async def overview(self, team_id: str, actor: str) -> TeamOverview:
        await self.require(team_id, actor, ADMIN, ADMINISTRATION)
        return TeamOverview(
            policy=await self.repo.policy(team_id),
            members=await self.repo.members(team_id),
            default_role=self.rules.default_role,
        )

    async def is_admin(self, team_id: str, slack_user_id: str) -> bool:
        return await self.role(team_id, slack_user_id) == ADMIN

    async def set_member(self, team_id: str, actor: str, target: str, **changes: object) -> Member:
        """Change a member's role (None: back to the default) or limits; admins only."""
        await self.require(team_id, actor, ADMIN, ADMINISTRATION)
        role = changes.get("role")
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        return await self.repo.set_member(team_id, target, actor=actor, changes=changes)

    async def set_policy(self, team_id: str, actor: str, **changes: object) -> Policy:
        """Change the workspace's policy; admins only."""
        await self.require(team_id, actor, ADMIN, ADMINISTRATION)
        return await self.repo.set_policy(team_id, actor=actor, changes=changes)
