"""The agencies' read model, and the registry of full-time professionals across agencies."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Engine, func
from sqlmodel import Field, Session, SQLModel, col, delete, select

from agencyflow.domain.agency import (
    AgencySnapshot,
    AgencyStatus,
    ClaimConflict,
    FullTimeClaims,
)
from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.records import AgencyRecord, RecordOutcome

from . import credit, files, inbox, timeline
from .engine import transaction
from .projects import ProjectRow
from .queries import page, where_given
from .rows import advance, insert_first
from .types import UtcDateTime, utcnow


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    uscc: str = Field(primary_key=True, max_length=18)
    workflow_id: str = Field(max_length=100)
    version: int
    """The sequence number of the last step this row took; older steps never overwrite it."""
    legal_name: str = Field(max_length=200, index=True)
    status: str = Field(max_length=32, index=True)
    jurisdiction_code: str | None = Field(default=None, max_length=6, index=True)
    out_of_town: bool
    submitted_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    facts: dict[str, Any] = Field(sa_type=JSON)
    professional_ids: dict[str, str] = Field(sa_type=JSON)
    progress: dict[str, Any] = Field(sa_type=JSON)
    credit_score: int | None = None
    """The agency workflow's score (R8); None until a credit event touches it: the initial."""
    credit_grade: str | None = Field(default=None, max_length=1, index=True)
    listed_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime, index=True)
    """The end of its term on the seriously-untrustworthy list, while it is listed."""
    last_verified_on: dt.date | None = Field(default=None, index=True)
    """Its last on-site verification (R9), for the list of those due."""

    def model(self) -> AgencySnapshot:
        return AgencySnapshot.model_validate(
            {**self.progress, "facts": self.facts, "professional_ids": self.professional_ids}
        )


class AgencyServiceTypeRow(SQLModel, table=True):
    """One row per service type an agency applied for, so lists can filter on it."""

    __tablename__ = "agency_service_type"

    agency_uscc: str = Field(primary_key=True, foreign_key="agency.uscc", max_length=18)
    service_type: str = Field(primary_key=True, max_length=64, index=True)


class FullTimeClaimRow(SQLModel, table=True):
    """Who is full-time where: a person may be full-time at only one agency (R14 挂靠)."""

    __tablename__ = "full_time_claim"

    id_number: str = Field(primary_key=True, max_length=18)
    agency_uscc: str = Field(max_length=18, index=True)
    legal_name: str = Field(max_length=200)
    jurisdiction_code: str | None = Field(default=None, max_length=6)
    claimed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


@dataclass(frozen=True)
class Grades:
    """Filtering and sorting by credit grade (R8, 差异化监管)."""

    initial: CreditGrade
    """The grade of an agency no event has touched: the policy's initial score's."""
    only: tuple[CreditGrade, ...] | None = None
    by_grade: bool = False
    """A before B before C before D, each by name."""


class _Refused(Exception):
    def __init__(self, conflicts: list[ClaimConflict]) -> None:
        self.conflicts = conflicts


def record(engine: Engine, entry: AgencyRecord) -> RecordOutcome:
    """Write an agency's step: its row, claims, timeline entry and inbox, all or nothing.

    When a person the step claims as full-time is full-time at another agency, nothing
    is written and the conflicts are returned.
    """
    try:
        with transaction(engine) as session:
            if not _take(session, entry):
                return RecordOutcome()  # a repeated or late attempt of a step already written
            if entry.claims is not None:
                conflicts = claim_in(session, entry.claims)
                if conflicts:
                    raise _Refused(conflicts)  # rolls the row back with it
            for event in entry.events:
                timeline.append_in(session, event)
            inbox.apply(session, entry.inbox)
            for credit_event in entry.credit_events:
                credit.append_in(session, credit_event)
            for source in entry.revoked:
                credit.revoke_in(session, source, entry.progress.updated_at)
            files.use_in(session, f"agencies/{entry.progress.uscc}", entry.files)
            return RecordOutcome()
    except _Refused as refused:
        return RecordOutcome(conflicts=refused.conflicts)


