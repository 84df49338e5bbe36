"""events, not snapshots: progress and parts in their own columns, one row per visit

Workflows now record each step as an event with the rows it touches, instead of a
whole snapshot. The project, hazard and agency rows keep their small progress part in
one column and their larger parts (contract, notification, plan, report, facts) in
columns of their own, written only by the steps that change them; a project's visits
get a table. Existing rows are split, not lost.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)

_PROJECT_PARTS = ("project_id", "agency_uscc", "agency_name", "request", "created_at")
_HAZARD_FACTS = (
    "hazard_id",
    "project_id",
    "visit_id",
    "agency_uscc",
    "enterprise_uscc",
    "enterprise_name",
    "county_code",
    "found_at",
    "report",
)


def _table(name: str, columns: dict[str, Any]) -> sa.TableClause:
    """The columns of ``name`` that this migration reads or writes, as they are at this
    revision (the application's models describe the latest one)."""
    return sa.table(name, *(sa.column(column, kind) for column, kind in columns.items()))


project = _table(
    "project",
    {
        "project_id": sa.String,
        "snapshot": sa.JSON,
        "agency_name": sa.String,
        "awaiting_receipt": sa.Boolean,
        "request": sa.JSON,
        "notification": sa.JSON,
        "plan": sa.JSON,
        "progress": sa.JSON,
    },
)
visit = _table(
    "project_visit",
    {
        "project_id": sa.String,
        "visit_id": sa.String,
        "number": sa.Integer,
        "visited_on": sa.Date,
        "recorded_at": TIMESTAMP,
        "visit": sa.JSON,
    },
)
hazard = _table(
    "hazard",
    {
        "hazard_id": sa.String,
        "snapshot": sa.JSON,
        "visit_id": sa.String,
        "enterprise_name": sa.String,
        "report": sa.JSON,
        "progress": sa.JSON,
    },
)
agency = _table(
    "agency",
    {
        "uscc": sa.String,
        "snapshot": sa.JSON,
        "facts": sa.JSON,
        "professional_ids": sa.JSON,
        "progress": sa.JSON,
    },
)


def _timestamp(value: str) -> dt.datetime:
    """A datetime from a snapshot, as the UtcDateTime columns store it."""
    moment = dt.datetime.fromisoformat(value).astimezone(dt.UTC)
    return moment.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else moment


def _iso(value: object) -> object:
    """A stored timestamp as the snapshots held it (ISO-8601, UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    return value


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("agency_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("awaiting_receipt", sa.Boolean(), nullable=True))
        for name in ("request", "notification", "plan", "progress"):
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
    op.create_table(
        "project_visit",
        sa.Column("project_id", sa.String(64), primary_key=True),
        sa.Column("visit_id", sa.String(16), primary_key=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", TIMESTAMP, nullable=False),
        sa.Column("visit", sa.JSON(), nullable=False),
    )
    for row in bind.execute(sa.select(project.c.project_id, project.c.snapshot)).all():
        snapshot: dict[str, Any] = dict(row.snapshot)
        visits = snapshot.pop("visits", [])
        plan = snapshot.pop("plan", None)
        report = snapshot.get("report")
        if report is not None:
            report.setdefault("received_at", report["uploaded_at"])
        parts = {name: snapshot.pop(name) for name in _PROJECT_PARTS}
        notification = snapshot.pop("notification")
        snapshot["plan_submitted_at"] = plan.get("submitted_at") if plan else None
        bind.execute(
            project.update()
            .where(project.c.project_id == row.project_id)
            .values(
                agency_name=parts["agency_name"],
                awaiting_receipt=False,
                request=parts["request"],
                notification=notification,
                plan=plan,
                progress=snapshot,
            )
        )
        for number, item in enumerate(visits, start=1):
            bind.execute(
                visit.insert().values(
                    project_id=row.project_id,
                    visit_id=item["visit_id"],
                    number=number,
                    visited_on=dt.date.fromisoformat(item["visited_on"]),
                    recorded_at=_timestamp(item["recorded_at"]),
                    visit=item,
                )
            )
    with op.batch_alter_table("project") as batch:
        for name in ("agency_name", "awaiting_receipt", "request", "notification", "progress"):
            batch.alter_column(name, nullable=False)
        batch.drop_column("snapshot")
        batch.create_index("ix_project_awaiting_receipt", ["awaiting_receipt"])

    with op.batch_alter_table("hazard") as batch:
        batch.add_column(sa.Column("visit_id", sa.String(16), nullable=True))
        batch.add_column(sa.Column("enterprise_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("report", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("progress", sa.JSON(), nullable=True))
    for row in bind.execute(sa.select(hazard.c.hazard_id, hazard.c.snapshot)).all():
        snapshot = dict(row.snapshot)
        facts = {name: snapshot.pop(name) for name in _HAZARD_FACTS}
        bind.execute(
            hazard.update()
            .where(hazard.c.hazard_id == row.hazard_id)
            .values(
                visit_id=facts["visit_id"],
                enterprise_name=facts["enterprise_name"],
                report=facts["report"],
                progress=snapshot,
            )
        )
    with op.batch_alter_table("hazard") as batch:
        for name in ("visit_id", "enterprise_name", "report", "progress"):
            batch.alter_column(name, nullable=False)
        batch.drop_column("snapshot")

    with op.batch_alter_table("agency") as batch:
        for name in ("facts", "professional_ids", "progress"):
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
    for row in bind.execute(sa.select(agency.c.uscc, agency.c.snapshot)).all():
        snapshot = dict(row.snapshot)
        facts_, ids = snapshot.pop("facts"), snapshot.pop("professional_ids")
        bind.execute(
            agency.update()
            .where(agency.c.uscc == row.uscc)
            .values(facts=facts_, professional_ids=ids, progress=snapshot)
        )
    with op.batch_alter_table("agency") as batch:
        for name in ("facts", "professional_ids", "progress"):
            batch.alter_column(name, nullable=False)
        batch.drop_column("snapshot")


def downgrade() -> None:
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(sa.func.count()).select_from(project).where(project.c.awaiting_receipt)
    ).scalar_one()
    if waiting:
        # The first wave knows no report without a receipt: going back would lose the
        # fact that the platform has yet to take these, and nothing would hand them over.
        raise RuntimeError(
            f"{waiting} project(s) have a report the provincial platform has not yet taken; "
            "downgrade once the reconciliation has handed them over"
        )
    for table in ("project", "hazard", "agency"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("snapshot", sa.JSON(), nullable=True))

    for row in bind.execute(sa.select(agency)).all():
        snapshot = {**row.progress, "facts": row.facts, "professional_ids": row.professional_ids}
        bind.execute(agency.update().where(agency.c.uscc == row.uscc).values(snapshot=snapshot))
    with op.batch_alter_table("agency") as batch:
        for name in ("facts", "professional_ids", "progress"):
            batch.drop_column(name)
        batch.alter_column("snapshot", nullable=False)

    hazard_facts = sa.table(
        "hazard", *(sa.column(n) for n in _HAZARD_FACTS if n not in ("report",))
    )
    for row in bind.execute(sa.select(hazard)).all():
        facts = bind.execute(
            sa.select(hazard_facts).where(hazard_facts.c.hazard_id == row.hazard_id)
        ).one()
        snapshot = {
            **row.progress,
            **facts._mapping,
            "found_at": _iso(facts.found_at),
            "report": row.report,
        }
        bind.execute(
            hazard.update().where(hazard.c.hazard_id == row.hazard_id).values(snapshot=snapshot)
        )
    with op.batch_alter_table("hazard") as batch:
        for name in ("visit_id", "enterprise_name", "report", "progress"):
            batch.drop_column(name)
        batch.alter_column("snapshot", nullable=False)

    project_facts = sa.table("project", sa.column("agency_uscc"), sa.column("created_at"))
    for row in bind.execute(sa.select(project)).all():
        more = bind.execute(
            sa.select(project_facts).where(sa.column("project_id") == row.project_id)
        ).one()
        visits = bind.execute(
            sa.select(visit.c.visit)
            .where(visit.c.project_id == row.project_id)
            .order_by(visit.c.number)
        ).scalars()
        progress = dict(row.progress)
        progress.pop("plan_submitted_at", None)
        progress.pop("report_refused", None)
        progress.pop("handoff_failing", None)
        snapshot = {
            **progress,
            "project_id": row.project_id,
            "agency_uscc": more.agency_uscc,
            "agency_name": row.agency_name,
            "request": row.request,
            "created_at": _iso(more.created_at),
            "notification": row.notification,
            "plan": row.plan,
            "visits": list(visits),
        }
        bind.execute(
            project.update().where(project.c.project_id == row.project_id).values(snapshot=snapshot)
        )
    op.drop_table("project_visit")
    with op.batch_alter_table("project") as batch:
        batch.drop_index("ix_project_awaiting_receipt")
        for name in ("agency_name", "awaiting_receipt", "request", "notification", "plan", "progress"):
            batch.drop_column(name)
        batch.alter_column("snapshot", nullable=False)
