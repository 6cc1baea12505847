"""The resource a nurture or disqualified lead was offered in the closing message.

Revision ID: 0004_closing_resource
Revises: 0003_delivery_claims
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_closing_resource"
down_revision = "0003_delivery_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("resource", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("resource")
