"""The visitor's questions to us, kept for the sales summary.

Revision ID: 0002_visitor_questions
Revises: 0001_initial
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_visitor_questions"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("visitor_questions", sa.JSON))


def downgrade() -> None:
    op.drop_column("leads", "visitor_questions")
