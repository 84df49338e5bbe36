"""Capability test sessions, their results and the public warnings they led to (R12)."""

import datetime as dt
from typing import Any

from sqlalchemy import Engine, UniqueConstraint
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.capability import ExamSession, PastResult, PublicWarning
from agencyflow.domain.records import CapabilityRecord

from . import inbox, timeline
from .engine import transaction
from .queries import page
from .rows import advance, insert_first
from .types import UtcDateTime


class CapabilitySessionRow(SQLModel, table=True):
    __tablename__ = "capability_session"

    session_id: str = Field(primary_key=True, max_length=40)
    workflow_id: str = Field(max_length=100)
    version: int
    held_on: dt.date
    level: str = Field(max_length=16)
    bank_edition: str = Field(max_length=50)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    opened_by: str = Field(max_length=200)
    opened_at: dt.datetime = Field(sa_type=UtcDateTime)
    closed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)

    def model(self) -> ExamSession:
        return ExamSession.model_validate(self, from_attributes=True)


class CapabilityResultRow(SQLModel, table=True):
    """One professional's result in one session; a person is known by agency and id."""

    __tablename__ = "capability_result"

    session_id: str = Field(primary_key=True, max_length=40)
    agency_uscc: str = Field(primary_key=True, max_length=18, index=True)
    professional_id: str = Field(primary_key=True, max_length=8)
    held_on: dt.date
    level: str = Field(max_length=16)
    score: float
    passed: bool
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime)

    def past(self) -> PastResult:
        return PastResult.model_validate(self, from_attributes=True)


class PublicWarningRow(SQLModel, table=True):
    """通报警示, public: an agency whose people failed a session."""

    __tablename__ = "public_warning"
    __table_args__ = (UniqueConstraint("agency_uscc", "session_id"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_uscc: str = Field(max_length=18, index=True)
    session_id: str = Field(max_length=40)
    failed: int
    issued_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)
    title: str = Field(max_length=500)


def record(engine: Engine, entry: CapabilityRecord) -> None:
    """Write a session's step, all or nothing; a repeated or late attempt writes nothing."""
    session_ = entry.session
    values: dict[str, Any] = {"closed_at": entry.closed_at}
    with transaction(engine) as session:
        took = advance(
            session, CapabilitySessionRow, {"session_id": session_.session_id}, entry.seq, values
        ) or insert_first(
            session,
            CapabilitySessionRow,
            {
                **values,
                "session_id": session_.session_id,
                "workflow_id": entry.workflow_id,
                "version": entry.seq,
                "held_on": session_.held_on,
                "level": session_.level.value,
                "bank_edition": session_.bank_edition,
                "county_code": session_.county_code,
                "opened_by": entry.opened_by,
                "opened_at": entry.opened_at,
            },
        )
        if not took:
            return
        for result in entry.results:
            session.add(
                CapabilityResultRow(
                    session_id=session_.session_id,
                    agency_uscc=result.agency_uscc,
                    professional_id=result.professional_id,
                    held_on=session_.held_on,
                    level=session_.level.value,
                    score=result.score,
                    passed=result.passed,
                    recorded_at=entry.recorded_at,
                )
            )
        for warning in entry.warnings:
            session.add(PublicWarningRow(**warning.model_dump()))
        for event in entry.events:
            timeline.append_in(session, event)
        inbox.apply(session, entry.inbox)


def get(
    engine: Engine, session_id: str
) -> tuple[CapabilitySessionRow, list[CapabilityResultRow]] | None:
    with transaction(engine) as session:
        row = session.get(CapabilitySessionRow, session_id)
        if row is None:
            return None
        results = session.exec(
            select(CapabilityResultRow)
            .where(CapabilityResultRow.session_id == session_id)
            .order_by(
                col(CapabilityResultRow.agency_uscc), col(CapabilityResultRow.professional_id)
            )
        ).all()
        return row, list(results)


def results_of(engine: Engine, agency_uscc: str) -> dict[str, list[PastResult]]:
    """Every result of the agency's people, by professional id."""
    with transaction(engine) as session:
        rows = session.exec(
            select(CapabilityResultRow).where(CapabilityResultRow.agency_uscc == agency_uscc)
        ).all()
    found: dict[str, list[PastResult]] = {}
    for row in rows:
        found.setdefault(row.professional_id, []).append(row.past())
    return found


def tested_of(engine: Engine, usccs: list[str]) -> dict[str, set[str]]:
    """The professional ids with at least one result, by agency."""
    with transaction(engine) as session:
        rows = session.exec(
            select(CapabilityResultRow.agency_uscc, CapabilityResultRow.professional_id)
            .where(col(CapabilityResultRow.agency_uscc).in_(usccs))
            .distinct()
        ).all()
    found: dict[str, set[str]] = {}
    for uscc, professional_id in rows:
        found.setdefault(uscc, set()).add(professional_id)
    return found


def warnings(engine: Engine, limit: int, offset: int) -> tuple[int, list[PublicWarning]]:
    """Public warnings, newest first."""
    query = select(PublicWarningRow)
    order = [col(PublicWarningRow.issued_at).desc(), col(PublicWarningRow.id).desc()]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, [PublicWarning.model_validate(row, from_attributes=True) for row in rows]
