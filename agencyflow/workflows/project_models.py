"""Inputs, updates and state of `ServiceProjectWorkflow`."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.hazard import HazardRecord
from agencyflow.domain.identity import Actor
from agencyflow.domain.project import (
    FailureReason,
    ProjectRequest,
    ProjectSnapshot,
    SpotCheckVerdict,
    StoredFile,
    VisitReport,
)

Reason = Annotated[str, Field(min_length=1, max_length=1000)]


def project_workflow_id(project_id: str) -> str:
    return f"project-{project_id}"


def project_resource(project_id: str) -> str:
    return f"projects/{project_id}"


class ProjectInput(BaseModel):
    project_id: str
    agency_uscc: str
    policy: Policy
    """The policy in force when the contract was filed; it governs this project to the end."""


class ProjectState(BaseModel):
    snapshot: ProjectSnapshot | None = None
    seq: int = 0
    reminders_sent: list[int] = []
    """Indexes into the policy's report reminders already sent."""
    hazards: dict[str, HazardRecord] = {}
    """General hazards found by this project, which it follows until they are closed."""
    major_hazards: list[str] = []
    """Major hazards found by this project; each has a workflow of its own."""
    next_hazard: int = 1


class CreateProject(BaseModel):
    actor: Actor
    request: ProjectRequest
    agency: AgencySnapshot
    """The agency as the read model shows it now: its status, services and people."""


class FilingDecision(BaseModel):
    actor: Actor
    reasons: list[Reason] = []


class Refiling(BaseModel):
    """The agency's corrected practice notification after a return."""

    actor: Actor
    agency: AgencySnapshot
    team: list[str] | None = None
    """A corrected team, if the return was about it."""
    note: Annotated[str, Field(max_length=2000)] = ""


class PlanSubmission(BaseModel):
    actor: Actor
    summary: Annotated[str, Field(min_length=1, max_length=20000)]


class VisitSubmission(BaseModel):
    actor: Actor
    visit: VisitReport


class ServiceEnd(BaseModel):
    actor: Actor
    ended_on: dt.date


class ReportUpload(BaseModel):
    actor: Actor
    file: StoredFile


class SpotCheckOpening(BaseModel):
    actor: Actor


class SpotCheckDecision(BaseModel):
    actor: Actor
    verdict: SpotCheckVerdict
    reasons: list[FailureReason] = []
    notes: Annotated[str, Field(max_length=4000)] = ""
