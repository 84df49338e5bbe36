"""agencies: read model, full-time registry, timelines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agency",
        sa.Column("uscc", sa.String(18), primary_key=True),
        sa.Column("workflow_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("jurisdiction_code", sa.String(6), nullable=True),
        sa.Column("out_of_town", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
    )
    op.create_index("ix_agency_jurisdiction_code", "agency", ["jurisdiction_code"])
    op.create_index("ix_agency_legal_name", "agency", ["legal_name"])
    op.create_index("ix_agency_status", "agency", ["status"])

    op.create_table(
        "agency_service_type",
        sa.Column("agency_uscc", sa.String(18), sa.ForeignKey("agency.uscc"), primary_key=True),
        sa.Column("service_type", sa.String(64), primary_key=True),
    )
    op.create_index(
        "ix_agency_service_type_service_type", "agency_service_type", ["service_type"]
    )

    op.create_table(
        "full_time_claim",
        sa.Column("id_number", sa.String(18), primary_key=True),
        sa.Column("agency_uscc", sa.String(18), nullable=False),
        sa.Column("legal_name", sa.String(200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(6), nullable=True),
        sa.Column("claimed_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_full_time_claim_agency_uscc", "full_time_claim", ["agency_uscc"])

    op.create_table(
        "timeline_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("resource", sa.String(300), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("summary", sa.String(2000), nullable=False),
        sa.Column("actor", sa.String(250), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("regulators_only", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("resource", "seq", name="uq_timeline_event_resource_seq"),
    )
    op.create_index("ix_timeline_event_resource", "timeline_event", ["resource"])


def downgrade() -> None:
    op.drop_table("timeline_event")
    op.drop_table("full_time_claim")
    op.drop_table("agency_service_type")
    op.drop_table("agency")
