"""a covering index for the hazard counts: the city's and a county's tallies read an index
of the counted columns instead of every row with its JSON (issue 14's city list, 56 ms p95
at 10,000 projects)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_hazard_counts",
        "hazard",
        ["county_code", "level", "status", "deadline", "long_unrectified"],
    )


def downgrade() -> None:
    op.drop_index("ix_hazard_counts", "hazard")
