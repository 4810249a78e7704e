"""Smarter alerts: alert groups (percent moves, repeats, threads, snooze), the member's choice
of DM or channel for triggers, and the route columns that tie an alert to its group

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=True),
        sa.Column("percent", sa.Numeric(precision=9, scale=4), nullable=True),
        sa.Column("reference", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("repeat_seconds", sa.Integer(), nullable=True),
        sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("thread_to", sa.String(length=32), nullable=True),
        sa.Column("thread_channel", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "alert_preferences",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("deliver", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id"),
    )
    with op.batch_alter_table("alert_routes") as batch:
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fired_price", sa.Numeric(precision=18, scale=4), nullable=True))
        batch.add_column(sa.Column("rearm_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_alert_routes_group_id"), ["group_id"], unique=False)
        batch.create_index(batch.f("ix_alert_routes_rearm_at"), ["rearm_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alert_routes") as batch:
        batch.drop_index(batch.f("ix_alert_routes_rearm_at"))
        batch.drop_index(batch.f("ix_alert_routes_group_id"))
        batch.drop_column("rearm_at")
        batch.drop_column("fired_price")
        batch.drop_column("group_id")
    op.drop_table("alert_preferences")
    op.drop_table("alert_groups")
