"""projects: read model, credit events, provincial platform outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "project",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("enterprise_uscc", sa.String(18), nullable=False),
        sa.Column("county_code", sa.String(6), nullable=False),
        sa.Column("service_type", sa.String(64), nullable=False),
        sa.Column("contract_number", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("overdue", sa.Boolean(), nullable=False),
        sa.Column("report_due_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
    )
    for column in ("agency_uscc", "enterprise_uscc", "county_code", "stage", "overdue"):
        op.create_index(f"ix_project_{column}", "project", [column])

    op.create_table(
        "credit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("source", sa.String(300), nullable=False, unique=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_credit_event_agency_uscc", "credit_event", ["agency_uscc"])

    op.create_table(
        "platform_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("receipt_number", sa.String(64), nullable=False),
        sa.Column("submitted_at", TIMESTAMP, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_platform_outbox_key"),
    )
    op.create_index("ix_platform_outbox_project_id", "platform_outbox", ["project_id"])


def downgrade() -> None:
    op.drop_table("platform_outbox")
    op.drop_table("credit_event")
    op.drop_table("project")