def _take(session: Session, entry: AgencyRecord) -> bool:
    progress, facts = entry.progress, entry.facts
    values: dict[str, Any] = {
        "status": progress.status.value,
        "jurisdiction_code": progress.jurisdiction_code,
        "submitted_at": progress.submitted_at,
        "updated_at": progress.updated_at,
        "progress": progress.model_dump(mode="json"),
        "credit_score": progress.credit_score,
        "credit_grade": progress.credit_grade.value if progress.credit_grade else None,
        "listed_until": progress.listing.ends_at if progress.listing else None,
        "last_verified_on": progress.last_verified_on,
    }
    if entry.professional_ids is not None:
        values["professional_ids"] = entry.professional_ids
    if facts is not None:
        values |= {
            "legal_name": facts.legal_name,
            "out_of_town": facts.out_of_town,
            "facts": facts.model_dump(mode="json"),
        }
    key = {"uscc": progress.uscc}
    exists = session.exec(select(AgencyRow.uscc).where(AgencyRow.uscc == progress.uscc)).first()
    if exists is None:
        assert facts is not None, "an agency's first step records its facts"
        took = insert_first(
            session,
            AgencyRow,
            {**values, **key, "workflow_id": entry.workflow_id, "version": entry.seq},
        )
    else:
        took = advance(session, AgencyRow, key, entry.seq, values)
    if took and facts is not None:
        session.execute(
            delete(AgencyServiceTypeRow).where(
                col(AgencyServiceTypeRow.agency_uscc) == progress.uscc
            )
        )
        for service_type in facts.service_types:
            session.add(
                AgencyServiceTypeRow(agency_uscc=progress.uscc, service_type=service_type.value)
            )
    return took


def claim_in(session: Session, claims: FullTimeClaims) -> list[ClaimConflict]:
    """Make these the agency's full-time people, unless another agency holds any of them.

    All or nothing: with a conflict nothing changes and the conflicts are returned. Two
    agencies claiming one person at once cannot both win: the primary key decides, and
    the loser's retry then sees the conflict.
    """
    held = session.exec(
        select(FullTimeClaimRow).where(
            col(FullTimeClaimRow.id_number).in_(claims.id_numbers),
            FullTimeClaimRow.agency_uscc != claims.uscc,
        )
    ).all()
    if held:
        return [
            ClaimConflict(
                id_number=row.id_number,
                other_uscc=row.agency_uscc,
                other_legal_name=row.legal_name,
                other_jurisdiction_code=row.jurisdiction_code,
            )
            for row in held
        ]
    session.execute(
        delete(FullTimeClaimRow).where(
            col(FullTimeClaimRow.agency_uscc) == claims.uscc,
            col(FullTimeClaimRow.id_number).not_in(claims.id_numbers),
        )
    )
    mine = set(
        session.exec(
            select(FullTimeClaimRow.id_number).where(FullTimeClaimRow.agency_uscc == claims.uscc)
        ).all()
    )
    for id_number in claims.id_numbers:
        if id_number not in mine:
            session.add(
                FullTimeClaimRow(
                    id_number=id_number,
                    agency_uscc=claims.uscc,
                    legal_name=claims.legal_name,
                    jurisdiction_code=claims.jurisdiction_code,
                )
            )
    return []


def get(engine: Engine, uscc: str) -> AgencySnapshot | None:
    with transaction(engine) as session:
        row = session.get(AgencyRow, uscc)
        return row.model() if row else None


