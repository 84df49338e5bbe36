"""Input, state and commands of `ReformProgrammeWorkflow`."""

import datetime as dt

from pydantic import BaseModel

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.bounded import Reasons
from agencyflow.domain.identity import Actor
from agencyflow.domain.reform import (
    EvidenceRequest,
    Owner,
    ReformTask,
    ReformYear,
    ServiceTypeList,
    TaskKey,
)
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change


def reform_workflow_id(county_code: str, year: int) -> str:
    return f"reform-{county_code}-{year}"


def reform_resource(county_code: str, year: int) -> str:
    return f"reform/{county_code}/{year}"


class ReformOpening(BaseModel):
    actor: Actor | None
    """None: the yearly Schedule opened it."""
    county_code: str
    year: ReformYear


class ServiceTypesUpdate(BaseModel):
    actor: Actor
    types: ServiceTypeList


class OwnerAssignment(BaseModel):
    actor: Actor
    key: TaskKey
    owner: Owner


class EvidenceSubmission(BaseModel):
    actor: Actor
    key: TaskKey
    evidence: EvidenceRequest


class SignOff(BaseModel):
    """The city's close-out (销号) of a task, or its evidence sent back with reasons."""

    actor: Actor
    key: TaskKey
    accepted: bool
    reasons: Reasons = []


class ReformState(Memory):
    county_code: str | None = None
    year: int | None = None
    opened_at: dt.datetime | None = None
    types: ServiceTypeList = ServiceTypeList()
    tasks: list[ReformTask] = []

    @property
    def finished(self) -> bool:
        """Every task closed: the programme's year is done."""
        return bool(self.tasks) and all(t.signed_off_at is not None for t in self.tasks)


class ReformInput(BaseModel):
    county_code: str
    year: int
    policy: Policy
    limits: HistoryLimits = HistoryLimits()
    opening: ReformOpening | None = None
    """The yearly Schedule opens its programmes by starting them with their opening."""
    state: ReformState | None = None
    """Set only by continue-as-new."""


class ReformChange(Change):
    tasks_changed: list[str] = []
    """Keys of the tasks the step changed: only their rows are written."""
    types_changed: bool = False


class LaunchInput(BaseModel):
    year: int | None = None
    """The programmes' year; None: the policy's ``reform_year``, else this year."""
