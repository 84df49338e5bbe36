"""spot_check_draw: each county's half-yearly spot-check draw, with seed, rules and inputs

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "spot_check_draw",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("period", sa.String(6), nullable=False),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("drawn", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("drawn_by", sa.String(250), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("county_code", "period", name="uq_spot_check_draw"),
    )


def downgrade() -> None:
    op.drop_table("spot_check_draw")
