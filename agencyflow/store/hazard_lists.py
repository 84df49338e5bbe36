"""Hazards counted and listed at size: every count is one SQL pass over the columns of the
rows in scope, and a list reads one page of rows off an index; no hazard is read into Python
to be counted."""

import datetime as dt
from typing import Any

from sqlalchemy import Engine, case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from agencyflow.domain.hazard import HazardLevel, HazardRecord, HazardStatus
from agencyflow.domain.hazard_rules import HazardCounts

from .engine import transaction
from .hazards import HazardRow
from .queries import where_given

Filters = tuple[tuple[Any, object], ...]


def listing(
    engine: Engine,
    now: dt.datetime,
    *,
    county_code: str | None = None,
    project_id: str | None = None,
    level: HazardLevel | None = None,
    status: HazardStatus | None = None,
    limit: int,
    offset: int,
) -> tuple[HazardCounts, list[HazardRecord]]:
    """The counts of every hazard matching the filters, and one page of them, newest first."""
    filters: Filters = (
        (HazardRow.county_code, county_code),
        (HazardRow.project_id, project_id),
        (HazardRow.level, level.value if level else None),
        (HazardRow.status, status.value if status else None),
    )
    with transaction(engine) as session:
        counted = _counts(session, filters, now)
        query = where_given(select(HazardRow), *filters).order_by(
            col(HazardRow.found_at).desc(), col(HazardRow.hazard_id).desc()
        )
        rows = session.exec(query.offset(offset).limit(limit)).all()
        return counted, [row.model() for row in rows]


def by_county(
    engine: Engine, now: dt.datetime, county_code: str | None
) -> dict[str, tuple[HazardCounts, int]]:
    """Per county (one, or all): its hazards' counts, and its open major hazards that no
    regulator has acknowledged yet."""
    progress: Any = col(HazardRow.progress)  # SQLAlchemy's JSON paths are untyped
    acknowledged = progress[("major", "acknowledged_at")].as_string()
    unacknowledged = (
        (HazardRow.level == HazardLevel.MAJOR.value) & _still_open() & acknowledged.is_(None)
    )
    county = col(HazardRow.county_code)
    query = where_given(
        sa_select(county, *_tallies(now), _tally(unacknowledged)).group_by(county),
        (county, county_code),
    )
    with transaction(engine) as session:
        return {
            code: (HazardCounts.tallied(*tallies), waiting)
            for code, *tallies, waiting in session.execute(query).all()
        }


def found_and_closed_since(
    engine: Engine, county_code: str | None, since: dt.datetime
) -> tuple[list[dt.datetime], list[dt.datetime]]:
    """When each hazard found since ``since`` was found, and when each closed since then was
    closed: for the trend by month."""
    in_county = (HazardRow.county_code, county_code)
    found = where_given(select(HazardRow.found_at), in_county).where(
        col(HazardRow.found_at) >= since
    )
    closed = where_given(select(HazardRow.closed_at), in_county).where(
        col(HazardRow.closed_at) >= since
    )
    with transaction(engine) as session:
        return list(session.exec(found).all()), [c for c in session.exec(closed).all() if c]


def _counts(session: Session, filters: Filters, now: dt.datetime) -> HazardCounts:
    query = where_given(sa_select(*_tallies(now)).select_from(HazardRow), *filters)
    return HazardCounts.tallied(*session.execute(query).one())


def _tallies(now: dt.datetime) -> list[Any]:
    """Found, rectified, overdue, long unrectified and major, as `hazard_rules.count` has
    them, in one pass over the rows."""
    overdue = (
        _still_open() & col(HazardRow.deadline).is_not(None) & (col(HazardRow.deadline) <= now)
    )
    return [
        func.count(),
        _tally(HazardRow.status == HazardStatus.CLOSED.value),
        _tally(overdue),
        _tally(_still_open() & (HazardRow.long_unrectified == True)),  # noqa: E712
        _tally(HazardRow.level == HazardLevel.MAJOR.value),
    ]


def _still_open() -> Any:
    return HazardRow.status != HazardStatus.CLOSED.value


def _tally(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
