"""SQLAlchemy 2.x models: every piece of the bot's state lives here, so replicas share it.

Secrets (access/refresh tokens, PKCE verifiers) are stored only as Fernet ciphertext in the
``*_enc`` columns. Times are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Double,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class LinkedUser(Base):
    """A Slack user's link to their AutoShares login."""

    __tablename__ = "linked_users"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id", name="uq_linked_users_slack"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    autoshares_user_id: Mapped[int] = mapped_column(BigInteger)
    autoshares_login: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    display_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    token_expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scopes: Mapped[str] = mapped_column(String(512), default="")
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    needs_relink: Mapped[bool] = mapped_column(Boolean, default=False)
    default_account_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    agreements_outstanding: Mapped[int] = mapped_column(Integer, default=0)


class LinkState(Base):
    """A single-use sign-in, bound to the Slack team and user who asked to link.

    ``state`` holds the SHA-256 of the state sent to the browser, never the state itself;
    ``browser_hash`` the SHA-256 of the cookie that ties the sign-in to one browser;
    ``slack_verified_at`` when Sign in with Slack proved that browser is the requester's.
    """

    __tablename__ = "link_states"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    code_verifier_enc: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    slack_nonce: Mapped[str | None] = mapped_column(String(128), nullable=True)
    browser_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    slack_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PendingOrder(Base):
    """An order between preview and placement; its id is the AutoShares ``ClientId``.

    status: pending → submitting → placed | failed; pending → cancelled | expired.
    The pending → submitting move is a conditional UPDATE only one caller can win.
    """

    __tablename__ = "pending_orders"
    __table_args__ = (Index("ix_pending_orders_status_expires", "status", "expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(BigInteger)
    symbol: Mapped[str] = mapped_column(String(16))
    request_json: Mapped[str] = mapped_column(Text)
    preview_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    notional: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), nullable=True)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    response_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    autoshares_order_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    order_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    result_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: Two-person approval: the approvers' channel and the request's message there, and who
    #: approved or rejected it.
    approval_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    approval_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class AlertRoute(Base):
    """Where to announce an AutoShares price alert when it fires."""

    __tablename__ = "alert_routes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    autoshares_user_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str] = mapped_column(String(16))
    security_id: Mapped[int] = mapped_column(BigInteger)
    operator: Mapped[str] = mapped_column(String(8))
    field: Mapped[str] = mapped_column(String(8))
    argument: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), default="active", index=True)
    fired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: The alert group this AutoShares alert belongs to (a percent move, a repeating alert);
    #: NULL for a plain one-shot alert.
    group_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: The price its trigger reported (to draw its message again, e.g. when snoozed).
    fired_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), nullable=True)
    #: A fired alert of a repeating group: when to arm a new AutoShares alert at the same level
    #: (moved on by the pass that re-arms it, as its lease); NULL when nothing is owed.
    rearm_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)


class AlertGroup(Base):
    """One ``/alert`` that stands for several AutoShares alerts over time: both levels of a
    percent move, and each new alert a repeating one is re-armed with. Its triggers thread
    under the group's first post (``thread_*``: where that post went and its ts) and can be
    snoozed by the owner. state: active → ended (deleted, expired or retired)."""

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str] = mapped_column(String(16))
    #: A percent move: ``moves``, ``up`` or ``down``, the percent, and the previous close the
    #: levels were worked out from.
    direction: Mapped[str | None] = mapped_column(String(8), nullable=True)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(9, 4), nullable=True)
    reference: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), nullable=True)
    #: Repeating: the cool-down between a trigger and the next alert; NULL fires once.
    repeat_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    thread_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    thread_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    thread_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertPreference(Base):
    """Where a member's alert triggers go: ``channel`` (where each alert was set, the default)
    or ``dm`` (their DM with the bot, wherever the alert was set)."""

    __tablename__ = "alert_preferences"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    deliver: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessedWebhook(Base):
    """Webhook event ids already handled: deliveries may repeat, effects must not."""

    __tablename__ = "processed_webhooks"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SlackRequest(Base):
    """Slack requests already dispatched (SHA-256 of the raw body): a retry or a replay of the
    same bytes is acknowledged and not acted on twice."""

    __tablename__ = "slack_requests"

    body_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ClickIntent(Base):
    """What a click asked for, written with its ``slack_requests`` row before the ack, so that
    any replica can carry it out if the one that took it dies (``bot.app.clicks``).

    ``key`` is the SHA-256 of the request body; ``state`` is pending, leased or done, and a
    lease that lapses (``lease_until``) lets another replica take it."""

    __tablename__ = "click_intents"
    __table_args__ = (Index("ix_click_intents_due", "state", "created_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    action_id: Mapped[str] = mapped_column(String(255))
    team_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    response_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    pending_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """A message the bot owes Slack, written in the same transaction as the change that causes
    it and delivered by a leased worker (``bot.core.delivery``) until Slack accepts it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    dedupe_key: Mapped[str | None] = mapped_column(String(160), nullable=True, unique=True)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEvent(Base):
    """Who did what to which order or alert, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    team_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    autoshares_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail_json: Mapped[str] = mapped_column(Text, default="{}")


class TeamMember(Base):
    """A workspace member's role and limits, as an admin set them (a member with no row has the
    default role and no limits)."""

    __tablename__ = "team_members"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    max_order_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), nullable=True)
    max_orders_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(32))


