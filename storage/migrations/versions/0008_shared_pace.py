"""Slack's pace per channel and each member's allowance of background AutoShares calls, kept in
the database so that every replica spends the same ones

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_pace",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("next_slot_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "channel"),
    )
    op.create_table(
        "user_allowance",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("calls", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.Column("backed_off_until", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id"),
    )


def downgrade() -> None:
    op.drop_table("user_allowance")
    op.drop_table("channel_pace")
