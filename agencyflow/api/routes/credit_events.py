"""``/credit-events/{id}``: objections (异议) to one credit event, and the regulator's answer
(R8). Each goes to the agency's workflow, which keeps the agency's credit."""

from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Path, status
from pydantic import BaseModel, Field

from agencyflow.api.commands import unseen
from agencyflow.api.deps import AgencyUser, Regulator
from agencyflow.api.routes.agencies import Service, credit_answer
from agencyflow.api.routes.hazards import require_files
from agencyflow.api.schemas.credit import AgencyCredit
from agencyflow.domain.bounded import FileId, RequiredReasons
from agencyflow.domain.identity import Actor
from agencyflow.domain.project import CreditEvent
from agencyflow.store import credit
from agencyflow.workflows.agency.models import (
    CreditObjection,
    ObjectionDecision,
    agency_workflow_id,
)
from agencyflow.workflows.agency.workflow import AgencyWorkflow

router = APIRouter(prefix="/credit-events", tags=["credit"])

EventId = Annotated[int, Path(ge=1, le=2_000_000_000)]


class ObjectionBody(BaseModel):
    reasons: RequiredReasons
    files: Annotated[list[FileId], Field(max_length=10)] = []
    """Uploaded files (``POST /files``) that show the event is wrong."""


class ObjectionDecisionBody(BaseModel):
    revoke: bool
    """True: the objection holds and the event is revoked (撤销); false: it stands."""
    reasons: RequiredReasons


async def _send(
    event_id: int,
    actor: Actor,
    service: Service,
    update: Any,
    command: Callable[[CreditEvent], BaseModel],
) -> AgencyCredit:
    """The command about one event, to its agency's workflow; the agency's credit after."""
    event = await anyio.to_thread.run_sync(credit.entry, service.engine, event_id)
    if event is None:
        raise unseen(actor, "credit_event", str(event_id), missing=True)
    await service.visible(event.agency_uscc, actor)
    await service.send(agency_workflow_id(event.agency_uscc), update, command(event), actor)
    return await credit_answer(event.agency_uscc, service)


@router.post("/{event_id}/objection", name="credit.object", status_code=status.HTTP_201_CREATED)
async def object_to(
    event_id: EventId, body: ObjectionBody, actor: AgencyUser, service: Service
) -> AgencyCredit:
    """The agency objects to the event, within the policy's working days of it, once."""
    await require_files(service.engine, {"files": body.files})
    return await _send(
        event_id,
        actor,
        service,
        AgencyWorkflow.object_to_credit_event,
        lambda event: CreditObjection(actor=actor, source=event.source, **body.model_dump()),
    )


@router.post("/{event_id}/objection/decision", name="credit.decide_objection")
async def decide(
    event_id: EventId, body: ObjectionDecisionBody, actor: Regulator, service: Service
) -> AgencyCredit:
    """The regulator revokes the event or lets it stand, with reasons."""
    return await _send(
        event_id,
        actor,
        service,
        AgencyWorkflow.decide_objection,
        lambda event: ObjectionDecision(actor=actor, source=event.source, **body.model_dump()),
    )
