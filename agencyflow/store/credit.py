"""Credit events, appended by workflows; the credit rating reads them (R8)."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine
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
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


def append_in(session: Session, event: CreditEvent) -> None:
    """Record the event once per source, however often a retry sends it."""
    statement = upsert_insert(session, CreditEventRow).values(**event.model_dump())
    session.execute(statement.on_conflict_do_nothing(index_elements=["source"]))


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
            event = CreditEvent.model_validate(row.model_dump(exclude={"id"}))
            found.setdefault(row.agency_uscc, []).append(event)
    return found
