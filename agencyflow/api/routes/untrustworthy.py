"""``/untrustworthy/{uscc}``: the seriously-untrustworthy list (严重失信名单, R8). The city
decides each referral a one-vote veto makes; a listed agency may ask for early removal
(信用修复) after the policy's months, and the city decides. Each goes to the agency's
workflow; the answer is the agency's credit after it."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from agencyflow.api.deps import AgencyUser, allow
from agencyflow.api.params import UsccPath
from agencyflow.api.routes.agencies import Service, credit_answer
from agencyflow.api.routes.hazards import require_files
from agencyflow.api.schemas.credit import AgencyCredit
from agencyflow.domain.bounded import FileId, RequiredReasons
from agencyflow.domain.identity import Actor, Role
from agencyflow.workflows.agency.models import (
    ReferralDecision,
    RemovalApplication,
    RemovalDecision,
    agency_workflow_id,
)
from agencyflow.workflows.agency.workflow import AgencyWorkflow

router = APIRouter(prefix="/untrustworthy", tags=["credit"])

City = Annotated[Actor, Depends(allow(Role.CITY_REGULATOR))]


class ReferralDecisionBody(BaseModel):
    decision: Literal["list", "decline"]
    decision_number: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    """Required to list: the city's decision (认定决定书文号)."""
    reasons: RequiredReasons


class RemovalBody(BaseModel):
    reasons: RequiredReasons
    """What the agency has corrected (信用修复)."""
    files: Annotated[list[FileId], Field(max_length=10)] = []
    """Uploaded files (``POST /files``) that show it."""


class RemovalDecisionBody(BaseModel):
    remove: bool
    reasons: RequiredReasons


async def _send(
    uscc: str, actor: Actor, service: Service, update: object, arg: BaseModel
) -> AgencyCredit:
    await service.visible(uscc, actor)
    await service.send(agency_workflow_id(uscc), update, arg, actor)
    return await credit_answer(uscc, service)


@router.post("/{uscc}/decision", name="untrustworthy.decide")
async def decide(
    uscc: UsccPath, body: ReferralDecisionBody, actor: City, service: Service
) -> AgencyCredit:
    """The city lists the agency, with its decision number, or declines, with reasons;
    either way every open referral of the agency is decided."""
    decision = ReferralDecision(
        actor=actor,
        list_agency=body.decision == "list",
        decision_number=body.decision_number,
        reasons=body.reasons,
    )
    return await _send(uscc, actor, service, AgencyWorkflow.decide_referral, decision)


@router.post("/{uscc}/removal", name="untrustworthy.apply_for_removal")
async def apply_for_removal(
    uscc: UsccPath, body: RemovalBody, actor: AgencyUser, service: Service
) -> AgencyCredit:
    """The listed agency asks for early removal, from the policy's months after listing."""
    await require_files(service.engine, {"files": body.files})
    application = RemovalApplication(actor=actor, **body.model_dump())
    return await _send(uscc, actor, service, AgencyWorkflow.apply_for_removal, application)


@router.post("/{uscc}/removal/decision", name="untrustworthy.decide_removal")
async def decide_removal(
    uscc: UsccPath, body: RemovalDecisionBody, actor: City, service: Service
) -> AgencyCredit:
    """The city removes the agency from the list now, or keeps it there, with reasons."""
    decision = RemovalDecision(actor=actor, **body.model_dump())
    return await _send(uscc, actor, service, AgencyWorkflow.decide_removal, decision)