class WorkspacePolicy(Base):
    """A workspace's trading rules: where orders and alerts may go, a pause, and two-person
    approval. ``order_places`` / ``alert_places``: NULL for anywhere, else a comma-separated
    list of channel ids and ``dm`` (direct messages)."""

    __tablename__ = "workspace_policies"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    trading_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    order_places: Mapped[str | None] = mapped_column(Text, nullable=True)
    alert_places: Mapped[str | None] = mapped_column(Text, nullable=True)
    approval_threshold: Mapped[Decimal | None] = mapped_column(Numeric(18, 4), nullable=True)
    approvals_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str] = mapped_column(String(32))


class OrderDayCount(Base):
    """Orders sent to AutoShares per member per trading day: the daily limit's counter, moved
    by one conditional statement so that concurrent clicks cannot pass the limit together."""

    __tablename__ = "order_day_counts"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ChannelPace(Base):
    """The next free posting slot of one Slack channel, shared by every replica: taken by one
    conditional statement (``storage.pacing``). Times are seconds since the epoch, so that the
    statement can add the pace in SQL on SQLite and PostgreSQL alike."""

    __tablename__ = "channel_pace"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_slot_at: Mapped[float] = mapped_column(Double)


class UserAllowance(Base):
    """One member's allowance of background AutoShares calls, shared by every replica: the
    calls left at ``updated_at`` (refilled continuously, negative when overdrawn) and the end of
    a back-off after AutoShares' 429. Times are seconds since the epoch (see ``ChannelPace``)."""

    __tablename__ = "user_allowance"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    calls: Mapped[float] = mapped_column(Double)
    updated_at: Mapped[float] = mapped_column(Double)
    backed_off_until: Mapped[float] = mapped_column(Double, default=0.0)


class DigestSchedule(Base):
    """A member's scheduled portfolio summary: when (a local time on daily or weekday dates, in
    ``zone``), where (a channel, or the member's id for their DM), and the next time it is due.

    Exactly once per occurrence: the pass that finds a schedule due moves ``next_run_at`` on with
    a conditional UPDATE (only one pass wins it) and owes the post to the outbox in the same
    transaction, under a key naming the schedule and the occurrence.
    """

    __tablename__ = "digest_schedules"
    __table_args__ = (Index("ix_digest_schedules_due", "next_run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    every: Mapped[str] = mapped_column(String(16))
    at_local: Mapped[str] = mapped_column(String(5))
    zone: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    next_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChartImage(Base):
    """A chart drawn for one user's private quote answer: served by any replica at a signed URL
    (``GET /charts/{id}.png``) until ``expires_at``, and uploaded to the channel if they share it.

    ``id`` is random (``secrets.token_urlsafe``) and the URL is signed as well, so neither
    guessing ids nor changing an expiry shows someone else's chart.
    """

    __tablename__ = "chart_images"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str] = mapped_column(String(16))
    chart_range: Mapped[str] = mapped_column(String(8))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class HoldingsCheck(Base):
    """When a linked member's holdings are next looked at for corporate actions: the row is
    leased by the pass that takes it (``next_check_at`` moved on), so replicas split members."""

    __tablename__ = "holdings_checks"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id", name="uq_holdings_checks_member"),
        Index("ix_holdings_checks_due", "next_check_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    next_check_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CorporateActionNotice(Base):
    """A corporate action a member was told of: one row per member and action (its primary key),
    written in the same transaction as the DM owed to the outbox, so each is told once however
    many replicas find it."""

    __tablename__ = "corporate_action_notices"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    told_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TransferWatch(Base):
    """An account whose deposits and withdrawals a member follows (since they first ran
    `/autoshares transfers` on it): the transfer pass reads it and stamps ``checked_at``, which
    leases it to one replica until it is due again."""

    __tablename__ = "transfer_watches"
    __table_args__ = (
        UniqueConstraint("team_id", "slack_user_id", "account_id", name="uq_transfer_watches_member_account"),
        Index("ix_transfer_watches_due", "checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TransferNotice(Base):
    """One outcome (completed or failed) of one transfer, for one member: the primary key is
    the unique key that makes the member's DM exactly once across replicas. ``told`` is False
    for a transfer that had already ended when the member started following the account."""

    __tablename__ = "transfer_notices"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    transfer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer)
    told: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
