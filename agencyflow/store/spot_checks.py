"""Spot checks as the read model keeps them: one row per checked report, its timeline, and
each county's coverage of a half year's sample (drawn, decided, overdue)."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, func
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.records import SpotCheckRecord
from agencyflow.domain.spot_checks import SpotCheckProgress, SpotCheckSubject

from . import effects
from .engine import transaction
from .queries import page, where_given
from .rows import advance, insert_first
from .types import UtcDateTime


class SpotCheckRow(SQLModel, table=True):
    __tablename__ = "spot_check"

    project_id: str = Field(primary_key=True, max_length=64)
    workflow_id: str = Field(max_length=100)
    version: int
    county_code: str = Field(max_length=6, index=True)
    agency_uscc: str = Field(max_length=18, index=True)
    origin: str = Field(max_length=16)
    period: str | None = Field(default=None, max_length=6, index=True)
    due_at: dt.datetime = Field(sa_type=UtcDateTime)
    opened_at: dt.datetime = Field(sa_type=UtcDateTime)
    decided: bool = False
    overdue: bool = False
    subject: dict[str, Any] = Field(sa_type=JSON)
    progress: dict[str, Any] = Field(sa_type=JSON)


class SpotCheckView(SQLModel):
    subject: SpotCheckSubject
    progress: SpotCheckProgress


class Coverage(SQLModel):
    county_code: str
    period: str
    drawn: int
    decided: int
    overdue: int


def record(engine: Engine, entry: SpotCheckRecord) -> None:
    """Write a check's step, all or nothing; a repeated or late attempt writes nothing."""
    subject, progress = entry.subject, entry.progress
    values: dict[str, Any] = {
        "decided": progress.verdict is not None,
        "overdue": progress.overdue,
        "progress": progress.model_dump(mode="json"),
    }
    with transaction(engine) as session:
        took = advance(
            session, SpotCheckRow, {"project_id": subject.project_id}, entry.seq, values
        ) or insert_first(
            session,
            SpotCheckRow,
            {
                **values,
                "project_id": subject.project_id,
                "workflow_id": entry.workflow_id,
                "version": entry.seq,
                "county_code": subject.county_code,
                "agency_uscc": subject.agency_uscc,
                "origin": subject.origin.value,
                "period": subject.period,
                "due_at": subject.due_at,
                "opened_at": progress.opened_at,
                "subject": subject.model_dump(mode="json"),
            },
        )
        if not took:
            return
        effects.follow_in(session, entry.event, entry.inbox, entry.credit_events)


def get(engine: Engine, project_id: str) -> SpotCheckView | None:
    with transaction(engine) as session:
        row = session.get(SpotCheckRow, project_id)
        return _view(row) if row is not None else None


def search(
    engine: Engine, *, county_code: str | None, period: str | None, limit: int, offset: int
) -> tuple[int, list[SpotCheckView]]:
    """Checks in the county and half year given, the undecided first, then by due date."""
    query = where_given(
        select(SpotCheckRow),
        (SpotCheckRow.county_code, county_code),
        (SpotCheckRow.period, period),
    )
    order = [col(SpotCheckRow.decided), col(SpotCheckRow.due_at), col(SpotCheckRow.project_id)]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, [_view(row) for row in rows]


def coverage(engine: Engine, *, county_code: str | None, period: str) -> list[Coverage]:
    """Per county, the half year's sampled checks: drawn, decided, overdue."""
    query = (
        select(
            SpotCheckRow.county_code,
            func.count(),
            func.count().filter(col(SpotCheckRow.decided)),
            func.count().filter(col(SpotCheckRow.overdue), ~col(SpotCheckRow.decided)),
        )
        .where(SpotCheckRow.period == period)
        .group_by(col(SpotCheckRow.county_code))
        .order_by(col(SpotCheckRow.county_code))
    )
    if county_code is not None:
        query = query.where(SpotCheckRow.county_code == county_code)
    with transaction(engine) as session:
        return [
            Coverage(county_code=c, period=period, drawn=n, decided=d, overdue=o)
            for c, n, d, o in session.exec(query).all()
        ]


def _view(row: SpotCheckRow) -> SpotCheckView:
    return SpotCheckView(
        subject=SpotCheckSubject.model_validate(row.subject),
        progress=SpotCheckProgress.model_validate(row.progress),
    )
