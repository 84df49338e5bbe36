"""Input, state, commands and signals of `AgencyWorkflow`."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.agency import (
    AgencyFacts,
    AgencySnapshot,
    Certificate,
    LocalOffice,
    Professional,
)
from agencyflow.domain.bounded import FileId, Label
from agencyflow.domain.credit import OpenObjection, RecordedKind
from agencyflow.domain.errors import Violation
from agencyflow.domain.identity import Actor
from agencyflow.domain.labels import LabelledEnum
from agencyflow.domain.project import CreditEvent
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change

Reason = Annotated[str, Field(min_length=1, max_length=1000)]
Reasons = Annotated[list[Reason], Field(min_length=1, max_length=20)]
Notes = Annotated[str, Field(max_length=4000)]


def agency_workflow_id(uscc: str) -> str:
    return f"agency-{uscc}"


def agency_resource(uscc: str) -> str:
    return f"agencies/{uscc}"


class AffiliationSuspected(BaseModel):
    """Another agency listed one of this agency's full-time people as its own (挂靠?)."""

    other_uscc: str
    other_legal_name: str
    other_jurisdiction_code: str | None
    id_number: str
    professional_name: str


class AgencyState(Memory):
    """Everything the workflow knows; carried whole across continue-as-new."""

    uscc: str
    snapshot: AgencySnapshot | None = None
    next_professional: int = 1
    reminded: list[str] = []
    """Certificates (by key) whose expiry reminder has been sent."""
    expired: list[str] = []
    """Certificates (by key) whose expiry has been acted on."""
    reinstatement_offered: bool = False
    affiliation_alerts: list[str] = []
    """Suspected affiliations already raised, as ``<other agency>/<ID number>``."""
    pending: list[AffiliationSuspected] = []
    """Suspicions signalled but not yet taken up when the workflow continued as new."""
    credit: list[CreditEvent] = []
    """The credit events that count now (the policy's window): bounded by the window, never
    by the agency's age. The ledger itself is in SQL."""
    credit_pending: list[CreditEvent] = []
    """Credit events signalled but not yet taken up when the workflow continued as new."""
    objections: list[OpenObjection] = []
    """Objections awaiting the regulator's answer."""
    objected: list[str] = []
    """Sources of counted events objected to already (once per event)."""
    open_finding: str | None = None
    """What the last on-site verification found wrong, until a conforming one: it counts
    against the agency like a broken admission rule (R9)."""
    next_objection: int = 1


class AgencyInput(BaseModel):
    uscc: str
    policy: Policy
    """The policy of the agency's latest assessment: the one in force when it applied, then
    the one in force at each re-assessment (a run started before
    `changes.AGENCY_CURRENT_POLICY` keeps its first application's)."""
    limits: HistoryLimits = HistoryLimits()
    state: AgencyState | None = None
    """Set only by continue-as-new."""


class AssessmentQuestion(BaseModel):
    """An agency's facts, to be assessed under the policy in force today."""

    facts: AgencyFacts
    today: dt.date


class Assessment(BaseModel):
    """The admission rules' verdict under the policy in force, and that policy: recorded in
    the history by the local activity that made it, so replay reads both back."""

    policy: Policy
    violations: list[Violation]


class CreditObjection(BaseModel):
    """The agency's objection (异议) to a credit event, with why and what shows it."""

    actor: Actor
    source: Annotated[str, Field(min_length=1, max_length=300)]
    reasons: Reasons
    files: Annotated[list[FileId], Field(max_length=10)] = []


class ObjectionDecision(BaseModel):
    """The regulator's answer: the event revoked (撤销), or upheld as it stands."""

    actor: Actor
    source: Annotated[str, Field(min_length=1, max_length=300)]
    revoke: bool
    reasons: Reasons


class CreditRecording(BaseModel):
    """A deduction a regulator records against the agency (R8), with what it rests on."""

    actor: Actor
    kind: RecordedKind
    reference: Annotated[str, Field(min_length=1, max_length=100)]
    """The decision number, the project, hazard or complaint it rests on."""
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    professionals: Annotated[list[Label], Field(max_length=50)] = []
    """The agency's people (``p1``…) it is attributed to: it counts against their stars."""


class AgencyChange(Change):
    """An agency step's change, and what it means for the agency's status, if anything."""

    facts_changed: bool = False
    claims: list[str] | None = None
    """ID numbers of the agency's full-time people after the step, when it changes them."""
    then: Change | None = None
    """The status change the step brought about (限期整改, restored…), in the same record."""
    revoked: list[str] = []
    """Credit events (by source) an upheld objection revoked."""
    files: list[str] = []
    """Files shown as the step's evidence."""


class Submission(BaseModel):
    """An application, or its resubmission after a return or a rejection."""

    actor: Actor
    facts: AgencyFacts


class Decision(BaseModel):
    """A regulator's approval, return, rejection or reinstatement."""

    actor: Actor
    reasons: list[Reason] = []
    notes: Notes | None = None


class NewProfessional(BaseModel):
    actor: Actor
    professional: Professional


class ProfessionalLeaves(BaseModel):
    actor: Actor
    professional_id: str


class CertificatesRenewed(BaseModel):
    actor: Actor
    professional_id: str
    certificates: list[Certificate]


class OfficeMoved(BaseModel):
    actor: Actor
    office: LocalOffice


class WorkplaceChanged(BaseModel):
    actor: Actor
    workplace_area_m2: float
    registered_address: str | None = None


class Verification(BaseModel):
    """An on-site verification (现场核查, R9)."""

    actor: Actor
    verified_on: dt.date
    conforming: bool
    findings: Notes


class InterviewKind(LabelledEnum):
    WARNING = ("warning", "警示")
    INTERVIEW = ("interview", "约谈")


class Interview(BaseModel):
    actor: Actor
    kind: InterviewKind
    held_on: dt.date
    notes: Notes


class ReferralDecision(BaseModel):
    """The city's decision on the open referrals: list the agency (严重失信), or decline."""

    actor: Actor
    list_agency: bool
    decision_number: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    """Required to list: the decision (认定决定书文号)."""
    reasons: Reasons


class RemovalApplication(BaseModel):
    """The agency asks for early removal from the list, with evidence of correction."""

    actor: Actor
    reasons: Reasons
    files: Annotated[list[FileId], Field(max_length=10)] = []


class RemovalDecision(BaseModel):
    """The city removes the agency early (信用修复), or keeps it listed."""

    actor: Actor
    remove: bool
    reasons: Reasons
