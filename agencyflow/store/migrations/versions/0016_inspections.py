"""inspection_campaign, inspection_task: quarterly full-coverage inspections
(InspectionCampaignWorkflow)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inspection_campaign",
        sa.Column("campaign_id", sa.String(16), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("quarter", sa.String(6), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_inspection_campaign_county_code", "inspection_campaign", ["county_code"])
    op.create_index("ix_inspection_campaign_quarter", "inspection_campaign", ["quarter"])
    op.create_table(
        "inspection_task",
        sa.Column("campaign_id", sa.String(16), primary_key=True),
        sa.Column("agency_uscc", sa.String(18), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("quarter", sa.String(6), nullable=False),
        sa.Column("agency_name", sa.String(200), nullable=False),
        sa.Column("out_of_town", sa.Boolean(), nullable=False),
        sa.Column("planned", sa.Boolean(), nullable=False),
        sa.Column("inspected", sa.Boolean(), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("rectifying", sa.Boolean(), nullable=False),
        sa.Column("task", sa.JSON(), nullable=False),
    )
    op.create_index("ix_inspection_task_agency_uscc", "inspection_task", ["agency_uscc"])
    op.create_index("ix_inspection_task_county_code", "inspection_task", ["county_code"])
    op.create_index("ix_inspection_task_quarter", "inspection_task", ["quarter"])


def downgrade() -> None:
    op.drop_table("inspection_task")
    op.drop_table("inspection_campaign")
