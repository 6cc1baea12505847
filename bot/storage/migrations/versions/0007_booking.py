"""Meeting booking: a lead's booked meeting, and the booking webhook deliveries already applied.

Revision ID: 0007_booking
Revises: 0005_console (the lead rechains it after routing's 0006 at merge)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_booking"
down_revision = "0005_console"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("event_uid", sa.String(255), nullable=False, index=True),
        sa.Column("starts_at", _utc()),
        sa.Column("ends_at", _utc()),
        sa.Column("booked_at", _utc(), nullable=False),
        sa.Column("reschedules", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", _utc(), nullable=False),
    )
    op.create_table(
        "booking_deliveries",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), index=True),
        sa.Column("received_at", _utc(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("booking_deliveries")
    op.drop_table("bookings")
