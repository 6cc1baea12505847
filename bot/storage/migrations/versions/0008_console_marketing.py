"""The console's marketing side: widget beacon counts per day, and indexes for the SLA-health queries.

`widget_events` holds one counter per (UTC day, event) and nothing else: no address, no session,
no lead data (the widget's beacon, bot/web/beacon.py). The indexes serve what every health query
does on 100,000 leads: the latest verdict and outcome per lead (a window over lead_id, at) and
the finished leads of a period (status, started_at).

Revision ID: 0008_console_marketing
Revises: 0007_booking
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_console_marketing"
down_revision = "0007_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "widget_events",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("event", sa.String(32), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_feedback_lead_at", "feedback", ["lead_id", "at", "id"])
    op.create_index("ix_lead_outcomes_lead_at", "lead_outcomes", ["lead_id", "at", "id"])
    op.create_index("ix_leads_status_started_at", "leads", ["status", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_leads_status_started_at", table_name="leads")
    op.drop_index("ix_lead_outcomes_lead_at", table_name="lead_outcomes")
    op.drop_index("ix_feedback_lead_at", table_name="feedback")
    op.drop_table("widget_events")
