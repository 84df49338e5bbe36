"""spot_check: one row per checked report (SpotCheckWorkflow)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spot_check",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("period", sa.String(6), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided", sa.Boolean(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
    )
    op.create_index("ix_spot_check_county_code", "spot_check", ["county_code"])
    op.create_index("ix_spot_check_agency_uscc", "spot_check", ["agency_uscc"])
    op.create_index("ix_spot_check_period", "spot_check", ["period"])


def downgrade() -> None:
    op.drop_table("spot_check")
