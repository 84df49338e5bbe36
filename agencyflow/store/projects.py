"""The projects' read model: one row per project, the enterprise file (一企一档) by query."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, func
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.project import ProjectSnapshot, ProjectStage
from agencyflow.domain.records import ProjectRecord

from . import credit, hazards, inbox, timeline
from .engine import transaction
from .types import UtcDateTime


class ProjectRow(SQLModel, table=True):
    __tablename__ = "project"

    project_id: str = Field(primary_key=True, max_length=64)
    workflow_id: str = Field(max_length=100)
    version: int
    agency_uscc: str = Field(max_length=18, index=True)
    enterprise_uscc: str = Field(max_length=18, index=True)
    county_code: str = Field(max_length=6, index=True)
    service_type: str = Field(max_length=64)
    contract_number: str = Field(max_length=64)
    stage: str = Field(max_length=32, index=True)
    overdue: bool = Field(index=True)
    report_due_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    snapshot: dict[str, Any] = Field(sa_type=JSON)

    def model(self) -> ProjectSnapshot:
        return ProjectSnapshot.model_validate(self.snapshot)


def record(engine: Engine, entry: ProjectRecord) -> None:
    """Write a project step: snapshot, timeline, inbox and credit events, all or nothing."""
    with transaction(engine) as session:
        row = session.get(ProjectRow, entry.snapshot.project_id)
        if row is not None and row.version >= entry.seq:
            # A late or repeated attempt of a step already recorded: writing its inbox
            # changes again could reopen what a later step withdrew.
            return
        _upsert(session, entry.workflow_id, entry.seq, entry.snapshot)
        if entry.event is not None:
            timeline.append_in(session, entry.event)
        inbox.apply(session, entry.inbox)
        for event in entry.credit_events:
            credit.append_in(session, event)
        hazards.record_in(session, entry.hazards, entry.hazard_entries)


def _upsert(session: Session, workflow_id: str, seq: int, snapshot: ProjectSnapshot) -> None:
    row = session.get(ProjectRow, snapshot.project_id)
    values: dict[str, Any] = {
        "workflow_id": workflow_id,
        "version": seq,
        "agency_uscc": snapshot.agency_uscc,
        "enterprise_uscc": snapshot.enterprise_uscc,
        "county_code": snapshot.county_code,
        "service_type": snapshot.request.service_type.value,
        "contract_number": snapshot.request.contract.number,
        "stage": snapshot.stage.value,
        "overdue": snapshot.overdue,
        "report_due_at": snapshot.report_due_at,
        "created_at": snapshot.created_at,
        "updated_at": snapshot.updated_at,
        "closed_at": snapshot.closed_at,
        "snapshot": snapshot.model_dump(mode="json"),
    }
    if row is None:
        session.add(ProjectRow(project_id=snapshot.project_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


def get(engine: Engine, project_id: str) -> ProjectSnapshot | None:
    with transaction(engine) as session:
        row = session.get(ProjectRow, project_id)
        return row.model() if row else None


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
) -> tuple[int, list[ProjectSnapshot]]:
    """Projects matching every given filter, newest first, with the total before paging."""
    query = select(ProjectRow)
    if county_code is not None:
        query = query.where(ProjectRow.county_code == county_code)
    if agency_uscc is not None:
        query = query.where(ProjectRow.agency_uscc == agency_uscc)
    if enterprise_uscc is not None:
        query = query.where(ProjectRow.enterprise_uscc == enterprise_uscc)
    if stage is not None:
        query = query.where(ProjectRow.stage == stage.value)
    if overdue is not None:
        query = query.where(ProjectRow.overdue == overdue)
    with transaction(engine) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(ProjectRow.created_at).desc(), col(ProjectRow.project_id))
            .offset(offset)
            .limit(limit)
        ).all()
        return total, [row.model() for row in rows]
