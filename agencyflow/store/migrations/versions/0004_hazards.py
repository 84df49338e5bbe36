"""hazards: read model, append-only ledger, uploaded files

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hazard",
        sa.Column("hazard_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("enterprise_uscc", sa.String(18), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("found_at", TIMESTAMP, nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
    )
    for column in ("project_id", "agency_uscc", "enterprise_uscc", "county_code", "level", "status"):
        op.create_index(f"ix_hazard_{column}", "hazard", [column])

    op.create_table(
        "hazard_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("hazard_id", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("enterprise_uscc", sa.String(18), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("summary", sa.String(2000), nullable=False),
        sa.Column("actor", sa.String(250), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("corrects_seq", sa.Integer(), nullable=True),
        sa.UniqueConstraint("hazard_id", "seq", name="uq_hazard_entry_hazard_seq"),
    )
    op.create_index("ix_hazard_entry_hazard_id", "hazard_entry", ["hazard_id"])
    op.create_index("ix_hazard_entry_enterprise_uscc", "hazard_entry", ["enterprise_uscc"])

    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("uploaded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("stored_file")
    op.drop_table("hazard_entry")
    op.drop_table("hazard")
