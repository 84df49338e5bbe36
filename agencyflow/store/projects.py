"""The projects' read model: one row per project, one per visit; 一企一档 by query."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, Index, false, func, text, true
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.project import (
    ProjectHead,
    ProjectProgress,
    ProjectSnapshot,
    ProjectStage,
    Visit,
)
from agencyflow.domain.records import ProjectRecord

from . import effects, files, hazards
from .engine import transaction
from .queries import by_month, page, where_given
from .rows import advance, insert_first
from .types import UtcDateTime


class ProjectRow(SQLModel, table=True):
    __tablename__ = "project"
    __table_args__ = (
        # One per list scope, each ending in the list's order (newest first), so a page is
        # read off the index without sorting the scope.
        Index("ix_project_created", "created_at", "project_id"),
        *(
            Index(f"ix_project_{scope}_created", scope, "created_at", "project_id")
            for scope in ("county_code", "agency_uscc", "enterprise_uscc", "stage")
        ),
        # Few projects are overdue or awaiting a receipt: only those are indexed. SQLite uses
        # a partial index only for a query that repeats its condition, hence `= 1` there and
        # the literal `true()` in the queries.
        Index(
            "ix_project_overdue_created",
            "created_at",
            "project_id",
            sqlite_where=text("overdue = 1"),
            postgresql_where=text("overdue"),
        ),
        Index(
            "ix_project_awaiting_receipt",
            "project_id",
            sqlite_where=text("awaiting_receipt = 1"),
            postgresql_where=text("awaiting_receipt"),
        ),
    )

    project_id: str = Field(primary_key=True, max_length=64)
    workflow_id: str = Field(max_length=100)
    version: int
    """The sequence number of the last step this row took."""
    agency_uscc: str = Field(max_length=18)
    agency_name: str = Field(max_length=200)
    enterprise_uscc: str = Field(max_length=18)
    county_code: str = Field(max_length=6)
    service_type: str = Field(max_length=64)
    contract_number: str = Field(max_length=64)
    stage: str = Field(max_length=32)
    overdue: bool
    """``ProjectProgress.report_overdue``: the report is past its deadline and still missing."""
    awaiting_receipt: bool
    """A report is uploaded and the provincial platform has not yet sent its receipt."""
    report_due_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    request: dict[str, Any] = Field(sa_type=JSON)
    notification: dict[str, Any] = Field(sa_type=JSON)
    plan: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    progress: dict[str, Any] = Field(sa_type=JSON)

    def head(self) -> ProjectHead:
        return ProjectHead.model_validate(
            {
                **self.progress,
                "project_id": self.project_id,
                "agency_uscc": self.agency_uscc,
                "agency_name": self.agency_name,
                "request": self.request,
                "created_at": self.created_at,
            }
        )


class VisitRow(SQLModel, table=True):
    """One service visit; a project's visits are never rewritten, only added."""

    __tablename__ = "project_visit"

    project_id: str = Field(primary_key=True, max_length=64)
    visit_id: str = Field(primary_key=True, max_length=16)
    number: int
    visited_on: dt.date
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime)
    visit: dict[str, Any] = Field(sa_type=JSON)


def _progress_columns(progress: ProjectProgress) -> dict[str, Any]:
    return {
        "stage": progress.stage.value,
        "overdue": progress.report_overdue,
        "awaiting_receipt": progress.report is not None and progress.report.awaiting_receipt,
        "report_due_at": progress.report_due_at,
        "updated_at": progress.updated_at,
        "closed_at": progress.closed_at,
        "progress": progress.model_dump(mode="json"),
    }


def record(engine: Engine, entry: ProjectRecord) -> None:
    """Write a project step: its rows, timeline entry, inbox and credit changes, all or nothing."""
    with transaction(engine) as session:
        if not _take(session, entry):
            return  # a repeated or late attempt of a step already written
        if entry.visit is not None:
            _add_visit(session, entry.project_id, entry.visit)
        hazards.record_found(session, entry.found, entry.found_entries)
        if entry.progress.report is not None:  # the report's PDF, from its upload on
            resource = f"projects/{entry.project_id}"
            files.use_in(session, resource, [entry.progress.report.file.sha256])
        effects.follow_in(session, entry.event, entry.inbox, entry.credit_events)


def _take(session: Session, entry: ProjectRecord) -> bool:
    values = _progress_columns(entry.progress)
    if entry.request is not None:
        values["request"] = entry.request.model_dump(mode="json")
    if entry.notification is not None:
        values["notification"] = entry.notification.model_dump(mode="json")
    if entry.plan is not None:
        values["plan"] = entry.plan.model_dump(mode="json")
    if entry.opening is None:
        return advance(session, ProjectRow, {"project_id": entry.project_id}, entry.seq, values)
    request, opening = entry.request, entry.opening
    assert request is not None, "a project's first step records its contract"
    return insert_first(
        session,
        ProjectRow,
        {
            **values,
            "project_id": entry.project_id,
            "workflow_id": entry.workflow_id,
            "version": entry.seq,
            "agency_uscc": opening.agency_uscc,
            "agency_name": opening.agency_name,
            "enterprise_uscc": request.enterprise.uscc,
            "county_code": request.enterprise.county_code,
            "service_type": request.service_type.value,
            "contract_number": request.contract.number,
            "created_at": opening.created_at,
        },
    )


