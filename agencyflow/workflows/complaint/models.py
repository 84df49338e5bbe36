"""Input, state and commands of `ComplaintWorkflow`."""

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.bounded import RequiredReasons
from agencyflow.domain.complaints import ComplaintOutcome, ComplaintProgress, ComplaintSubject
from agencyflow.domain.identity import Actor
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change


def complaint_workflow_id(code: str) -> str:
    return f"complaint-{code}"


def complaint_resource(code: str) -> str:
    return f"complaints/{code}"


class ComplaintState(Memory):
    subject: ComplaintSubject | None = None
    progress: ComplaintProgress | None = None


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


class Outcome(BaseModel):
    actor: Actor
    outcome: ComplaintOutcome
    findings: Annotated[str, Field(min_length=1, max_length=4000)]
    """Internal: the regulators' account of the investigation."""
    published: Annotated[str, Field(min_length=1, max_length=2000)]
    """What the reporter is told."""
    fine_yuan: Annotated[Decimal, Field(ge=0, le=100_000_000, decimal_places=2)] | None = None
    """The fine imposed, which the reward is a share of."""


class ComplaintChange(Change):
    pass
