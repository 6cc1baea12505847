"""Initial schema: leads, answers, handoffs (outbox), delivery_attempts, feedback.

Revision ID: 0001_initial
Revises:
Create Date: 2024-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "leads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("last_answer_at", TS),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("tier", sa.String(32)),
        sa.Column("knocked_out_by", sa.String(64)),
        sa.Column("qualified", sa.Boolean, nullable=False),
        sa.Column("human_requested", sa.Boolean, nullable=False),
        sa.Column("contact_consent", sa.Boolean),
        sa.Column("contact_name", sa.Text),
        sa.Column("contact_email", sa.Text),
        sa.Column("contact_company", sa.Text),
        sa.Column("currency", sa.String(8)),
        sa.Column("page_context", sa.JSON),
        sa.Column("transcript", sa.JSON),
        sa.Column("breakdown", sa.JSON),
        sa.Column("summary", sa.Text),
        sa.UniqueConstraint("conversation_id", name="uq_leads_conversation_id"),
    )
    op.create_index("ix_leads_started_at", "leads", ["started_at"])
    op.create_index("ix_leads_contact_email", "leads", ["contact_email"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("criterion", sa.String(64), nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value_text", sa.Text),
        sa.Column("value_number", sa.Float),
        sa.Column("currency", sa.String(8)),
        sa.Column("amount", sa.Float),
        sa.Column("period", sa.String(16)),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("max_points", sa.Integer, nullable=False),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("knock_out", sa.Boolean, nullable=False),
        sa.Column("extra", sa.JSON),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("lead_id", "criterion", name="uq_answers_lead_criterion"),
    )
    op.create_index("ix_answers_lead_id", "answers", ["lead_id"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("idempotency_key", sa.String(36), nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("delivered", sa.JSON, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS),
        sa.Column("claimed_until", TS),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("last_error", sa.Text),
        sa.Column("sent_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("lead_id", name="uq_handoffs_lead_id"),
        sa.UniqueConstraint("idempotency_key", name="uq_handoffs_idempotency_key"),
    )
    op.create_index("ix_handoffs_status", "handoffs", ["status"])
    op.create_index("ix_handoffs_next_attempt_at", "handoffs", ["next_attempt_at"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("handoff_id", sa.Integer, sa.ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("duration_ms", sa.Float, nullable=False),
    )
    op.create_index("ix_delivery_attempts_handoff_id", "delivery_attempts", ["handoff_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("leads.id", ondelete="CASCADE"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("by", sa.Text),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_feedback_lead_id", "feedback", ["lead_id"])


def downgrade() -> None:
    for table in ("feedback", "delivery_attempts", "handoffs", "answers", "leads"):
        op.drop_table(table)
