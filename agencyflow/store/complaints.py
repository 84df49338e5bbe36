"""Complaints as the read model keeps them: one row per complaint, and its timeline."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine
from sqlmodel import Field, SQLModel

from agencyflow.domain.complaints import ComplaintProgress, ComplaintSubject
from agencyflow.domain.records import ComplaintRecord

from . import credit, inbox, timeline
from .engine import transaction
from .rows import advance, insert_first
from .types import UtcDateTime


class ComplaintRow(SQLModel, table=True):
    __tablename__ = "complaint"

    code: str = Field(primary_key=True, max_length=32)
    workflow_id: str = Field(max_length=100)
    version: int
    county_code: str | None = Field(default=None, max_length=6, index=True)
    agency_uscc: str | None = Field(default=None, max_length=18, index=True)
    stage: str = Field(max_length=16, index=True)
    filed_at: dt.datetime = Field(sa_type=UtcDateTime)
    subject: dict[str, Any] = Field(sa_type=JSON)
    progress: dict[str, Any] = Field(sa_type=JSON)


class ComplaintView(SQLModel):
    subject: ComplaintSubject
    progress: ComplaintProgress


def record(engine: Engine, entry: ComplaintRecord) -> None:
    """Write a complaint's step, all or nothing; a repeated or late attempt writes nothing."""
    subject, progress = entry.subject, entry.progress
    values: dict[str, Any] = {
        "stage": progress.stage.value,
        "progress": progress.model_dump(mode="json"),
    }
    with transaction(engine) as session:
        took = advance(
            session, ComplaintRow, {"code": subject.code}, entry.seq, values
        ) or insert_first(
            session,
            ComplaintRow,
            {
                **values,
                "code": subject.code,
                "workflow_id": entry.workflow_id,
                "version": entry.seq,
                "county_code": subject.county_code,
                "agency_uscc": subject.agency_uscc,
                "filed_at": subject.filed_at,
                "subject": subject.model_dump(mode="json"),
            },
        )
        if not took:
            return
        timeline.append_in(session, entry.event)
        inbox.apply(session, entry.inbox)
        for event in entry.credit_events:
            credit.append_in(session, event)


def get(engine: Engine, code: str) -> ComplaintView | None:
    with transaction(engine) as session:
        row = session.get(ComplaintRow, code)
        if row is None:
            return None
        return ComplaintView(
            subject=ComplaintSubject.model_validate(row.subject),
            progress=ComplaintProgress.model_validate(row.progress),
        )
