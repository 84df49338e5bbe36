"""The agencies' read model, and the registry of full-time professionals across agencies."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, func
from sqlmodel import Field, Session, SQLModel, col, delete, select

from agencyflow.domain.agency import (
    AgencySnapshot,
    AgencyStatus,
    ClaimConflict,
    FullTimeClaims,
)
from agencyflow.domain.records import AgencyRecord

from . import inbox, timeline
from .engine import transaction
from .types import UtcDateTime, utcnow


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    uscc: str = Field(primary_key=True, max_length=18)
    workflow_id: str = Field(max_length=100)
    version: int
    """The workflow's sequence number of this snapshot; older snapshots never overwrite it."""
    legal_name: str = Field(max_length=200, index=True)
    status: str = Field(max_length=32, index=True)
    jurisdiction_code: str | None = Field(default=None, max_length=6, index=True)
    out_of_town: bool
    submitted_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    snapshot: dict[str, Any] = Field(sa_type=JSON)

    def model(self) -> AgencySnapshot:
        return AgencySnapshot.model_validate(self.snapshot)


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


def record(engine: Engine, entry: AgencyRecord) -> None:
    """Write a workflow step: snapshot, timeline entry and inbox changes, all or nothing."""
    with transaction(engine) as session:
        if entry.snapshot is not None:
            row = session.get(AgencyRow, entry.snapshot.uscc)
            if row is not None and row.version >= entry.seq:
                # A late or repeated attempt of a step already recorded: writing its inbox
                # changes again could reopen what a later step withdrew.
                return
            _upsert_snapshot(session, entry.workflow_id, entry.seq, entry.snapshot)
        if entry.event is not None:
            timeline.append_in(session, entry.event)
        inbox.apply(session, entry.inbox)


def _upsert_snapshot(
    session: Session, workflow_id: str, seq: int, snapshot: AgencySnapshot
) -> None:
    row = session.get(AgencyRow, snapshot.uscc)
    values: dict[str, Any] = {
        "workflow_id": workflow_id,
        "version": seq,
        "legal_name": snapshot.facts.legal_name,
        "status": snapshot.status.value,
        "jurisdiction_code": snapshot.jurisdiction_code,
        "out_of_town": snapshot.facts.out_of_town,
        "submitted_at": snapshot.submitted_at,
        "updated_at": snapshot.updated_at,
        "snapshot": snapshot.model_dump(mode="json"),
    }
    if row is None:
        session.add(AgencyRow(uscc=snapshot.uscc, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    session.flush()
    session.execute(
        delete(AgencyServiceTypeRow).where(col(AgencyServiceTypeRow.agency_uscc) == snapshot.uscc)
    )
    for service_type in snapshot.facts.service_types:
        session.add(
            AgencyServiceTypeRow(agency_uscc=snapshot.uscc, service_type=service_type.value)
        )


def claim_full_time(engine: Engine, claims: FullTimeClaims) -> list[ClaimConflict]:
    """Make these the agency's full-time people, unless another agency holds any of them.

    All or nothing: with a conflict nothing changes and the conflicts are returned. Two
    agencies claiming one person at once cannot both win: the primary key decides, and
    the loser's retry then sees the conflict.
    """
    with transaction(engine) as session:
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
                select(FullTimeClaimRow.id_number).where(
                    FullTimeClaimRow.agency_uscc == claims.uscc
                )
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
    status: AgencyStatus | None = None,
    service_type: str | None = None,
    out_of_town: bool | None = None,
    statuses: tuple[AgencyStatus, ...] | None = None,
    limit: int,
    offset: int,
) -> tuple[int, list[AgencySnapshot]]:
    """Agencies matching every given filter, by name; with the total before paging."""
    query = select(AgencyRow)
    if jurisdiction_code is not None:
        query = query.where(AgencyRow.jurisdiction_code == jurisdiction_code)
    if status is not None:
        query = query.where(AgencyRow.status == status.value)
    if statuses is not None:
        query = query.where(col(AgencyRow.status).in_([s.value for s in statuses]))
    if out_of_town is not None:
        query = query.where(AgencyRow.out_of_town == out_of_town)
    if service_type is not None:
        query = query.where(
            col(AgencyRow.uscc).in_(
                select(AgencyServiceTypeRow.agency_uscc).where(
                    AgencyServiceTypeRow.service_type == service_type
                )
            )
        )
    with transaction(engine) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(AgencyRow.legal_name), col(AgencyRow.uscc))
            .offset(offset)
            .limit(limit)
        ).all()
        return total, [row.model() for row in rows]
