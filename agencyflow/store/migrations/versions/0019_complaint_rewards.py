"""complaint_attachment, whistleblower_reward: the attachments the public sends with a
complaint (counted per address), and the rewards agencies pay their own internal
whistleblowers (R13)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_attachment",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("client_digest", sa.String(64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_complaint_attachment_client_digest", "complaint_attachment", ["client_digest"]
    )
    op.create_index("ix_complaint_attachment_uploaded_at", "complaint_attachment", ["uploaded_at"])
    op.create_table(
        "whistleblower_reward",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("command_id", sa.String(200), nullable=False, unique=True),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("matter", sa.String(2000), nullable=False),
        sa.Column("amount_yuan", sa.Numeric(14, 2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_whistleblower_reward_agency_uscc", "whistleblower_reward", ["agency_uscc"])


def downgrade() -> None:
    op.drop_table("whistleblower_reward")
    op.drop_table("complaint_attachment")
