"""an index of when each hazard closed, by county: the overview's trend counts hazards
rectified per month off it instead of reading every row

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_hazard_county_closed", "hazard", ["county_code", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_hazard_county_closed", "hazard")
