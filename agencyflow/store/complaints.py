"""Complaints as the read model keeps them: one row per complaint, and its timeline."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, LargeBinary, func
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.complaints import ComplaintProgress, ComplaintSubject
from agencyflow.domain.records import ComplaintRecord
from agencyflow.payload_codec import Sealer

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


class ComplaintAccessRow(SQLModel, table=True):
    """How a complaint is reached from outside: its secret's hash, and the keyed hash of the
    address and of the content it was filed with (to count filings and refuse a repeat)."""

    __tablename__ = "complaint_access"

    code: str = Field(primary_key=True, max_length=32)
    secret_hash: str = Field(max_length=64)
    client_digest: str = Field(max_length=64, index=True)
    content_digest: str = Field(max_length=64, index=True)
    filed_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)


class ReporterRow(SQLModel, table=True):
    """A complainant's identity, sealed (AES-GCM, bound to its reference); the workflow and
    the complaint's row carry only the reference."""

    __tablename__ = "complaint_reporter"

    ref: str = Field(primary_key=True, max_length=32)
    key_id: str = Field(max_length=32)
    sealed: bytes = Field(sa_type=LargeBinary)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


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


def keep_reporter(
    engine: Engine, sealer: Sealer, ref: str, identity: bytes, at: dt.datetime
) -> None:
    sealed = sealer.seal(identity, ref.encode())
    with transaction(engine) as session:
        session.add(ReporterRow(ref=ref, key_id=sealer.key_id, sealed=sealed, created_at=at))


def reporter(engine: Engine, sealer: Sealer, ref: str) -> bytes | None:
    with transaction(engine) as session:
        row = session.get(ReporterRow, ref)
        return sealer.open(row.key_id, row.sealed, ref.encode()) if row is not None else None


def filings_since(engine: Engine, client_digest: str, since: dt.datetime) -> int:
    query = select(func.count()).where(
        ComplaintAccessRow.client_digest == client_digest,
        col(ComplaintAccessRow.filed_at) >= since,
    )
    with transaction(engine) as session:
        return int(session.exec(query).one())


def filed_already(engine: Engine, content_digest: str, since: dt.datetime) -> bool:
    query = select(ComplaintAccessRow.code).where(
        ComplaintAccessRow.content_digest == content_digest,
        col(ComplaintAccessRow.filed_at) >= since,
    )
    with transaction(engine) as session:
        return session.exec(query.limit(1)).first() is not None


def keep_access(engine: Engine, row: ComplaintAccessRow) -> None:
    with transaction(engine) as session:
        session.add(row)


def access(engine: Engine, code: str) -> ComplaintAccessRow | None:
    with transaction(engine) as session:
        return session.get(ComplaintAccessRow, code)
