"""Sign in with Slack on link states; Slack requests remembered against retries and replays

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Sign-ins in flight were stored under the clear state; states are now stored hashed, so
    # any left over cannot be finished anyway (they live 10 minutes): start clean.
    op.execute("DELETE FROM link_states")
    with op.batch_alter_table("link_states") as batch_op:
        batch_op.add_column(sa.Column("slack_nonce", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("browser_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("slack_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "slack_requests",
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("body_hash"),
    )
    op.create_index("ix_slack_requests_received_at", "slack_requests", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_slack_requests_received_at", table_name="slack_requests")
    op.drop_table("slack_requests")
    with op.batch_alter_table("link_states") as batch_op:
        batch_op.drop_column("slack_verified_at")
        batch_op.drop_column("browser_hash")
        batch_op.drop_column("slack_nonce")
