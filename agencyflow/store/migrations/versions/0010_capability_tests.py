"""capability tests (能力测试, R12): sessions, each professional's result, public warnings

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capability_session",
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("bank_edition", sa.String(50), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=True),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_capability_session_county_code", "capability_session", ["county_code"])
    op.create_table(
        "capability_result",
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("agency_uscc", sa.String(18), primary_key=True),
        sa.Column("professional_id", sa.String(8), primary_key=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_capability_result_agency_uscc", "capability_result", ["agency_uscc"])
    op.create_table(
        "public_warning",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("session_id", sa.String(40), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.UniqueConstraint("agency_uscc", "session_id"),
    )
    op.create_index("ix_public_warning_agency_uscc", "public_warning", ["agency_uscc"])
    op.create_index("ix_public_warning_issued_at", "public_warning", ["issued_at"])


def downgrade() -> None:
    op.drop_table("public_warning")
    op.drop_table("capability_result")
    op.drop_table("capability_session")
