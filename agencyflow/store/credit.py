"""Credit events, appended by workflows; the credit rating reads them (R8)."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, update
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.project import CreditEvent

from .dialects import upsert_insert
from .engine import transaction
from .types import UtcDateTime


class CreditEventRow(SQLModel, table=True):
    __tablename__ = "credit_event"

    id: int | None = Field(default=None, primary_key=True)
    agency_uscc: str = Field(max_length=18, index=True)
    source: str = Field(max_length=300, unique=True)
    kind: str = Field(max_length=64)
    occurred_at: dt.datetime = Field(sa_type=UtcDateTime)
    points: int | None = None
    clause: str | None = Field(default=None, max_length=100)
    recorded_by: str | None = Field(default=None, max_length=200)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


def append_in(session: Session, event: CreditEvent) -> None:
    """Record the event once per source, however often a retry sends it."""
    statement = upsert_insert(session, CreditEventRow).values(**event.model_dump())
    session.execute(statement.on_conflict_do_nothing(index_elements=["source"]))


def revoke_in(session: Session, source: str, at: dt.datetime) -> None:
    """The event counts for nothing from ``at``; the row itself stays, as the ledger's."""
    session.execute(
        update(CreditEventRow)
        .where(col(CreditEventRow.source) == source, col(CreditEventRow.revoked_at).is_(None))
        .values(revoked_at=at)
    )


def entry(engine: Engine, event_id: int) -> CreditEvent | None:
    with transaction(engine) as session:
        row = session.get(CreditEventRow, event_id)
        return _event(row) if row else None


def ids_of(engine: Engine, agency_uscc: str) -> dict[str, int]:
    """Each of the agency's events' id, by its source."""
    with transaction(engine) as session:
        rows = session.exec(
            select(CreditEventRow.source, CreditEventRow.id).where(
                CreditEventRow.agency_uscc == agency_uscc
            )
        ).all()
        return {source: event_id for source, event_id in rows if event_id is not None}


def _event(row: CreditEventRow) -> CreditEvent:
    return CreditEvent.model_validate(row.model_dump(exclude={"id"}))


def of_agency(engine: Engine, agency_uscc: str) -> list[CreditEvent]:
    return of_agencies(engine, [agency_uscc]).get(agency_uscc, [])


def of_agencies(engine: Engine, usccs: list[str]) -> dict[str, list[CreditEvent]]:
    """Each agency's events, oldest first; one query for a page of agencies."""
    found: dict[str, list[CreditEvent]] = {}
    if not usccs:
        return found
    with transaction(engine) as session:
        rows = session.exec(
            select(CreditEventRow)
            .where(col(CreditEventRow.agency_uscc).in_(usccs))
            .order_by(col(CreditEventRow.id))
        ).all()
        for row in rows:
            found.setdefault(row.agency_uscc, []).append(_event(row))
    return found
