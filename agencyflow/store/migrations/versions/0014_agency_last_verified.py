"""agency.last_verified_on: the last on-site verification, for the list of those due (R9)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agency") as table:
        table.add_column(sa.Column("last_verified_on", sa.Date(), nullable=True))
        table.create_index("ix_agency_last_verified_on", ["last_verified_on"])


def downgrade() -> None:
    with op.batch_alter_table("agency") as table:
        table.drop_index("ix_agency_last_verified_on")
        table.drop_column("last_verified_on")
