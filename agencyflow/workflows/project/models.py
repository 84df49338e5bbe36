"""Input, state, commands and signals of `ServiceProjectWorkflow`."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.hazard import HazardEntry, HazardLevel, HazardRecord
from agencyflow.domain.identity import Actor
from agencyflow.domain.project import (
    FailureReason,
    PracticeNotification,
    ProjectProgress,
    ProjectRequest,
    ServicePlan,
    SpotCheckVerdict,
    StoredFile,
    Visit,
    VisitActivity,
    VisitReport,
)
from agencyflow.domain.records import ProjectOpening
from agencyflow.workflows.hazard.models import VisitNotice
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change

Reason = Annotated[str, Field(min_length=1, max_length=1000)]


def project_workflow_id(project_id: str) -> str:
    return f"project-{project_id}"


def project_resource(project_id: str) -> str:
    return f"projects/{project_id}"


class VisitTally(BaseModel):
    """What the rules need to know of the visits so far; the visits themselves are in SQL."""

    count: int = 0
    last_visited_on: dt.date | None = None
    activities: list[VisitActivity] = []
    """Every activity some visit covered."""


class HazardBrief(BaseModel):
    """A hazard this project found; its own workflow follows it."""

    level: HazardLevel
    open: bool = True


class ProjectState(Memory):
    """Everything the workflow knows; carried whole across continue-as-new."""

    project_id: str
    agency_uscc: str
    agency_name: str = ""
    request: ProjectRequest | None = None
    created_at: dt.datetime | None = None
    progress: ProjectProgress | None = None
    """None until the contract is filed."""
    notification_revision: int = 0
    visits: VisitTally = VisitTally()
    hazards: dict[str, HazardBrief] = {}
    next_hazard: int = 1
    reminders_sent: list[int] = []
    """Indexes into the policy's report reminders already sent."""


class ProjectInput(BaseModel):
    project_id: str
    agency_uscc: str
    policy: Policy
    """The policy in force when the contract was filed; it governs this project to the end."""
    limits: HistoryLimits = HistoryLimits()
    state: ProjectState | None = None
    """Set only by continue-as-new."""


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
    points: int | None = None
    """A failed check's deduction, chosen by the regulator within the policy's range."""


class ProjectChange(Change):
    """A project step's change: its timeline entry and the parts of the project it touched."""

    opening: ProjectOpening | None = None
    request: ProjectRequest | None = None
    notification: PracticeNotification | None = None
    plan: ServicePlan | None = None
    visit: Visit | None = None
    found: list[HazardRecord] = []
    found_entries: list[HazardEntry] = []
    notices: list[VisitNotice] = []
    """Hazards to tell of this step's visit, once it is recorded."""
    hand_off: bool = False
    """Hand the uploaded report to the provincial platform once the step is recorded."""
