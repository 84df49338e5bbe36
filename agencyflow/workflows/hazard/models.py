"""Input, state, commands and signals of `HazardWorkflow`."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.hazard import (
    Correction,
    HazardRecord,
    HazardReport,
    RectificationEvidence,
    Reinspection,
)
from agencyflow.domain.identity import Actor
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change

Reason = Annotated[str, Field(min_length=1, max_length=1000)]


def hazard_workflow_id(hazard_id: str) -> str:
    return f"hazard-{hazard_id}"


def hazard_resource(hazard_id: str) -> str:
    return f"hazards/{hazard_id}"


class VisitNotice(BaseModel):
    """From the project: a visit re-inspected this hazard, or found it still open."""

    hazard_id: str
    visit_id: str
    number: int
    """The visit's number in its project: a hazard takes each visit into account once."""
    actor: Actor
    reinspection: Reinspection | None = None


class HazardState(Memory):
    """Everything the workflow knows; carried whole across continue-as-new."""

    record: HazardRecord
    pending: list[VisitNotice] = []
    """Visits not yet taken into account when the workflow continued as new."""


class HazardInput(BaseModel):
    record: HazardRecord
    """As the visit recorded it: its first row and ledger entry are already written."""
    policy: Policy
    """The project's policy: a hazard is judged by the rules its project started under."""
    limits: HistoryLimits = HistoryLimits()
    state: HazardState | None = None
    """Set only by continue-as-new."""


class HazardEvidence(BaseModel):
    """Rectification evidence, from the enterprise or the agency on its behalf."""

    actor: Actor
    hazard_id: str
    evidence: RectificationEvidence


class HazardReinspection(BaseModel):
    """A re-inspection by the agency outside a visit, e.g. after the service has ended."""

    actor: Actor
    reinspection: Reinspection


class HazardCorrection(BaseModel):
    actor: Actor
    hazard_id: str
    correction: Correction


class Acknowledgement(BaseModel):
    actor: Actor
    notes: Annotated[str, Field(max_length=2000)] = ""


class Supervision(BaseModel):
    """挂牌督办: the regulator sets a deadline it supervises itself."""

    actor: Actor
    deadline: dt.date
    notes: Annotated[str, Field(max_length=2000)] = ""


class HazardVerification(BaseModel):
    actor: Actor
    accepted: bool
    reasons: list[Reason] = []


class HazardChange(Change):
    """A hazard step's change: its ledger entry's words and what else it touched."""

    data: dict[str, object] = {}
    """The entry's structured details (evidence, re-inspection, corrected facts…)."""
    corrects_seq: int | None = None
    report: HazardReport | None = None
    """The corrected report, when the step corrected it."""
    takes_notice: bool = False
    """The step takes a visit's notice into account."""
