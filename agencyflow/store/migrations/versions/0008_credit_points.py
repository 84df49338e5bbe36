"""credit events carry their points, the policy clause, who recorded them and when an
objection revoked them; a late report is one event

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

Before, a late report wrote ``report.late`` when it became overdue (source
``projects/<id>#report.overdue``) and ``report.late_uploaded`` when it arrived (source
``…#report.uploaded``, with ``days_late``). Now it is one ``report.late`` event, source
``…#report.late``, written at the upload (or past the serious lateness) with its points.
The old pairs become one such event; its points stay empty, as the code that wrote them
did not settle any (``days_late`` says how late it was). An overdue event whose report has
not arrived goes: the upload, or the serious-lateness timer, writes the settled one.
Downgrading drops the new columns; the merged events stay one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_credit = sa.table(
    "credit_event",
    sa.column("id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("kind", sa.String),
    sa.column("details", sa.JSON),
)


def _project(source: str) -> str:
    return source.split("#", 1)[0]


def upgrade() -> None:
    with op.batch_alter_table("credit_event") as batch:
        batch.add_column(sa.Column("points", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("clause", sa.String(100), nullable=True))
        batch.add_column(sa.Column("recorded_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_credit.c.id, _credit.c.source, _credit.c.kind, _credit.c.details).where(
            _credit.c.kind.in_(["report.late", "report.late_uploaded"]),
            _credit.c.source.like("%#report.overdue") | _credit.c.source.like("%#report.uploaded"),
        )
    ).all()
    overdue = {_project(r.source): r for r in rows if r.kind == "report.late"}
    uploaded = {_project(r.source): r for r in rows if r.kind == "report.late_uploaded"}
    for project, row in uploaded.items():
        earlier = overdue.pop(project, None)
        if earlier is not None:
            connection.execute(sa.delete(_credit).where(_credit.c.id == earlier.id))
        connection.execute(
            sa.update(_credit)
            .where(_credit.c.id == row.id)
            .values(kind="report.late", source=f"{project}#report.late")
        )
    for row in overdue.values():  # still missing: settled when it arrives or turns serious
        connection.execute(sa.delete(_credit).where(_credit.c.id == row.id))


def downgrade() -> None:
    with op.batch_alter_table("credit_event") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("recorded_by")
        batch.drop_column("clause")
        batch.drop_column("points")
