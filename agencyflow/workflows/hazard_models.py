"""Commands on a hazard, and `MajorHazardWorkflow`'s input and state."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from agencyflow.config.policy import Policy
from agencyflow.domain.hazard import (
    Correction,
    HazardRecord,
    RectificationEvidence,
    Reinspection,
)
from agencyflow.domain.identity import Actor

Reason = Annotated[str, Field(min_length=1, max_length=1000)]


def hazard_workflow_id(hazard_id: str) -> str:
    return f"hazard-{hazard_id}"


def hazard_resource(hazard_id: str) -> str:
    return f"hazards/{hazard_id}"


class HazardEvidence(BaseModel):
    """Rectification evidence, from the enterprise or the agency on its behalf."""

    actor: Actor
    hazard_id: str
    evidence: RectificationEvidence


class HazardReinspection(BaseModel):
    actor: Actor
    reinspection: Reinspection


class HazardCorrection(BaseModel):
    actor: Actor
    hazard_id: str
    correction: Correction


class MajorHazardInput(BaseModel):
    record: HazardRecord
    """As the visit recorded it (its ``found`` entry is already in the ledger)."""
    policy: Policy


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
