"""Timelines of every resource, appended by workflows, read by the API."""

import datetime as dt

from sqlalchemy import JSON, Engine, UniqueConstraint
from sqlmodel import Field, Session, SQLModel

from agencyflow.domain.timeline import TimelineEntry

from .rows import insert_first
from .types import UtcDateTime


class TimelineRow(SQLModel, table=True):
    __tablename__ = "timeline_event"
    __table_args__ = (UniqueConstraint("resource", "seq", name="uq_timeline_event_resource_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    resource: str = Field(max_length=300, index=True)
    seq: int
    at: dt.datetime = Field(sa_type=UtcDateTime)
    kind: str = Field(max_length=100)
    summary: str = Field(max_length=2000)
    actor: str = Field(max_length=250)
    actor_user_id: int | None = None
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    regulators_only: bool = False

    def entry(self) -> TimelineEntry:
        return TimelineEntry.model_validate(self.model_dump(exclude={"id"}))


def append_in(session: Session, entry: TimelineEntry) -> None:
    """Append the entry once: a retried or replayed append of the same seq is ignored."""
    insert_first(session, TimelineRow, entry.model_dump())


def entries(engine: Engine, resource: str, *, regulators: bool) -> list[TimelineEntry]:
    # Plain rows: a timeline is read for every answer.
    table = TimelineRow.__table__  # type: ignore[attr-defined]
    query = table.select().where(table.c.resource == resource)
    if not regulators:
        query = query.where(table.c.regulators_only == False)  # noqa: E712
    with engine.connect() as connection:
        rows = connection.execute(query.order_by(table.c.seq)).mappings()
        return [TimelineEntry.model_validate(row) for row in rows]
