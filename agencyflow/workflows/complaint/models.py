"""Input, state and commands of `ComplaintWorkflow`."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.bounded import RequiredReasons
from agencyflow.domain.complaints import (
    ComplaintOutcome,
    ComplaintProgress,
    ComplaintSubject,
    Report,
)
from agencyflow.domain.identity import Actor
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change


def complaint_workflow_id(code: str) -> str:
    return f"complaint-{code}"


class ComplaintState(Memory):
    subject: ComplaintSubject | None = None
    progress: ComplaintProgress | None = None
    merge_pending: str | None = None
    """The complaint this one was merged into, signalled but not yet recorded: carried
    across continue-as-new so the signal is never lost."""


class ComplaintInput(BaseModel):
    code: str
    policy: Policy
    limits: HistoryLimits = HistoryLimits()
    filing: ComplaintSubject | None = None
    """The complaint as filed: the workflow records it as its first step."""
    state: ComplaintState | None = None
    """Set only by continue-as-new."""


class Acceptance(BaseModel):
    actor: Actor


class Refusal(BaseModel):
    actor: Actor
    reasons: RequiredReasons


class Extension(BaseModel):
    actor: Actor
    days: Annotated[int, Field(ge=1, le=365)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class Penalty(BaseModel):
    """The administrative penalty imposed on the agency for what the complaint found: it
    reaches the agency's credit as the credit work records any penalty, once per decision."""

    decision_number: Annotated[str, Field(min_length=1, max_length=100)]
    """处罚决定书文号."""
    serious: bool = False


class Outcome(BaseModel):
    actor: Actor
    outcome: ComplaintOutcome
    findings: Annotated[str, Field(min_length=1, max_length=4000)]
    """Internal: the regulators' account of the investigation."""
    published: Annotated[str, Field(min_length=1, max_length=2000)]
    """What the reporter is told."""
    fine_yuan: Annotated[Decimal, Field(ge=0, le=100_000_000, decimal_places=2)] | None = None
    """The fine imposed, which the reward is a share of."""
    penalty: Penalty | None = None


class Merge(BaseModel):
    """A later report of the same matter, merged into this complaint."""

    actor: Actor
    report: Report


class RewardApproval(BaseModel):
    actor: Actor


class RewardPayment(BaseModel):
    actor: Actor
    paid_on: dt.date


class ComplaintChange(Change):
    pass
