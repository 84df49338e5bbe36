"""reform_programme, reform_task: each county's reform programme per year (R1, R15)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reform_programme",
        sa.Column("county_code", sa.String(6), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
    )
    op.create_table(
        "reform_task",
        sa.Column("county_code", sa.String(6), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("task", sa.JSON(), nullable=False),
    )
    op.create_index("ix_reform_task_due_at", "reform_task", ["due_at"])


def downgrade() -> None:
    op.drop_table("reform_task")
    op.drop_table("reform_programme")
