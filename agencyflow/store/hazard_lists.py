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
from .queries import by_month, where_given

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
    county: Any = col(HazardRow.county_code)  # untyped as in `_tallies`: any select of it
    tallies = where_given(sa_select(county, *_tallies(now)).group_by(county), (county, county_code))
    # Apart from the tallies, which read only their index: whether a major hazard was
    # acknowledged is in its progress, and reading that for every hazard reads every row.
    progress: Any = col(HazardRow.progress)  # SQLAlchemy's JSON paths are untyped
    waiting = where_given(
        sa_select(county, func.count())
        .where(col(HazardRow.level) == HazardLevel.MAJOR.value, _still_open())
        .where(progress[("major", "acknowledged_at")].as_string().is_(None))
        .group_by(county),
        (county, county_code),
    )
    with transaction(engine) as session:
        unacknowledged: dict[str, int] = dict(session.execute(waiting).all())
        return {
            code: (HazardCounts.tallied(*counted), unacknowledged.get(code, 0))
            for code, *counted in session.execute(tallies).all()
        }


def found_and_closed_by_month(
    engine: Engine, county_code: str | None, since: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Per China-time month since ``since``: hazards found, and hazards closed (rectified)."""
    in_county = (HazardRow.county_code, county_code)
    with transaction(engine) as session:
        return (
            by_month(session, col(HazardRow.found_at), since, in_county),
            by_month(session, col(HazardRow.closed_at), since, in_county),
        )


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