def search(
    engine: Engine,
    *,
    jurisdiction_code: str | None = None,
    working_in: str | None = None,
    status: AgencyStatus | None = None,
    service_type: str | None = None,
    out_of_town: bool | None = None,
    statuses: tuple[AgencyStatus, ...] | None = None,
    grades: Grades | None = None,
    listed_at: dt.datetime | None = None,
    limit: int,
    offset: int,
) -> tuple[int, list[AgencySnapshot]]:
    """Agencies matching every given filter, by name (or by grade, then name, when
    ``grades.by_grade``); with the total before paging. ``listed_at``: only those on the
    seriously-untrustworthy list at that moment. ``working_in``: those under that county or
    serving an enterprise there (an out-of-town agency is seen by every county it works in)."""
    query = where_given(
        select(AgencyRow),
        (AgencyRow.jurisdiction_code, jurisdiction_code),
        (AgencyRow.status, status.value if status is not None else None),
        (AgencyRow.out_of_town, out_of_town),
    )
    if working_in is not None:
        query = query.where(
            (col(AgencyRow.jurisdiction_code) == working_in)
            | col(AgencyRow.uscc).in_(
                select(ProjectRow.agency_uscc).where(ProjectRow.county_code == working_in)
            )
        )
    if statuses is not None:
        query = query.where(col(AgencyRow.status).in_([s.value for s in statuses]))
    if service_type is not None:
        query = query.where(
            col(AgencyRow.uscc).in_(
                select(AgencyServiceTypeRow.agency_uscc).where(
                    AgencyServiceTypeRow.service_type == service_type
                )
            )
        )
    if listed_at is not None:
        query = query.where(col(AgencyRow.listed_until) > listed_at)
    order: list[Any] = [col(AgencyRow.legal_name), col(AgencyRow.uscc)]
    if grades is not None:
        # No credit event yet: the initial grade, which the workflow has not had to write.
        grade = func.coalesce(col(AgencyRow.credit_grade), grades.initial.value)
        if grades.only is not None:
            query = query.where(grade.in_([g.value for g in grades.only]))
        if grades.by_grade:
            order = [grade, *order]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, [row.model() for row in rows]


def get_many(engine: Engine, usccs: list[str]) -> dict[str, AgencySnapshot]:
    with transaction(engine) as session:
        rows = session.exec(select(AgencyRow).where(col(AgencyRow.uscc).in_(usccs))).all()
        return {row.uscc: row.model() for row in rows}


def professional_ids_in(
    engine: Engine, jurisdiction_code: str | None, statuses: tuple[AgencyStatus, ...]
) -> dict[str, list[str]]:
    """Each agency's people (their ids) in the county, or the city: the totals of a county,
    read without the agencies' facts."""
    query = select(AgencyRow.uscc, AgencyRow.professional_ids).where(
        col(AgencyRow.status).in_([s.value for s in statuses])
    )
    if jurisdiction_code is not None:
        query = query.where(AgencyRow.jurisdiction_code == jurisdiction_code)
    with transaction(engine) as session:
        return {uscc: list(ids.values()) for uscc, ids in session.exec(query).all()}


class VerificationDue(SQLModel):
    uscc: str
    legal_name: str
    status: AgencyStatus
    jurisdiction_code: str | None
    last_verified_on: dt.date | None


def verification_due(
    engine: Engine, *, working_in: str | None, before: dt.date, limit: int, offset: int
) -> tuple[int, list[VerificationDue]]:
    """Admitted agencies (working in the county, if given) not verified on site since
    ``before``: never verified first, then the longest ago."""
    query = select(AgencyRow).where(
        col(AgencyRow.status).in_([s.value for s in AgencyStatus if s.is_admitted]),
        col(AgencyRow.last_verified_on).is_(None) | (col(AgencyRow.last_verified_on) < before),
    )
    if working_in is not None:
        query = query.where(
            (col(AgencyRow.jurisdiction_code) == working_in)
            | col(AgencyRow.uscc).in_(
                select(ProjectRow.agency_uscc).where(ProjectRow.county_code == working_in)
            )
        )
    order = [
        col(AgencyRow.last_verified_on).is_not(None),
        col(AgencyRow.last_verified_on),
        col(AgencyRow.uscc),
    ]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, [VerificationDue.model_validate(row, from_attributes=True) for row in rows]
