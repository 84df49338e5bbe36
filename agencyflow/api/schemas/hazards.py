"""What the hazard and file routes take and return."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.api.schemas.paging import Page
from agencyflow.domain.bounded import Day, FileId
from agencyflow.domain.hazard import HazardEntry, HazardRecord, Reinspection, ReinspectionOutcome
from agencyflow.domain.hazard_rules import HazardCounts, is_overdue


class FileUploaded(BaseModel):
    file_id: str
    """Its SHA-256: use it in a hazard's ``photos`` or ``example_photos``."""
    size: int
    content_type: str
    filename: str
    url: str


class ReinspectionBody(BaseModel):
    outcome: ReinspectionOutcome
    after_photos: Annotated[list[FileId], Field(max_length=20)] = []
    notes: Annotated[str, Field(max_length=4000)] = ""

    def of(self, hazard_id: str) -> Reinspection:
        return Reinspection(hazard_id=hazard_id, **self.model_dump())


class AcknowledgeBody(BaseModel):
    notes: Annotated[str, Field(max_length=2000)] = ""


class SuperviseBody(BaseModel):
    deadline: Day
    notes: Annotated[str, Field(max_length=2000)] = ""


class VerifyBody(BaseModel):
    accepted: bool
    reasons: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=1000)]], Field(max_length=20)
    ] = []


class HazardPage(Page[HazardRecord]):
    """A page of hazards, newest found first, and the counts of every one the filters match."""

    counts: HazardCounts


class HazardDetail(BaseModel):
    hazard: HazardRecord
    history: list[HazardEntry]
    """The ledger entries, in order; corrections point at the entry they correct."""
    photo_urls: dict[str, str]


class LedgerRow(BaseModel):
    """One hazard, one row: its facts and where it stands now."""

    hazard_id: str
    found_at: dt.datetime
    project_id: str
    visit_id: str
    level: str
    kind: str
    category: str
    location: str
    description: str
    responsible_person: str
    deadline: dt.date | None
    status: str
    overdue: bool
    long_unrectified: bool
    closed_at: dt.datetime | None


class Ledger(BaseModel):
    """隐患台账: an enterprise's hazards and everything that happened to them."""

    enterprise_uscc: str
    counts: HazardCounts
    hazards: list[LedgerRow]
    history: list[HazardEntry]


def ledger_row(record: HazardRecord, now: dt.datetime) -> LedgerRow:
    report = record.report
    return LedgerRow(
        hazard_id=record.hazard_id,
        found_at=record.found_at,
        project_id=record.project_id,
        visit_id=record.visit_id,
        level=report.level.label,
        kind=report.kind.label,
        category=report.category.label,
        location=report.location or "",
        description=report.description or "",
        responsible_person=report.responsible_person or "",
        deadline=report.rectification_deadline,
        status=record.status.label,
        overdue=is_overdue(record, now),
        long_unrectified=record.long_unrectified,
        closed_at=record.closed_at,
    )
