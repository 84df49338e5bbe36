"""What the project routes take and return."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.api.schemas.paging import Page
from agencyflow.domain.bounded import Day, Label
from agencyflow.domain.project import (
    FailureReason,
    FilingStatus,
    ProjectHead,
    ProjectSnapshot,
    ProjectStage,
    SpotCheckVerdict,
)
from agencyflow.domain.project_rules import NextStep, next_step
from agencyflow.domain.service_types import ServiceType
from agencyflow.domain.timeline import TimelineEntry

Reason = Annotated[str, Field(min_length=1, max_length=1000)]


class FilingReturnBody(BaseModel):
    reasons: Annotated[list[Reason], Field(min_length=1, max_length=50)]


class RefilingBody(BaseModel):
    team: Annotated[list[Label], Field(min_length=1, max_length=50)] | None = None
    note: Annotated[str, Field(max_length=2000)] = ""


class PlanBody(BaseModel):
    summary: Annotated[str, Field(min_length=1, max_length=20000)]


class ServiceEndBody(BaseModel):
    ended_on: Day


class VerdictBody(BaseModel):
    verdict: SpotCheckVerdict
    reasons: Annotated[list[FailureReason], Field(max_length=len(FailureReason))] = []
    notes: Annotated[str, Field(max_length=4000)] = ""
    points: Annotated[int, Field(ge=0, le=100)] | None = None
    """A failed check's credit deduction, within the policy's range (5 to 10 by default)."""


class ProjectSummary(BaseModel):
    project_id: str
    contract_number: str
    agency_uscc: str
    agency_name: str
    enterprise_uscc: str
    enterprise_name: str
    county_code: str
    service_type: ServiceType
    stage: ProjectStage
    stage_label: str
    overdue: bool
    """The report is past its deadline and not uploaded."""
    report_due_at: dt.datetime | None
    created_at: dt.datetime
    closed_at: dt.datetime | None


ProjectPage = Page[ProjectSummary]


class ProjectPublic(BaseModel):
    """One project: its facts, where it stands, what comes next, and how it got here."""

    project: ProjectSnapshot
    stage_label: str
    filing_status_label: str
    next_step: NextStep
    timeline: list[TimelineEntry]
    temporal_ui_url: str


class EnterpriseFile(BaseModel):
    """一企一档: every project an enterprise has had, the closed ones complete."""

    enterprise_uscc: str
    enterprise_name: str | None
    projects: list[ProjectSummary]


def summary(snapshot: ProjectHead) -> ProjectSummary:
    return ProjectSummary(
        project_id=snapshot.project_id,
        contract_number=snapshot.request.contract.number,
        agency_uscc=snapshot.agency_uscc,
        agency_name=snapshot.agency_name,
        enterprise_uscc=snapshot.enterprise_uscc,
        enterprise_name=snapshot.request.enterprise.name,
        county_code=snapshot.county_code,
        service_type=snapshot.request.service_type,
        stage=snapshot.stage,
        stage_label=snapshot.stage.label,
        overdue=snapshot.report_overdue,
        report_due_at=snapshot.report_due_at,
        created_at=snapshot.created_at,
        closed_at=snapshot.closed_at,
    )


def detail(
    snapshot: ProjectSnapshot, *, timeline: list[TimelineEntry], temporal_ui_url: str
) -> ProjectPublic:
    filing: FilingStatus = snapshot.filing_status
    return ProjectPublic(
        project=snapshot,
        stage_label=snapshot.stage.label,
        filing_status_label=filing.label,
        next_step=next_step(snapshot),
        timeline=timeline,
        temporal_ui_url=temporal_ui_url,
    )
