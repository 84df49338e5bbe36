"""Complaints as the read model keeps them: one row per complaint, and its timeline."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Engine, LargeBinary, Numeric, func
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.complaints import (
    ComplaintProgress,
    ComplaintStage,
    ComplaintSubject,
    complaint_resource,
)
from agencyflow.domain.project import StoredFile
from agencyflow.domain.records import ComplaintRecord
from agencyflow.payload_codec import Sealer

from . import effects, files
from .engine import transaction
from .queries import page, where_given
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


class RevealRow(SQLModel, table=True):
    """A reporter's identity shown to a regulator: who, when, why (R13's protection)."""

    __tablename__ = "complaint_reveal"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, index=True)
    user_id: int
    revealed_by: str = Field(max_length=200)
    reason: str = Field(max_length=2000)
    revealed_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)


class AttachmentRow(SQLModel, table=True):
    """An attachment the public sent for a complaint, counted per address (the rate limit);
    the file itself is kept like every upload (`files`)."""

    __tablename__ = "complaint_attachment"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64)
    client_digest: str = Field(max_length=64, index=True)
    uploaded_at: dt.datetime = Field(sa_type=UtcDateTime, index=True)


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
        files.use_in(session, complaint_resource(subject.code), subject.files)
        effects.follow_in(session, entry.event, entry.inbox, entry.credit_events)


def get(engine: Engine, code: str) -> ComplaintView | None:
    with transaction(engine) as session:
        row = session.get(ComplaintRow, code)
        return _view(row) if row is not None else None


def keep_reporter(
    engine: Engine, sealer: Sealer, ref: str, identity: bytes, at: dt.datetime
) -> None:
    """Keep the identity under ``ref``, unless it is kept already (a filing sent again)."""
    sealed = sealer.seal(identity, ref.encode())
    values = {"ref": ref, "key_id": sealer.key_id, "sealed": sealed, "created_at": at}
    with transaction(engine) as session:
        insert_first(session, ReporterRow, values)


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


def attachments_since(engine: Engine, client_digest: str, since: dt.datetime) -> int:
    query = select(func.count()).where(
        AttachmentRow.client_digest == client_digest,
        col(AttachmentRow.uploaded_at) >= since,
    )
    with transaction(engine) as session:
        return int(session.exec(query).one())


def keep_attachment(
    engine: Engine,
    stored: StoredFile,
    client_digest: str,
    at: dt.datetime,
    write: Callable[[], None],
) -> None:
    """The attachment's rows, and its bytes kept by ``write`` once the database has taken
    them (as `files.register` does): a refused row leaves no file the hourly count misses."""
    with transaction(engine) as session:
        files.keep(session, stored, None)
        session.add(
            AttachmentRow(sha256=stored.sha256, client_digest=client_digest, uploaded_at=at)
        )
        session.flush()
        write()


def filed_already(engine: Engine, content_digest: str, since: dt.datetime) -> bool:
    query = select(ComplaintAccessRow.code).where(
        ComplaintAccessRow.content_digest == content_digest,
        col(ComplaintAccessRow.filed_at) >= since,
    )
    with transaction(engine) as session:
        return session.exec(query.limit(1)).first() is not None


def keep_access(engine: Engine, row: ComplaintAccessRow) -> ComplaintAccessRow:
    """Keep the row, unless one with its code is kept already; the row kept."""
    with transaction(engine) as session:
        if insert_first(session, ComplaintAccessRow, row.model_dump()):
            return row
        kept = session.get(ComplaintAccessRow, row.code)
        assert kept is not None, "rows are never deleted"
        return kept


def access(engine: Engine, code: str) -> ComplaintAccessRow | None:
    with transaction(engine) as session:
        return session.get(ComplaintAccessRow, code)


def reveal_reporter(engine: Engine, sealer: Sealer, ref: str, audit: RevealRow) -> bytes:
    """The identity, opened, with its reveal recorded in the same transaction: no reveal
    goes unaudited."""
    with transaction(engine) as session:
        row = session.get(ReporterRow, ref)
        assert row is not None, "a complaint's reporter reference names a kept identity"
        session.add(audit)
        return sealer.open(row.key_id, row.sealed, ref.encode())


def reveals(engine: Engine, *, limit: int, offset: int) -> tuple[int, list[RevealRow]]:
    order = [col(RevealRow.revealed_at).desc(), col(RevealRow.id).desc()]
    with transaction(engine) as session:
        total, rows = page(session, select(RevealRow), order, offset, limit)
        return total, list(rows)


def search(
    engine: Engine,
    *,
    county_code: str | None,
    stage: ComplaintStage | None,
    limit: int,
    offset: int,
) -> tuple[int, list[ComplaintView]]:
    """Complaints in the county (or the city's own, with no county), open ones first, then
    by when they were filed."""
    query = where_given(
        select(ComplaintRow),
        (ComplaintRow.county_code, county_code),
        (ComplaintRow.stage, stage.value if stage else None),
    )
    closed = col(ComplaintRow.stage).in_(
        [ComplaintStage.REFUSED.value, ComplaintStage.DECIDED.value]
    )
    order = [closed, col(ComplaintRow.filed_at), col(ComplaintRow.code)]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, [_view(row) for row in rows]


def _view(row: ComplaintRow) -> ComplaintView:
    return ComplaintView(
        subject=ComplaintSubject.model_validate(row.subject),
        progress=ComplaintProgress.model_validate(row.progress),
    )


class WhistleblowerRewardRow(SQLModel, table=True):
    """A reward an agency paid one of its own internal whistleblowers (R13's internal
    channel), as the agency records it: the matter and the sum, never the person."""

    __tablename__ = "whistleblower_reward"

    id: int | None = Field(default=None, primary_key=True)
    command_id: str = Field(max_length=200, unique=True)
    """The request's id: the same request again records nothing more."""
    agency_uscc: str = Field(max_length=18, index=True)
    matter: str = Field(max_length=2000)
    amount_yuan: Decimal = Field(sa_type=Numeric(14, 2))
    paid_on: dt.date
    recorded_by: str = Field(max_length=200)
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime)


def record_whistleblower_reward(engine: Engine, row: WhistleblowerRewardRow) -> None:
    """Kept once per request: a retry of the same request finds it kept."""
    with transaction(engine) as session:
        insert_first(session, WhistleblowerRewardRow, row.model_dump(exclude={"id"}))


def whistleblower_rewards(
    engine: Engine, agency_uscc: str, *, limit: int, offset: int
) -> tuple[int, list[WhistleblowerRewardRow]]:
    query = select(WhistleblowerRewardRow).where(WhistleblowerRewardRow.agency_uscc == agency_uscc)
    order = [col(WhistleblowerRewardRow.paid_on).desc(), col(WhistleblowerRewardRow.id).desc()]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        return total, list(rows)
