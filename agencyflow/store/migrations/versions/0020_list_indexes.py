"""indexes that match the lists: scope + newest first, partial ones for the few overdue
projects and reports awaiting a receipt; hazard.deadline, long_unrectified and closed_at, so
lists and the overview count hazards in SQL (issue 14)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28

The three hazard columns copy what the row's progress already says; the upgrade fills them
from it, a page of rows at a time.
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SCOPES = ("county_code", "agency_uscc", "enterprise_uscc", "stage")
_BATCH = 1000

_hazard = sa.table(
    "hazard",
    sa.column("hazard_id", sa.String),
    sa.column("progress", sa.JSON),
    sa.column("deadline", sa.DateTime(timezone=True)),
    sa.column("long_unrectified", sa.Boolean),
    sa.column("closed_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("hazard") as table:
        table.add_column(sa.Column("deadline", sa.DateTime(timezone=True), nullable=True))
        table.add_column(
            sa.Column("long_unrectified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("hazard") as table:
        table.alter_column("long_unrectified", server_default=None)
    _fill_hazard_columns()
    for column in ("project_id", "county_code"):
        op.drop_index(f"ix_hazard_{column}", "hazard")
    op.create_index("ix_hazard_found", "hazard", ["found_at", "hazard_id"])
    for column in ("county_code", "project_id"):
        op.create_index(
            f"ix_hazard_{column.split('_')[0]}_found", "hazard", [column, "found_at", "hazard_id"]
        )

    for column in (*_SCOPES, "overdue", "awaiting_receipt"):
        op.drop_index(f"ix_project_{column}", "project")
    op.create_index("ix_project_created", "project", ["created_at", "project_id"])
    for column in _SCOPES:
        op.create_index(
            f"ix_project_{column}_created", "project", [column, "created_at", "project_id"]
        )
    op.create_index(
        "ix_project_overdue_created",
        "project",
        ["created_at", "project_id"],
        sqlite_where=sa.text("overdue = 1"),
        postgresql_where=sa.text("overdue"),
    )
    op.create_index(
        "ix_project_awaiting_receipt",
        "project",
        ["project_id"],
        sqlite_where=sa.text("awaiting_receipt = 1"),
        postgresql_where=sa.text("awaiting_receipt"),
    )


def _fill_hazard_columns() -> None:
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(_hazard.c.hazard_id, _hazard.c.progress)
            .where(_hazard.c.hazard_id > after)
            .order_by(_hazard.c.hazard_id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            deadline, closed_at = row.progress.get("deadline"), row.progress.get("closed_at")
            connection.execute(
                sa.update(_hazard)
                .where(_hazard.c.hazard_id == row.hazard_id)
                .values(
                    deadline=_utc(deadline) if deadline else None,
                    long_unrectified=bool(row.progress.get("long_unrectified", False)),
                    closed_at=_utc(closed_at) if closed_at else None,
                )
            )
        after = rows[-1].hazard_id


def _utc(moment: str) -> dt.datetime:
    """As `UtcDateTime` stores it: UTC, and naive on SQLite."""
    value = dt.datetime.fromisoformat(moment).astimezone(dt.UTC)
    return value.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else value


def downgrade() -> None:
    for name in ("awaiting_receipt", "overdue_created", "created"):
        op.drop_index(f"ix_project_{name}", "project")
    for column in _SCOPES:
        op.drop_index(f"ix_project_{column}_created", "project")
    for column in (*_SCOPES, "overdue", "awaiting_receipt"):
        op.create_index(f"ix_project_{column}", "project", [column])
    for name in ("found", "county_found", "project_found"):
        op.drop_index(f"ix_hazard_{name}", "hazard")
    for column in ("project_id", "county_code"):
        op.create_index(f"ix_hazard_{column}", "hazard", [column])
    with op.batch_alter_table("hazard") as table:
        table.drop_column("closed_at")
        table.drop_column("long_unrectified")
        table.drop_column("deadline")
