"""Hazards' read model and the append-only ledger (隐患台账) behind it (R5)."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.hazard import HazardEntry, HazardLevel, HazardRecord, HazardStatus
from agencyflow.domain.records import MajorHazardRecord

from . import credit, inbox
from .dialects import upsert_insert
from .engine import transaction
from .types import UtcDateTime


class HazardRow(SQLModel, table=True):
    __tablename__ = "hazard"

    hazard_id: str = Field(primary_key=True, max_length=100)
    version: int
    """The ledger sequence of this snapshot; an older one never overwrites a newer."""
    project_id: str = Field(max_length=64, index=True)
    agency_uscc: str = Field(max_length=18, index=True)
    enterprise_uscc: str = Field(max_length=18, index=True)
    county_code: str = Field(max_length=6, index=True)
    level: str = Field(max_length=16, index=True)
    status: str = Field(max_length=32, index=True)
    found_at: dt.datetime = Field(sa_type=UtcDateTime)
    snapshot: dict[str, Any] = Field(sa_type=JSON)

    def model(self) -> HazardRecord:
        return HazardRecord.model_validate(self.snapshot)


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


def record_in(session: Session, hazards: list[HazardRecord], entries: list[HazardEntry]) -> None:
    """Upsert the hazards' snapshots and append their entries, each exactly once."""
    by_id = {hazard.hazard_id: hazard for hazard in hazards}
    for hazard in hazards:
        _upsert(session, hazard)
    for item in entries:
        enterprise = by_id[item.hazard_id].enterprise_uscc
        statement = upsert_insert(session, HazardEntryRow).values(
            enterprise_uscc=enterprise, **item.model_dump()
        )
        session.execute(statement.on_conflict_do_nothing(index_elements=["hazard_id", "seq"]))


def record(engine: Engine, change: MajorHazardRecord) -> None:
    """A major hazard's step: its snapshot, entries, inbox and credit events together."""
    with transaction(engine) as session:
        row = session.get(HazardRow, change.hazard.hazard_id)
        if row is not None and row.version >= change.hazard.seq:
            return  # a late or repeated attempt of a step already recorded
        record_in(session, [change.hazard], change.entries)
        inbox.apply(session, change.inbox)
        for event in change.credit_events:
            credit.append_in(session, event)


def _upsert(session: Session, hazard: HazardRecord) -> None:
    row = session.get(HazardRow, hazard.hazard_id)
    if row is not None and row.version >= hazard.seq:
        return
    values: dict[str, Any] = {
        "version": hazard.seq,
        "project_id": hazard.project_id,
        "agency_uscc": hazard.agency_uscc,
        "enterprise_uscc": hazard.enterprise_uscc,
        "county_code": hazard.county_code,
        "level": hazard.report.level.value,
        "status": hazard.status.value,
        "found_at": hazard.found_at,
        "snapshot": hazard.model_dump(mode="json"),
    }
    if row is None:
        session.add(HazardRow(hazard_id=hazard.hazard_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


def get(engine: Engine, hazard_id: str) -> HazardRecord | None:
    with transaction(engine) as session:
        row = session.get(HazardRow, hazard_id)
        return row.model() if row else None


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
    query = select(HazardRow)
    for column, value in (
        (HazardRow.county_code, county_code),
        (HazardRow.project_id, project_id),
        (HazardRow.enterprise_uscc, enterprise_uscc),
        (HazardRow.agency_uscc, agency_uscc),
        (HazardRow.level, level.value if level else None),
        (HazardRow.status, status.value if status else None),
    ):
        if value is not None:
            query = query.where(column == value)
    with transaction(engine) as session:
        rows = session.exec(query.order_by(col(HazardRow.found_at), col(HazardRow.hazard_id))).all()
        return [row.model() for row in rows]