def _add_visit(session: Session, project_id: str, visit: Visit) -> None:
    insert_first(
        session,
        VisitRow,
        {
            "project_id": project_id,
            "visit_id": visit.visit_id,
            "number": int(visit.visit_id.removeprefix("v")),
            "visited_on": visit.visited_on,
            "recorded_at": visit.recorded_at,
            "visit": visit.model_dump(mode="json"),
        },
    )


def head(engine: Engine, project_id: str) -> ProjectHead | None:
    """The project's contract and progress, without its visits: enough for scope checks."""
    with transaction(engine) as session:
        row = session.get(ProjectRow, project_id)
        return row.head() if row else None


def get(engine: Engine, project_id: str) -> ProjectSnapshot | None:
    """Everything recorded of the project."""
    # Plain rows, validated once into the snapshot: this is read for every answer.
    project, visits = ProjectRow.__table__, VisitRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        row = connection.execute(project.select().where(project.c.project_id == project_id)).first()
        if row is None:
            return None
        recorded = connection.execute(
            select(visits.c.visit)
            .where(visits.c.project_id == project_id)
            .order_by(visits.c.number)
        ).scalars()
        return ProjectSnapshot.model_validate(
            {
                **row.progress,
                "project_id": row.project_id,
                "agency_uscc": row.agency_uscc,
                "agency_name": row.agency_name,
                "request": row.request,
                "created_at": row.created_at,
                "notification": row.notification,
                "plan": row.plan,
                "visits": list(recorded),
            }
        )


def search(
    engine: Engine,
    *,
    county_code: str | None = None,
    agency_uscc: str | None = None,
    enterprise_uscc: str | None = None,
    stage: ProjectStage | None = None,
    overdue: bool | None = None,
    limit: int,
    offset: int,
) -> tuple[int, list[ProjectHead]]:
    """Projects matching every given filter, newest first, with the total before paging."""
    query = where_given(
        select(ProjectRow),
        (ProjectRow.county_code, county_code),
        (ProjectRow.agency_uscc, agency_uscc),
        (ProjectRow.enterprise_uscc, enterprise_uscc),
        (ProjectRow.stage, stage.value if stage is not None else None),
    )
    if overdue is not None:
        query = query.where(col(ProjectRow.overdue) == (true() if overdue else false()))
    newest_first = [col(ProjectRow.created_at).desc(), col(ProjectRow.project_id).desc()]
    with transaction(engine) as session:
        total, rows = page(session, query, newest_first, offset, limit)
        return total, [row.head() for row in rows]


def awaiting_receipt(engine: Engine, *, after: str, limit: int) -> list[str]:
    """Ids of projects whose uploaded report has no platform receipt yet, in id order."""
    with transaction(engine) as session:
        return list(
            session.exec(
                select(ProjectRow.project_id)
                .where(col(ProjectRow.awaiting_receipt) == true(), ProjectRow.project_id > after)
                .order_by(col(ProjectRow.project_id))
                .limit(limit)
            ).all()
        )


def count_awaiting_receipt(engine: Engine) -> int:
    """Uploaded reports the platform has not yet given a receipt for."""
    query = select(func.count()).where(col(ProjectRow.awaiting_receipt) == true())
    with transaction(engine) as session:
        return session.exec(query).one()


class CountyProjects(SQLModel):
    county_code: str
    open: int
    overdue: int


def county_counts(engine: Engine, county_code: str | None) -> list[CountyProjects]:
    """Open and overdue projects per county (one county, or all)."""
    is_open = col(ProjectRow.closed_at).is_(None)
    query = (
        select(
            ProjectRow.county_code,
            func.count().filter(is_open),
            func.count().filter(is_open, col(ProjectRow.overdue)),
        )
        .group_by(col(ProjectRow.county_code))
        .order_by(col(ProjectRow.county_code))
    )
    if county_code is not None:
        query = query.where(ProjectRow.county_code == county_code)
    with transaction(engine) as session:
        return [
            CountyProjects(county_code=code, open=opened, overdue=late)
            for code, opened, late in session.exec(query).all()
        ]


def started_by_month(engine: Engine, county_code: str | None, since: dt.datetime) -> dict[str, int]:
    """Per China-time month since ``since``: projects filed."""
    with transaction(engine) as session:
        return by_month(
            session,
            col(ProjectRow.created_at),
            since,
            (ProjectRow.county_code, county_code),
        )


def works_in(engine: Engine, agency_uscc: str, county_code: str) -> bool:
    """Whether the agency has (or had) a project for an enterprise in the county."""
    with transaction(engine) as session:
        found = session.exec(
            select(ProjectRow.project_id)
            .where(ProjectRow.agency_uscc == agency_uscc, ProjectRow.county_code == county_code)
            .limit(1)
        ).first()
        return found is not None
