"""Hazards' read model and the append-only ledger (隐患台账) behind it (R5)."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.hazard import (
    HazardEntry,
    HazardLevel,
    HazardProgress,
    HazardRecord,
    HazardReport,
    HazardStatus,
)
from agencyflow.domain.records import HazardStepRecord

from . import credit, files, inbox
from .dialects import upsert_insert
from .engine import transaction
from .queries import where_given
from .rows import advance, insert_first
from .types import UtcDateTime

_FACTS = set(HazardRecord.model_fields) - set(HazardProgress.model_fields) - {"report"}
"""Where a hazard was found: the record's fields that the row keeps in columns of their own,
as they are. The rest is its progress (one JSON column) and its report (another)."""
COUNTED = ("deadline", "long_unrectified", "closed_at")
"""Progress the row also keeps in columns: `hazard_lists` counts by them."""


class HazardRow(SQLModel, table=True):
    __tablename__ = "hazard"
    __table_args__ = (
        # One per list scope, each ending in the list's order (newest found first).
        Index("ix_hazard_found", "found_at", "hazard_id"),
        Index("ix_hazard_county_found", "county_code", "found_at", "hazard_id"),
        Index("ix_hazard_project_found", "project_id", "found_at", "hazard_id"),
        # A scope and the counted columns: the counts read this index, not the rows.
        Index("ix_hazard_counts", "county_code", "level", "status", "deadline", "long_unrectified"),
        # When each closed, for the overview's trend by month.
        Index("ix_hazard_county_closed", "county_code", "closed_at"),
    )

    hazard_id: str = Field(primary_key=True, max_length=100)
    version: int
    """The ledger sequence of the last step this row took; an older one never overwrites it."""
    project_id: str = Field(max_length=64)
    visit_id: str = Field(max_length=16)
    agency_uscc: str = Field(max_length=18, index=True)
    enterprise_uscc: str = Field(max_length=18, index=True)
    enterprise_name: str = Field(max_length=200)
    county_code: str = Field(max_length=6)
    level: str = Field(max_length=16, index=True)
    status: str = Field(max_length=32, index=True)
    found_at: dt.datetime = Field(sa_type=UtcDateTime)
    report: dict[str, Any] = Field(sa_type=JSON)
    progress: dict[str, Any] = Field(sa_type=JSON)
    deadline: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Copied from the progress, so that lists count overdue hazards in SQL."""
    long_unrectified: bool = False
    """Copied from the progress, for the same reason."""
    closed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Copied from the progress, for the overview's trend by month."""

    def model(self) -> HazardRecord:
        return HazardRecord.model_validate(
            {
                **self.progress,
                **self.model_dump(include=_FACTS),
                "report": self.report,
            }
        )


