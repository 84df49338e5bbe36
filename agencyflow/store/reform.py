"""The county's reform programme as the read model keeps it: one row per county and year
(its service-type list), one row per task (the task list, the responsibility list and the
close-out list are three views of these rows), and the timeline."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.records import ReformRecord
from agencyflow.domain.reform import ReformTask, ServiceTypeList, TaskStatus
from agencyflow.domain.service_types import ServiceType

from . import effects, files
from .engine import transaction
from .queries import page, where_given
from .rows import advance, insert_first
from .types import UtcDateTime


class ReformProgrammeRow(SQLModel, table=True):
    __tablename__ = "reform_programme"

    county_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    workflow_id: str = Field(max_length=100)
    version: int
    opened_at: dt.datetime = Field(sa_type=UtcDateTime)
    finished: bool = False
    types: dict[str, Any] = Field(sa_type=JSON)


class ReformTaskRow(SQLModel, table=True):
    __tablename__ = "reform_task"

    county_code: str = Field(primary_key=True, max_length=6)
    year: int = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=32)
    version: int
    due_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)
    status: str = Field(max_length=16)
    overdue: bool = False
    task: dict[str, Any] = Field(sa_type=JSON)


class ReformTaskView(SQLModel):
    county_code: str
    year: int
    task: ReformTask


class ReformProgrammeView(SQLModel):
    county_code: str
    year: int
    opened_at: dt.datetime
    finished: bool
    types: ServiceTypeList
    tasks: list[ReformTask]


def record(engine: Engine, entry: ReformRecord) -> None:
    """Write a programme's step, all or nothing; a repeated or late attempt writes nothing."""
    key = {"county_code": entry.county_code, "year": entry.year}
    head: dict[str, Any] = {"finished": entry.finished}
    if entry.types is not None:
        head["types"] = entry.types.model_dump(mode="json")
    resource = entry.event.resource
    with transaction(engine) as session:
        took = advance(session, ReformProgrammeRow, key, entry.seq, head) or insert_first(
            session,
            ReformProgrammeRow,
            {
                **key,
                "types": ServiceTypeList().model_dump(mode="json"),
                **head,
                "workflow_id": entry.workflow_id,
                "version": entry.seq,
                "opened_at": entry.opened_at,
            },
        )
        if not took:
            return
        for task in entry.tasks:
            values = {
                "due_at": task.due_at,
                "status": task.status.value,
                "overdue": task.overdue,
                "task": task.model_dump(mode="json"),
            }
            row_key = {**key, "key": task.key}
            if not advance(session, ReformTaskRow, row_key, entry.seq, values):
                insert_first(session, ReformTaskRow, {**row_key, "version": entry.seq, **values})
            if task.evidence is not None:
                files.use_in(session, resource, task.evidence.files)
        effects.follow_in(session, entry.event, entry.inbox)


def get(engine: Engine, county_code: str, year: int) -> ReformProgrammeView | None:
    with transaction(engine) as session:
        row = session.get(ReformProgrammeRow, (county_code, year))
        if row is None:
            return None
        tasks = session.exec(
            select(ReformTaskRow)
            .where(ReformTaskRow.county_code == county_code, ReformTaskRow.year == year)
            .order_by(col(ReformTaskRow.due_at), col(ReformTaskRow.key))
        ).all()
        return ReformProgrammeView(
            county_code=row.county_code,
            year=row.year,
            opened_at=row.opened_at,
            finished=row.finished,
            types=ServiceTypeList.model_validate(row.types),
            tasks=[ReformTask.model_validate(t.task) for t in tasks],
        )


def years_of(engine: Engine, county_code: str | None) -> list[tuple[str, int]]:
    """The programmes on record (county, year), the latest year first."""
    query = select(ReformProgrammeRow.county_code, ReformProgrammeRow.year)
    if county_code is not None:
        query = query.where(ReformProgrammeRow.county_code == county_code)
    query = query.order_by(col(ReformProgrammeRow.year).desc(), col(ReformProgrammeRow.county_code))
    with transaction(engine) as session:
        return [(c, y) for c, y in session.exec(query).all()]


def adopted_guidelines(
    engine: Engine, county_code: str, service_type: ServiceType
) -> set[str] | None:
    """The guideline codes the county's latest programme adopted for the service type; None
    when it has adopted none for it (then a project may name any guideline, or none)."""
    with transaction(engine) as session:
        row = session.exec(
            select(ReformProgrammeRow)
            .where(ReformProgrammeRow.county_code == county_code)
            .order_by(col(ReformProgrammeRow.year).desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return ServiceTypeList.model_validate(row.types).adopted_for(service_type) or None


def search_tasks(
    engine: Engine,
    *,
    county_code: str | None,
    year: int | None,
    overdue: bool | None,
    status: TaskStatus | None,
    limit: int,
    offset: int,
) -> tuple[int, list[ReformTaskView]]:
    """Tasks across programmes, by due date: the city's view of every county's lists."""
    query = where_given(
        select(ReformTaskRow),
        (ReformTaskRow.county_code, county_code),
        (ReformTaskRow.year, year),
        (ReformTaskRow.status, status.value if status is not None else None),
    )
    # Overdue: late and not closed out, what the city chases; a task closed late was late.
    late = col(ReformTaskRow.overdue) & (ReformTaskRow.status != TaskStatus.CLOSED.value)
    if overdue is not None:
        query = query.where(late if overdue else ~late)
    order = [col(ReformTaskRow.due_at), col(ReformTaskRow.county_code), col(ReformTaskRow.key)]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, [
            ReformTaskView(
                county_code=r.county_code,
                year=r.year,
                task=ReformTask.model_validate(r.task),
            )
            for r in rows
        ]
