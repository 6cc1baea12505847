"""Per-handoff claims with a fencing token, and the channels a send is in flight to.

Revision ID: 0003_delivery_claims
Revises: 0002_visitor_questions
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_delivery_claims"
down_revision = "0002_visitor_questions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("handoffs", sa.Column("claim_token", sa.String(36)))
    op.add_column("handoffs", sa.Column("sending", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("sending")
        batch.drop_column("claim_token")
