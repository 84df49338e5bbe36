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
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


def append_in(session: Session, event: CreditEvent) -> None:
    """Record the event once per source, however often a retry sends it."""
    statement = upsert_insert(session, CreditEventRow).values(**event.model_dump())
    session.execute(statement.on_conflict_do_nothing(index_elements=["source"]))


def of_agency(engine: Engine, agency_uscc: str) -> list[CreditEvent]:
    with transaction(engine) as session:
        rows = session.exec(
            select(CreditEventRow)
            .where(CreditEventRow.agency_uscc == agency_uscc)
            .order_by(col(CreditEventRow.id))
        ).all()
        return [CreditEvent.model_validate(row.model_dump(exclude={"id"})) for row in rows]
