"""The SLA console: users, used one-click verdict links, lead outcomes, the verdict's reason key.

Revision ID: 0005_console
Revises: 0004_closing_resource
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_console"
down_revision = "0004_closing_resource"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("session_epoch", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_login_at", _utc()),
    )
    op.create_table(
        "verdict_link_uses",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("feedback_id", sa.Integer, sa.ForeignKey("feedback.id", ondelete="CASCADE")),
        sa.Column("used_at", _utc(), nullable=False),
    )
    op.create_table(
        "lead_outcomes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("by", sa.Text),
        sa.Column("at", _utc(), nullable=False),
    )
    op.add_column("feedback", sa.Column("reason_code", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.drop_column("reason_code")
    op.drop_table("lead_outcomes")
    op.drop_table("verdict_link_uses")
    op.drop_table("users")
