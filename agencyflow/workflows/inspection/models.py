"""Input, state and commands of `InspectionCampaignWorkflow`."""

from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.bounded import Day
from agencyflow.domain.identity import Actor
from agencyflow.domain.inspections import (
    Campaign,
    Checklist,
    Findings,
    InspectionDecisions,
    InspectionTarget,
    InspectionTask,
)
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change


def campaign_id(county_code: str, quarter: str) -> str:
    return f"{county_code}-{quarter}"


def campaign_workflow_id(task_queue: str, county_code: str, quarter: str) -> str:
    """Named after the deployment's task queue too: deployments sharing a namespace (and the
    tests, on one server) keep their campaigns apart."""
    return f"inspection-campaign-{task_queue}-{campaign_id(county_code, quarter)}"


def campaign_resource(county_code: str, quarter: str) -> str:
    return f"inspections/{county_code}/{quarter}"


def task_resource(county_code: str, quarter: str, agency_uscc: str) -> str:
    return f"{campaign_resource(county_code, quarter)}/{agency_uscc}"


class PlanRequest(BaseModel):
    county_code: str
    quarter: str


class Plan(BaseModel):
    """The agencies active in the county when the quarter's campaign opened, and the policy
    in force then (the campaign keeps it)."""

    policy: Policy
    targets: list[InspectionTarget]


class CampaignState(Memory):
    campaign: Campaign | None = None
    tasks: dict[str, InspectionTask] = {}
    """By agency USCC."""
    ended: bool = False


class CampaignInput(BaseModel):
    county_code: str
    quarter: str
    limits: HistoryLimits = HistoryLimits()
    policy: Policy | None = None
    """Set by continue-as-new (the policy of the campaign's plan)."""
    state: CampaignState | None = None
    """Set only by continue-as-new."""


class QuarterInput(BaseModel):
    deployment: str
    """The deployment's task queue, which the campaigns' workflow ids carry (an input, not
    read from the run: a replay runs on a task queue of its own)."""
    quarter: str | None = None
    """The quarter to open (``2026Q4``); None: the one that begins today."""


class Inspection(BaseModel):
    actor: Actor
    target: InspectionTarget
    """The agency, as the API found it visible to the county."""
    inspected_on: Day
    checklist: Checklist
    findings: Findings
    decisions: InspectionDecisions = InspectionDecisions()


class Recheck(BaseModel):
    """The re-check of an ordered rectification: put right, or not (then a new deadline)."""

    actor: Actor
    agency_uscc: str
    rechecked_on: Day
    conforming: bool
    notes: Annotated[str, Field(min_length=1, max_length=2000)]
    new_deadline: Day | None = None


class CampaignChange(Change):
    touched: list[str] = []
    """The agencies whose tasks the step changed."""
