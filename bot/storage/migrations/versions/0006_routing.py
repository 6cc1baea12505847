"""Lead routing: the assignments (decision log), the round-robin counters and their pool locks.

Revision ID: 0006_routing
Revises: 0005_console
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_routing"
down_revision = "0005_console"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "lead_assignments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("current", sa.Boolean, nullable=False, server_default=sa.true(), index=True),
        sa.Column("attempt", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rep_id", sa.String(64), index=True),
        sa.Column("rep_name", sa.Text, nullable=False, server_default=""),
        sa.Column("rep_email", sa.String(320)),
        sa.Column("slack_user_id", sa.String(32)),
        sa.Column("pool", sa.String(64)),
        sa.Column("pool_email", sa.String(320)),
        sa.Column("booking_url", sa.Text),
        sa.Column("rule", sa.Text, nullable=False, server_default=""),
        sa.Column("target", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("candidates", sa.JSON),
        sa.Column("steps", sa.JSON),
        sa.Column("outside_hours", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("assigned_at", _utc(), nullable=False),
        sa.Column("deliver_at", _utc()),
        sa.Column("respond_by", _utc(), index=True),
        sa.Column("respond_minutes", sa.Integer),
        sa.Column("ended", sa.Text),
    )
    op.create_table(
        "routing_counters",
        sa.Column("pool", sa.String(64), primary_key=True),
        sa.Column("rep_id", sa.String(64), primary_key=True),
        sa.Column("assigned", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_turn", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "routing_pools",
        sa.Column("pool", sa.String(64), primary_key=True),
        sa.Column("turns", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("routing_pools")
    op.drop_table("routing_counters")
    op.drop_table("lead_assignments")
