"""Input, state and commands of `SpotCheckWorkflow`."""

from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.bounded import Day
from agencyflow.domain.identity import Actor
from agencyflow.domain.project import FailureReason, SpotCheckVerdict
from agencyflow.domain.spot_checks import SpotCheckProgress, SpotCheckSubject
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change


def spot_check_workflow_id(project_id: str) -> str:
    return f"spot-check-{project_id}"


def spot_check_resource(project_id: str) -> str:
    return f"spot-checks/{project_id}"


class SpotCheckOpening(BaseModel):
    actor: Actor | None
    """None: the half-year's sample opened it."""
    subject: SpotCheckSubject


class Examination(BaseModel):
    """The regulator who examined the report against its guideline, and what was found."""

    actor: Actor
    findings: Annotated[str, Field(min_length=1, max_length=4000)]


class Verdict(BaseModel):
    actor: Actor
    verdict: SpotCheckVerdict
    reasons: Annotated[list[FailureReason], Field(max_length=len(FailureReason))] = []
    notes: Annotated[str, Field(max_length=4000)] = ""
    points: Annotated[int, Field(ge=0, le=100)] | None = None
    rectify_by: Day | None = None
    """The agency corrects the report by then (责令整改); a regulator confirms it."""
    refer: bool = False
    """A false report: referred as a veto (一票否决) to the city."""


class Rectified(BaseModel):
    """A regulator confirms the failed report was corrected."""

    actor: Actor
    notes: Annotated[str, Field(min_length=1, max_length=2000)]


class SpotCheckState(Memory):
    subject: SpotCheckSubject | None = None
    progress: SpotCheckProgress | None = None


class SpotCheckInput(BaseModel):
    project_id: str
    policy: Policy
    limits: HistoryLimits = HistoryLimits()
    opening: SpotCheckOpening | None = None
    """The half-year's sample opens its checks by starting them with their opening."""
    state: SpotCheckState | None = None
    """Set only by continue-as-new."""


class SpotCheckChange(Change):
    pass


class DrawRequest(BaseModel):
    county_code: str
    period: str
    seed: str


class DrawAnswer(BaseModel):
    """The drawn reports, ready to be opened, under the policy in force at the draw."""

    policy: Policy
    opened: list[SpotCheckSubject]


class SamplingInput(BaseModel):
    period: str | None = None
    """The half year to sample (``2026H1``); None: the one that ended last."""
