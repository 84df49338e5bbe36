"""a project's ``overdue`` column means its report is past due and still missing: rows whose
report was uploaded late stop counting among the overdue reports

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29

The workflow's progress keeps ``overdue`` (the report was late); the column, which the
overview's counts and the overdue filter read, is cleared where ``progress`` holds a report.
Downgrading sets it back from ``progress``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_project = sa.table(
    "project",
    sa.column("project_id", sa.String),
    sa.column("overdue", sa.Boolean),
    sa.column("progress", sa.JSON),
)


def _set_overdue(*, missing_only: bool) -> None:
    """Each project whose report was ever overdue: overdue while its report is missing, or
    (``missing_only`` false) as the workflow's progress says, late or not."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_project.c.project_id, _project.c.progress).where(
            _project.c.progress.is_not(None)
        )
    )
    for project_id, progress in rows.all():
        if progress and progress.get("overdue"):
            overdue = progress.get("report") is None or not missing_only
            connection.execute(
                sa.update(_project)
                .where(_project.c.project_id == project_id)
                .values(overdue=overdue)
            )


def upgrade() -> None:
    _set_overdue(missing_only=True)


def downgrade() -> None:
    _set_overdue(missing_only=False)
