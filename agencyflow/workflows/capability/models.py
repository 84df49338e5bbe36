"""Input, state and commands of `CapabilityTestWorkflow`."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.limits import HistoryLimits
from agencyflow.domain.capability import (
    MAX_RESULTS,
    ExamResult,
    ExamSession,
    PublicWarning,
)
from agencyflow.domain.identity import Actor
from agencyflow.workflows.memory import Memory
from agencyflow.workflows.steps import Change

MAX_SESSION_RESULTS = 2_000
"""People one session may test: its state stays far below Temporal's payload limits."""


def capability_workflow_id(session_id: str) -> str:
    return f"capability-test-{session_id}"


def capability_resource(session_id: str) -> str:
    return f"capability-tests/{session_id}"


class SessionOpening(BaseModel):
    actor: Actor
    session: ExamSession


class ResultBatch(BaseModel):
    """Results of the session's professionals, by agency and professional id (no names, no
    ID numbers: the API has mapped the sheet's people to their agencies' references)."""

    actor: Actor
    results: Annotated[list[ExamResult], Field(min_length=1, max_length=MAX_RESULTS)]


class SessionClosing(BaseModel):
    actor: Actor


class CapabilityState(Memory):
    session: ExamSession | None = None
    opened_by: str = ""
    opened_at: dt.datetime | None = None
    results: dict[str, ExamResult] = {}
    """By ``<agency>/<professional id>``: one result per person and session."""
    closed_at: dt.datetime | None = None


class CapabilityInput(BaseModel):
    session_id: str
    limits: HistoryLimits = HistoryLimits()
    state: CapabilityState | None = None
    """Set only by continue-as-new."""


class SessionChange(Change):
    results: list[ExamResult] = []
    warnings: list[PublicWarning] = []
