"""What a workflow hands its record activity: one step, as an event and the rows it touches.

A record carries the step's event (timeline entry or ledger entry), the small progress
part of its resource (always), the larger parts only when the step changed them, and
its inbox and credit changes. Its size is bounded by the step, never by the age of the
resource. Everything is written in one transaction, and a row takes a step only if the
step's sequence number is newer than the row's, so a retried or late attempt never
writes twice and never rolls a row back.
"""

import datetime as dt

from pydantic import BaseModel

from .agency import AgencyFacts, AgencyProgress, ClaimConflict, FullTimeClaims
from .capability import ExamResult, ExamSession, PublicWarning
from .complaints import ComplaintProgress, ComplaintSubject
from .hazard import HazardEntry, HazardProgress, HazardRecord, HazardReport
from .inbox import InboxChanges
from .inspections import Campaign, InspectionTask
from .project import (
    CreditEvent,
    PracticeNotification,
    ProjectProgress,
    ProjectRequest,
    ServicePlan,
    Visit,
)
from .reform import ReformTask, ServiceTypeList
from .spot_checks import SpotCheckProgress, SpotCheckSubject
from .timeline import TimelineEntry


class AgencyRecord(BaseModel):
    workflow_id: str
    seq: int
    progress: AgencyProgress
    facts: AgencyFacts | None = None
    """Only when the step changed them (an application, an amendment)."""
    professional_ids: dict[str, str] | None = None
    claims: FullTimeClaims | None = None
    """The agency's full-time people after this step; a conflict writes nothing."""
    events: list[TimelineEntry]
    """The step's timeline entry, and the status change it brought about, if any."""
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []
    """Credit events a regulator recorded with this step."""
    revoked: list[str] = []
    """Sources of credit events an upheld objection revoked with this step."""
    files: list[str] = []
    """Files the step's evidence shows (an objection, a request for removal): whoever may see
    the agency may download them."""


class RecordOutcome(BaseModel):
    """What recording an agency's step found: people full-time elsewhere stop the step."""

    conflicts: list[ClaimConflict] = []


class ProjectOpening(BaseModel):
    """Written by a project's first step only."""

    agency_uscc: str
    agency_name: str
    created_at: dt.datetime


class ProjectRecord(BaseModel):
    workflow_id: str
    project_id: str
    seq: int
    progress: ProjectProgress
    opening: ProjectOpening | None = None
    request: ProjectRequest | None = None
    """The first step's contract, and a refiling's corrected team."""
    notification: PracticeNotification | None = None
    plan: ServicePlan | None = None
    visit: Visit | None = None
    found: list[HazardRecord] = []
    """Hazards this step's visit found, as their first rows."""
    found_entries: list[HazardEntry] = []
    """Their first ledger entries."""
    event: TimelineEntry
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []


class HazardStepRecord(BaseModel):
    """A step of a hazard's own workflow: one ledger entry and where the hazard stands."""

    workflow_id: str
    hazard_id: str
    progress: HazardProgress
    report: HazardReport | None = None
    """Only when the step corrected it."""
    entry: HazardEntry
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []


class CapabilityRecord(BaseModel):
    """One step of a capability test session: its opening, a batch of results, its close."""

    workflow_id: str
    seq: int
    session: ExamSession
    opened_by: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None = None
    results: list[ExamResult] = []
    """The results this step recorded, each once."""
    recorded_at: dt.datetime
    warnings: list[PublicWarning] = []
    events: list[TimelineEntry] = []
    inbox: InboxChanges = InboxChanges()


class SpotCheckRecord(BaseModel):
    """A step of a report's spot check: where it stands, its timeline entry, whom it told."""

    workflow_id: str
    seq: int
    subject: SpotCheckSubject
    progress: SpotCheckProgress
    event: TimelineEntry
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []


class InspectionRecord(BaseModel):
    """A step of a county's quarterly campaign: the campaign, the tasks it touched, its
    timeline entry, whom it told, the credit events it recorded."""

    workflow_id: str
    seq: int
    campaign: Campaign
    ended: bool
    tasks: list[InspectionTask]
    event: TimelineEntry
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []


class ReformRecord(BaseModel):
    """A step of a county's reform programme: the programme's head (always), its service-type
    list and the tasks only when the step changed them, its timeline entry and inbox."""

    workflow_id: str
    seq: int
    county_code: str
    year: int
    opened_at: dt.datetime
    finished: bool
    types: ServiceTypeList | None = None
    tasks: list[ReformTask] = []
    event: TimelineEntry
    inbox: InboxChanges = InboxChanges()


class ComplaintRecord(BaseModel):
    """A step of a complaint: where it stands, its timeline entry, whom it told."""

    workflow_id: str
    seq: int
    subject: ComplaintSubject
    progress: ComplaintProgress
    event: TimelineEntry
    inbox: InboxChanges = InboxChanges()
    credit_events: list[CreditEvent] = []
