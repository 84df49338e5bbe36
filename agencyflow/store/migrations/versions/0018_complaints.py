"""complaint, complaint_access, complaint_reporter, complaint_reveal: complaints
(ComplaintWorkflow), how the public reaches them, reporters' sealed identities and who saw them

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=True),
        sa.Column("agency_uscc", sa.String(18), nullable=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("progress", sa.JSON(), nullable=False),
    )
    op.create_index("ix_complaint_county_code", "complaint", ["county_code"])
    op.create_index("ix_complaint_agency_uscc", "complaint", ["agency_uscc"])
    op.create_index("ix_complaint_stage", "complaint", ["stage"])
    op.create_table(
        "complaint_access",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("client_digest", sa.String(64), nullable=False),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_complaint_access_client_digest", "complaint_access", ["client_digest"])
    op.create_index("ix_complaint_access_content_digest", "complaint_access", ["content_digest"])
    op.create_index("ix_complaint_access_filed_at", "complaint_access", ["filed_at"])
    op.create_table(
        "complaint_reporter",
        sa.Column("ref", sa.String(32), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


    op.create_table(
        "complaint_reveal",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("revealed_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_complaint_reveal_code", "complaint_reveal", ["code"])
    op.create_index("ix_complaint_reveal_revealed_at", "complaint_reveal", ["revealed_at"])


def downgrade() -> None:
    op.drop_table("complaint_reveal")
    op.drop_table("complaint_reporter")
    op.drop_table("complaint_access")
    op.drop_table("complaint")
