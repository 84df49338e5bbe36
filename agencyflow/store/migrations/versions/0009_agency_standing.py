"""agencies carry their credit score and grade and their listing's end as columns, so that
lists filter and sort by them

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27

The agency's workflow is the one authority on its score and grade (R8); its records already
carried them in ``progress``. They are copied into the new columns here; an agency no credit
event has touched yet keeps NULL, which readers take as the policy's initial grade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_agency = sa.table(
    "agency",
    sa.column("uscc", sa.String),
    sa.column("progress", sa.JSON),
    sa.column("credit_score", sa.Integer),
    sa.column("credit_grade", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.add_column(sa.Column("credit_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("credit_grade", sa.String(1), nullable=True))
        batch.add_column(sa.Column("listed_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_agency_credit_grade", ["credit_grade"])
        batch.create_index("ix_agency_listed_until", ["listed_until"])
    connection = op.get_bind()
    for uscc, progress in connection.execute(sa.select(_agency.c.uscc, _agency.c.progress)):
        if progress and progress.get("credit_grade"):
            connection.execute(
                sa.update(_agency)
                .where(_agency.c.uscc == uscc)
                .values(credit_score=progress["credit_score"], credit_grade=progress["credit_grade"])
            )


def downgrade() -> None:
    with op.batch_alter_table("agency") as batch:
        batch.drop_index("ix_agency_listed_until")
        batch.drop_index("ix_agency_credit_grade")
        batch.drop_column("listed_until")
        batch.drop_column("credit_grade")
        batch.drop_column("credit_score")
