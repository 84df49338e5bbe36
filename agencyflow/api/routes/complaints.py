"""``/complaints``: the regulators' side of complaints (举报, R13): the queue with its
deadlines, acceptance or refusal, the one extension, the outcome, and revealing a
reporter's identity, which needs a reason and is audited for the city to see.

A county's regulators handle the complaints routed to their county; the city handles those
about agencies not on the register and may act on any. No one else reaches them, the agency
complained about least of all.
"""

import json
from decimal import Decimal
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, field_validator

from agencyflow.api.commands import Commands, unseen
from agencyflow.api.deps import Regulator, allow, own_county
from agencyflow.api.params import CountyQuery, Limit, Offset
from agencyflow.api.schemas.paging import Page
from agencyflow.domain.bounded import Day, RequiredReasons, document_number
from agencyflow.domain.complaints import (
    CENT,
    ComplaintOutcome,
    ComplaintStage,
    Report,
    complaint_resource,
    may_handle,
)
from agencyflow.domain.errors import Conflict, RuleViolations
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.timeline import TimelineEntry
from agencyflow.store import complaints, timeline
from agencyflow.store.complaints import ComplaintView, RevealRow
from agencyflow.store.types import utcnow
from agencyflow.workflows.complaint.models import (
    Acceptance,
    Extension,
    Merge,
    Outcome,
    Penalty,
    Refusal,
    RewardApproval,
    RewardPayment,
    complaint_workflow_id,
)
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow

router = APIRouter(prefix="/complaints", tags=["complaints"])

City = Annotated[Actor, Depends(allow(Role.CITY_REGULATOR))]
CodePath = Annotated[str, Path(max_length=32)]
Why = Annotated[str, Field(min_length=1, max_length=2000)]


ComplaintPage = Page[ComplaintView]


class ComplaintDetail(ComplaintView):
    timeline: list[TimelineEntry]


class RefusalBody(BaseModel):
    reasons: RequiredReasons


class ExtensionBody(BaseModel):
    days: Annotated[int, Field(ge=1, le=365)]
    reason: Why


class OutcomeBody(BaseModel):
    outcome: ComplaintOutcome
    findings: Why
    published: Why
    fine_yuan: Annotated[float, Field(ge=0, le=100_000_000)] | None = None
    """The fine imposed (yuan, to the fen): the reward is a share of it."""
    penalty: Penalty | None = None
    """The administrative penalty's decision, if one was imposed: it costs the agency the
    policy's deduction, as recorded through ``/agencies/{uscc}/credit/events``, once."""

    @field_validator("penalty")
    @classmethod
    def _one_spelling(cls, penalty: Penalty | None) -> Penalty | None:
        """Its number spelt as ``/credit/events`` spells it, so that both count it once."""
        if penalty is None:
            return None
        number = document_number(penalty.decision_number)
        if not number:
            raise ValueError("decision_number must not be blank")
        return penalty.model_copy(update={"decision_number": number})


class MergeBody(BaseModel):
    report: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Z0-9]+$")]
    """The code of a later report of the same matter, to be merged into this complaint."""


class PaymentBody(BaseModel):
    paid_on: Day


class RevealBody(BaseModel):
    reason: Why
    """Why the reporter's identity is needed: kept with the reveal, shown to the city."""


class Identity(BaseModel):
    name: str | None = None
    phone: str | None = None
    id_number: str | None = None


RevealPage = Page[RevealRow]


class Complaints(Commands):
    async def visible(self, code: str, actor: Actor) -> ComplaintView:
        self.request.state.audit_resource = complaint_resource(code)
        found = await anyio.to_thread.run_sync(complaints.get, self.engine, code)
        if found is None or not may_handle(actor, found.subject.county_code):
            raise unseen(actor, "complaint", code, missing=found is None)
        return found

    async def answer(self, code: str) -> ComplaintDetail:
        def read() -> tuple[ComplaintView | None, list[TimelineEntry]]:
            entries = timeline.entries(self.engine, complaint_resource(code), regulators=True)
            return complaints.get(self.engine, code), entries

        found, entries = await anyio.to_thread.run_sync(read)
        assert found is not None, "an update returned before its record was written"
        return ComplaintDetail(subject=found.subject, progress=found.progress, timeline=entries)

    async def update(
        self, code: str, actor: Actor, update: Any, arg: Any, *, open_only: bool = True
    ) -> ComplaintDetail:
        """The step on the complaint's workflow; one closed takes only its reward's steps
        (``open_only=False``), and the workflow refuses those when no reward is owed."""
        found = await self.visible(code, actor)
        if open_only and not found.progress.open:
            raise Conflict("the complaint is closed", code="complaint.closed")
        if not open_only and found.progress.settled:
            raise Conflict("the complaint is settled", code="complaint.settled")
        await self.send(complaint_workflow_id(code), update, arg, actor)
        return await self.answer(code)


Service = Annotated[Complaints, Depends(Complaints)]


