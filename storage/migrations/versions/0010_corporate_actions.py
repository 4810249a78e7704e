"""Corporate actions told to holders: when each member's holdings are next looked at, and
which actions each member was told of (once each)

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "holdings_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("team_id", "slack_user_id", name="uq_holdings_checks_member"),
    )
    op.create_index("ix_holdings_checks_due", "holdings_checks", ["next_check_at"])
    op.create_table(
        "corporate_action_notices",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("action_key", sa.String(length=128), nullable=False),
        sa.Column("symbol", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "slack_user_id", "action_key"),
    )


def downgrade() -> None:
    op.drop_table("corporate_action_notices")
    op.drop_index("ix_holdings_checks_due", table_name="holdings_checks")
    op.drop_table("holdings_checks")