class HazardEntryRow(SQLModel, table=True):
    """The ledger: rows are only ever inserted; a correction is a new row pointing back."""

    __tablename__ = "hazard_entry"
    __table_args__ = (UniqueConstraint("hazard_id", "seq", name="uq_hazard_entry_hazard_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    hazard_id: str = Field(max_length=100, index=True)
    seq: int
    enterprise_uscc: str = Field(max_length=18, index=True)
    at: dt.datetime = Field(sa_type=UtcDateTime)
    kind: str = Field(max_length=32)
    summary: str = Field(max_length=2000)
    actor: str = Field(max_length=250)
    actor_user_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    corrects_seq: int | None = None

    def entry(self) -> HazardEntry:
        return HazardEntry.model_validate(self.model_dump(exclude={"id", "enterprise_uscc"}))


def record_found(session: Session, records: list[HazardRecord], entries: list[HazardEntry]) -> None:
    """Hazards a visit found: their first rows and ledger entries, each written once."""
    for hazard in records:
        insert_first(
            session,
            HazardRow,
            {
                **hazard.model_dump(include=_FACTS),
                "version": hazard.seq,
                "level": hazard.report.level.value,
                "status": hazard.status.value,
                "report": hazard.report.model_dump(mode="json"),
                "progress": hazard.progress().model_dump(mode="json"),
                **_counted(hazard),
            },
        )
        files.use_in(session, _resource(hazard.hazard_id), _photos(hazard.report))
    enterprises = {hazard.hazard_id: hazard.enterprise_uscc for hazard in records}
    for item in entries:
        _append(session, item, enterprises[item.hazard_id])


def record(engine: Engine, step: HazardStepRecord) -> None:
    """A step of a hazard's workflow: its row, ledger entry, inbox and credit events together."""
    with transaction(engine) as session:
        values: dict[str, Any] = {
            "status": step.progress.status.value,
            "progress": step.progress.model_dump(mode="json"),
            **_counted(step.progress),
        }
        if step.report is not None:
            values["report"] = step.report.model_dump(mode="json")
        key = {"hazard_id": step.hazard_id}
        if not advance(session, HazardRow, key, step.progress.seq, values):
            return  # a repeated or late attempt of a step already written
        enterprise = session.exec(
            select(HazardRow.enterprise_uscc).where(HazardRow.hazard_id == step.hazard_id)
        ).one()
        _append(session, step.entry, enterprise)
        shown = step.entry.data.get("after_photos", [])
        if step.report is not None:
            shown = [*shown, *_photos(step.report)]
        files.use_in(session, _resource(step.hazard_id), shown)
        inbox.apply(session, step.inbox)
        for event in step.credit_events:
            credit.append_in(session, event)


def _counted(progress: HazardProgress) -> dict[str, Any]:
    """What the row copies from its progress into columns of their own, for SQL to count."""
    return {name: getattr(progress, name) for name in COUNTED}


def _resource(hazard_id: str) -> str:
    return f"hazards/{hazard_id}"


def _photos(report: HazardReport) -> list[str]:
    return [*report.photos, *report.example_photos]


def _append(session: Session, entry: HazardEntry, enterprise_uscc: str) -> None:
    statement = upsert_insert(session, HazardEntryRow).values(
        enterprise_uscc=enterprise_uscc, **entry.model_dump()
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["hazard_id", "seq"]))


def get(engine: Engine, hazard_id: str) -> HazardRecord | None:
    with transaction(engine) as session:
        row = session.get(HazardRow, hazard_id)
        return row.model() if row else None


def visit_noted(engine: Engine, hazard_ids: list[str], visit_number: int) -> bool:
    """Whether every one of these hazards has taken the project's visit into account.

    A hazard closed meanwhile has nothing left to take into account.
    """
    if not hazard_ids:
        return True
    with transaction(engine) as session:
        rows = session.exec(select(HazardRow).where(col(HazardRow.hazard_id).in_(hazard_ids))).all()
        return len(rows) == len(set(hazard_ids)) and all(
            row.status == HazardStatus.CLOSED.value
            or row.progress.get("last_visit_noted", 0) >= visit_number
            for row in rows
        )


def entries_of(engine: Engine, hazard_ids: list[str]) -> list[HazardEntry]:
    """Ledger entries of these hazards, in the order they happened."""
    if not hazard_ids:
        return []
    with transaction(engine) as session:
        rows = session.exec(
            select(HazardEntryRow)
            .where(col(HazardEntryRow.hazard_id).in_(hazard_ids))
            .order_by(
                col(HazardEntryRow.at), col(HazardEntryRow.hazard_id), col(HazardEntryRow.seq)
            )
        ).all()
        return [row.entry() for row in rows]


def search(
    engine: Engine,
    *,
    county_code: str | None = None,
    project_id: str | None = None,
    enterprise_uscc: str | None = None,
    agency_uscc: str | None = None,
    level: HazardLevel | None = None,
    status: HazardStatus | None = None,
) -> list[HazardRecord]:
    """Hazards matching every given filter, in the order they were found."""
    query = where_given(
        select(HazardRow),
        (HazardRow.county_code, county_code),
        (HazardRow.project_id, project_id),
        (HazardRow.enterprise_uscc, enterprise_uscc),
        (HazardRow.agency_uscc, agency_uscc),
        (HazardRow.level, level.value if level else None),
        (HazardRow.status, status.value if status else None),
    )
    with transaction(engine) as session:
        rows = session.exec(query.order_by(col(HazardRow.found_at), col(HazardRow.hazard_id))).all()
        return [row.model() for row in rows]