@router.get("", name="complaints.list")
async def list_complaints(
    actor: Regulator,
    service: Service,
    county: CountyQuery = None,
    stage: ComplaintStage | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ComplaintPage:
    """The complaints in the regulator's reach, open ones first, oldest first."""
    county = own_county(actor, county)
    total, items = await anyio.to_thread.run_sync(
        lambda: complaints.search(
            service.engine, county_code=county, stage=stage, limit=limit, offset=offset
        )
    )
    return ComplaintPage(total=total, items=items)


@router.get("/reveals", name="complaints.reveals")
async def reveals(
    actor: City,
    service: Service,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RevealPage:
    """Every reveal of a reporter's identity, newest first: who, when, why."""
    total, items = await anyio.to_thread.run_sync(
        lambda: complaints.reveals(service.engine, limit=limit, offset=offset)
    )
    return RevealPage(total=total, items=items)


@router.get("/{code}", name="complaints.show")
async def show(code: CodePath, actor: Regulator, service: Service) -> ComplaintDetail:
    await service.visible(code, actor)
    return await service.answer(code)


@router.post("/{code}/acceptance", name="complaints.accept")
async def accept(code: CodePath, actor: Regulator, service: Service) -> ComplaintDetail:
    """受理: the investigation's 60 days begin."""
    return await service.update(code, actor, ComplaintWorkflow.accept, Acceptance(actor=actor))


@router.post("/{code}/refusal", name="complaints.refuse")
async def refuse(
    code: CodePath, body: RefusalBody, actor: Regulator, service: Service
) -> ComplaintDetail:
    """不予受理, with the reasons the reporter is told."""
    refusal = Refusal(actor=actor, reasons=body.reasons)
    return await service.update(code, actor, ComplaintWorkflow.refuse, refusal)


@router.post("/{code}/extension", name="complaints.extend")
async def extend(
    code: CodePath, body: ExtensionBody, actor: Regulator, service: Service
) -> ComplaintDetail:
    """The one extension of the investigation, with its reason."""
    extension = Extension(actor=actor, days=body.days, reason=body.reason)
    return await service.update(code, actor, ComplaintWorkflow.extend, extension)


@router.post("/{code}/outcome", name="complaints.decide")
async def decide(
    code: CodePath, body: OutcomeBody, actor: Regulator, service: Service
) -> ComplaintDetail:
    """The outcome: found true costs the agency its deduction and earns the reward."""
    fine = None if body.fine_yuan is None else Decimal(str(body.fine_yuan)).quantize(CENT)
    outcome = Outcome(
        actor=actor,
        outcome=body.outcome,
        findings=body.findings,
        published=body.published,
        fine_yuan=fine,
        penalty=body.penalty,
    )
    return await service.update(code, actor, ComplaintWorkflow.decide, outcome)


@router.post("/{code}/merge", name="complaints.merge")
async def merge(
    code: CodePath, body: MergeBody, actor: Regulator, service: Service
) -> ComplaintDetail:
    """Merge a later report of the same matter into this complaint, which then answers for
    both; the report filed first keeps the right to the reward. Both must be open and
    handled by the same office."""
    if body.report == code:
        raise RuleViolations.one("complaint.merge_self", "report", "another report")
    target = await service.visible(code, actor)
    other = await service.visible(body.report, actor)
    if other.subject.county_code != target.subject.county_code:
        raise RuleViolations.one(
            "complaint.merge_elsewhere", "report", "a report handled by the same office"
        )
    if not other.progress.open:
        raise Conflict(f"{body.report} is closed", code="complaint.closed")
    subject = other.subject
    report = Report(code=subject.code, filed_at=subject.filed_at, reporter_ref=subject.reporter_ref)
    return await service.update(
        code, actor, ComplaintWorkflow.merge, Merge(actor=actor, report=report)
    )


@router.post("/{code}/reward/approval", name="complaints.approve_reward")
async def approve_reward(code: CodePath, actor: Regulator, service: Service) -> ComplaintDetail:
    """Approve the reward of a complaint found true, as computed with its outcome."""
    approval = RewardApproval(actor=actor)
    return await service.update(
        code, actor, ComplaintWorkflow.approve_reward, approval, open_only=False
    )


@router.post("/{code}/reward/payment", name="complaints.pay_reward")
async def pay_reward(
    code: CodePath, body: PaymentBody, actor: Regulator, service: Service
) -> ComplaintDetail:
    """Record the approved reward paid, and on which day; the complaint is then settled."""
    payment = RewardPayment(actor=actor, paid_on=body.paid_on)
    return await service.update(code, actor, ComplaintWorkflow.pay_reward, payment, open_only=False)


@router.post("/{code}/reporter", name="complaints.reveal")
async def reveal(code: CodePath, body: RevealBody, actor: Regulator, service: Service) -> Identity:
    """The reporter's identity, to a regulator handling the complaint, for a reason; the
    reveal is kept and shown to the city. An anonymous complaint has none (409)."""
    found = await service.visible(code, actor)
    ref = found.subject.reporter_ref
    if ref is None:
        raise Conflict("the complaint was filed anonymously", code="complaint.anonymous")
    sealer = service.settings.reporter_sealer()
    row = RevealRow(
        code=code,
        user_id=actor.user_id,
        revealed_by=actor.label,
        reason=body.reason,
        revealed_at=utcnow(),
    )
    identity = await anyio.to_thread.run_sync(
        complaints.reveal_reporter, service.engine, sealer, ref, row
    )
    return Identity.model_validate(json.loads(identity))
