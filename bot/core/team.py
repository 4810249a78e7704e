"""Team trading: who may do what in a workspace, where, and how much.

Every click acts as the person who clicked, within what their role allows (the roles, least to
most, are ``bot.vocabulary.roles.Role``).

Slack workspace owners and admins are always admins. Everyone else has the role an admin gave
them, or the default role (``DEFAULT_ROLE``, trader unless set). Admins set, per workspace,
where orders and alerts are allowed (anywhere, an allowlist of channels, direct messages), a
pause on all trading, and an approval threshold with the approvers' channel; per member, a
maximum order value, a maximum of orders per trading day, and "needs approval".

The same rules serve `/autoshares admin …` and App Home's Team section: both hand a typed change
(``bot.core.commands.TeamChange``) to :meth:`TeamService.apply`, which checks that the actor is
an admin before it changes anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import assert_never

from bot.core.commands import (
    GrantRole,
    SetAlertPlaces,
    SetApprovalsChannel,
    SetApprovalThreshold,
    SetDailyOrderLimit,
    SetMember,
    SetNeedsApproval,
    SetOrderPlaces,
    SetOrderValueLimit,
    SetPause,
    SetPolicy,
    TeamChange,
)
from bot.core.errors import (
    ApprovalsNotSet,
    DailyOrderLimit,
    OrderValueOverLimit,
    PlaceNotAllowed,
    RoleTooLow,
    TradingPaused,
)
from bot.core.market_clock import trading_day
from bot.core.ports import SlackDirectory
from bot.vocabulary.roles import ROLES, Role
from storage.orders import DayQuota
from storage.records import DM_PLACE, Member, Policy
from storage.team import TeamRepository

__all__ = [
    "ADMIN",
    "APPROVER",
    "ROLES",
    "TRADER",
    "VIEWER",
    "Role",
    "TeamService",
    "TeamRules",
    "trading_day",
]

ADMIN, APPROVER, TRADER, VIEWER = Role.ADMIN, Role.APPROVER, Role.TRADER, Role.VIEWER

#: What each action needs.
ORDERS, APPROVALS, ADMINISTRATION = "place orders", "approve orders", "manage the team"


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

    default_role: Role = Role.TRADER
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
    default_role: Role


class TeamService:
    def __init__(self, repo: TeamRepository, directory: SlackDirectory, rules: TeamRules) -> None:
        self.repo = repo
        self._directory = directory
        self.rules = rules

    # -- roles -----------------------------------------------------------------------------------
    def _granted(self, member: Member) -> Role:
        return member.role or self.rules.default_role

    async def role(self, team_id: str, slack_user_id: str) -> Role:
        """The member's role: a Slack owner or admin is admin; else what was granted, or the
        default."""
        granted = self._granted(await self.repo.member(team_id, slack_user_id))
        if granted != ADMIN and await self._directory.is_workspace_admin(team_id, slack_user_id):
            return ADMIN
        return granted

    async def require(
        self, team_id: str, slack_user_id: str, needed: Role, action: str, member: Member | None = None
    ) -> Member:
        """The member, when their role is at least ``needed``; else :class:`RoleTooLow`. Slack
        is asked about owners and admins only when the granted role is not enough."""
        member = member or await self.repo.member(team_id, slack_user_id)
        granted = self._granted(member)
        if granted >= needed:
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

    async def apply(self, team_id: str, actor: str, change: TeamChange) -> None:
        """Make one admin change (a command or a form); admins only, audited in storage."""
        await self.require(team_id, actor, ADMIN, ADMINISTRATION)
        repo = self.repo
        match change:
            case GrantRole(member, role):
                await repo.set_member(team_id, member, actor=actor, role=role)
            case SetOrderValueLimit(member, amount):
                await repo.set_member(team_id, member, actor=actor, max_order_value=amount)
            case SetDailyOrderLimit(member, count):
                await repo.set_member(team_id, member, actor=actor, max_orders_per_day=count)
            case SetNeedsApproval(member, required):
                await repo.set_member(team_id, member, actor=actor, needs_approval=required)
            case SetMember(member, role, max_value, max_daily, needs_approval):
                await repo.set_member(
                    team_id,
                    member,
                    actor=actor,
                    role=role,
                    max_order_value=max_value,
                    max_orders_per_day=max_daily,
                    needs_approval=needs_approval,
                )
            case SetApprovalThreshold(amount):
                await repo.set_policy(team_id, actor=actor, approval_threshold=amount)
            case SetApprovalsChannel(channel):
                await repo.set_policy(team_id, actor=actor, approvals_channel=channel)
            case SetOrderPlaces(places):
                await repo.set_policy(team_id, actor=actor, order_places=places)
            case SetAlertPlaces(places):
                await repo.set_policy(team_id, actor=actor, alert_places=places)
            case SetPause(paused):
                await repo.set_policy(team_id, actor=actor, trading_paused=paused)
            case SetPolicy(paused, order_places, alert_places, threshold, channel):
                await repo.set_policy(
                    team_id,
                    actor=actor,
                    trading_paused=paused,
                    order_places=order_places,
                    alert_places=alert_places,
                    approval_threshold=threshold,
                    approvals_channel=channel,
                )
            case _:
                assert_never(change)
