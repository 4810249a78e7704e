"""Team trading: roles and limits per member, workspace policies, daily order counts, and the
two-person approval columns of pending orders

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("max_order_value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("max_orders_per_day", sa.Integer(), nullable=True),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id"),
    )
    op.create_table(
        "workspace_policies",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("trading_paused", sa.Boolean(), nullable=False),
        sa.Column("order_places", sa.Text(), nullable=True),
        sa.Column("alert_places", sa.Text(), nullable=True),
        sa.Column("approval_threshold", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("approvals_channel", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_table(
        "order_day_counts",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id", "day"),
    )
    with op.batch_alter_table("pending_orders") as batch:
        # "awaiting_approval" needs more than the 16 characters the first states fitted in.
        batch.alter_column(
            "status", existing_type=sa.String(length=16), type_=sa.String(length=24), existing_nullable=False
        )
        batch.add_column(sa.Column("approval_channel", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("approval_ts", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("decided_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pending_orders") as batch:
        batch.drop_column("decided_by")
        batch.drop_column("approval_ts")
        batch.drop_column("approval_channel")
        batch.alter_column(
            "status", existing_type=sa.String(length=24), type_=sa.String(length=16), existing_nullable=False
        )
    op.drop_table("order_day_counts")
    op.drop_table("workspace_policies")
    op.drop_table("team_members")
