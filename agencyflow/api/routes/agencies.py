"""Agencies: application, review, monitoring changes and supervision records (R2, R6, R9).

Every command goes to the agency's workflow as an update; every answer is read back from
the read model, which the update has already brought up to date.
"""

import datetime as dt
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Body, Depends, Query, status
from temporalio.client import WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from agencyflow.api.commands import Commands, unseen
from agencyflow.api.deps import AgencyUser, EngineDep, Regulator, SettingsDep, allow, own_county
from agencyflow.api.grades import GradeQuery, grade_of
from agencyflow.api.params import Limit, Offset, ProfessionalIdPath, UsccPath
from agencyflow.api.schemas.agencies import (
    AgencyPage,
    AgencyPublic,
    InboxItemSummary,
    InterviewBody,
    NotesBody,
    ReasonsBody,
    VerificationBody,
    WorkplaceBody,
    detail,
    summary,
)
from agencyflow.api.schemas.credit import AgencyCredit, CreditRecordingBody, credit_of
from agencyflow.domain.admission import check_admission
from agencyflow.domain.agency import (
    AgencyFacts,
    AgencySnapshot,
    AgencyStatus,
    Certificate,
    LocalOffice,
    Professional,
)
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations
from agencyflow.domain.identity import Actor, Role, may_access
from agencyflow.domain.project import CreditEvent
from agencyflow.domain.service_types import ServiceType
from agencyflow.store import agencies, credit, inbox, projects, timeline
from agencyflow.workflows.agency.models import (
    AgencyInput,
    CertificatesRenewed,
    CreditRecording,
    Decision,
    Interview,
    NewProfessional,
    OfficeMoved,
    ProfessionalLeaves,
    Submission,
    Verification,
    WorkplaceChanged,
    agency_resource,
    agency_workflow_id,
)
from agencyflow.workflows.agency.workflow import AgencyWorkflow

router = APIRouter(prefix="/agencies", tags=["agencies"])

Reader = Annotated[
    Actor, Depends(allow(Role.AGENCY, Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN))
]
Lister = Annotated[Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN))]


class Agencies(Commands):
    """What every agency route needs: scope checks, updates, and answers from the read model."""

    async def visible(self, uscc: UsccPath, actor: Actor) -> AgencySnapshot:
        """The agency, if the caller may see it (else see `unseen`)."""
        self.request.state.audit_resource = agency_resource(uscc)
        snapshot = await anyio.to_thread.run_sync(agencies.get, self.engine, uscc)
        if snapshot is None or not (
            may_access(actor, county_code=snapshot.jurisdiction_code, agency_uscc=uscc)
            or await self.works_in_county_of(actor, uscc)
        ):
            raise unseen(actor, "agency", uscc, missing=snapshot is None)
        return snapshot

    async def works_in_county_of(self, actor: Actor, uscc: str) -> bool:
        """A county sees every agency that works there, out-of-town ones too (R14: it
        inspects them); deciding on an agency's admission stays with its own county."""
        if actor.role is not Role.COUNTY_REGULATOR or actor.county_code is None:
            return False
        return await anyio.to_thread.run_sync(
            projects.works_in, self.engine, uscc, actor.county_code
        )

    async def update(self, uscc: UsccPath, actor: Actor, update: Any, arg: Any) -> AgencyPublic:
        await self.visible(uscc, actor)
        await self.send(agency_workflow_id(uscc), update, arg, actor)
        return await self.answer(uscc, actor)

    async def answer(self, uscc: UsccPath, actor: Actor) -> AgencyPublic:
        snapshot = await anyio.to_thread.run_sync(agencies.get, self.engine, uscc)
        assert snapshot is not None, "an update returned before its record was written"
        return await self.detail(snapshot, actor)

    async def detail(self, snapshot: AgencySnapshot, actor: Actor) -> AgencyPublic:
        resource = agency_resource(snapshot.uscc)
        regulator = actor.role is not Role.AGENCY
        engine = self.engine

        def read() -> tuple[Any, Any]:
            return (
                timeline.entries(engine, resource, regulators=regulator),
                inbox.open_items_of(engine, resource),
            )

        entries, items = await anyio.to_thread.run_sync(read)
        visible_items = [
            InboxItemSummary(
                kind=i.kind, title=i.title, role=i.role, scope_id=i.scope_id, due_at=i.due_at
            )
            for i in items
            # The agency sees what waits for it; regulators see everything on the file.
            if regulator or i.role == Role.AGENCY.value
        ]
        return detail(
            snapshot,
            timeline=entries,
            open_items=visible_items,
            temporal_ui_url=self.workflow_url(agency_workflow_id(snapshot.uscc)),
        )


Service = Annotated[Agencies, Depends(Agencies)]


# ---------------------------------------------------------------------- reading


@router.get("", name="agencies.list")
async def list_agencies(
    actor: Lister,
    engine: EngineDep,
    settings: SettingsDep,
    grades: GradeQuery,
    county: Annotated[
        str | None,
        Query(max_length=6, description="county code: agencies under it or working there"),
    ] = None,
    status_: Annotated[AgencyStatus | None, Query(alias="status")] = None,
    service_type: ServiceType | None = None,
    out_of_town: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AgencyPage:
    """Agencies in the regulator's reach: under its county or working there; ``grade`` and
    ``sort=grade`` single out those under close supervision (重点监管: C and D)."""
    county = own_county(actor, county)
    total, found = await anyio.to_thread.run_sync(
        lambda: agencies.search(
            engine,
            working_in=county,
            status=status_,
            service_type=service_type.value if service_type else None,
            out_of_town=out_of_town,
            grades=grades,
            limit=limit,
            offset=offset,
        )
    )
    rules = settings.policy.credit_rules()
    return AgencyPage(total=total, items=[summary(s, grade_of(s, rules)) for s in found])


@router.get("/{uscc}", name="agencies.show")
async def show(uscc: UsccPath, actor: Reader, service: Service) -> AgencyPublic:
    return await service.detail(await service.visible(uscc, actor), actor)


@router.get("/{uscc}/credit", name="agencies.credit")
async def show_credit(uscc: UsccPath, actor: Reader, service: Service) -> AgencyCredit:
    """The agency's credit score and grade under the policy in force, with the events that
    count and those that no longer do (R8)."""
    await service.visible(uscc, actor)
    return await credit_answer(uscc, service)


@router.post(
    "/{uscc}/credit/events",
    name="agencies.record_credit_event",
    status_code=status.HTTP_201_CREATED,
)
async def record_credit_event(
    uscc: UsccPath, body: CreditRecordingBody, actor: Regulator, service: Service
) -> AgencyCredit:
    """A deduction the regulator records (R8): service without a practice notification, a
    complaint found true, a major hazard the agency missed, work beyond its scope, an
    administrative penalty (serious or not); each deducts its policy setting once per
    reference."""
    recording = CreditRecording(actor=actor, **body.model_dump())
    await service.visible(uscc, actor)
    await service.send(
        agency_workflow_id(uscc), AgencyWorkflow.record_credit_event, recording, actor
    )
    return await credit_answer(uscc, service)


async def credit_answer(uscc: str, service: Agencies) -> AgencyCredit:
    """The agency's credit as its workflow keeps it, and the ledger behind, each event with
    its id."""

    def read() -> tuple[AgencySnapshot | None, list[CreditEvent], dict[str, int]]:
        engine = service.engine
        events, ids = credit.of_agency(engine, uscc), credit.ids_of(engine, uscc)
        return agencies.get(engine, uscc), events, ids

    snapshot, events, ids = await anyio.to_thread.run_sync(read)
    if snapshot is None:
        raise NotFound(f"no agency {uscc}", code="agency.not_found")
    rules = service.settings.policy.credit_rules()
    return credit_of(snapshot, events, ids, dt.datetime.now(dt.UTC), rules)


# ---------------------------------------------------------------------- application


@router.post("", name="agencies.apply", status_code=status.HTTP_201_CREATED)
async def apply(facts: AgencyFacts, actor: AgencyUser, service: Service) -> AgencyPublic:
    """Apply for admission. Every failed admission rule is reported at once (422)."""
    service.request.state.audit_resource = agency_resource(facts.uscc)
    if facts.uscc != actor.agency_uscc:
        raise Forbidden("an agency may apply only for itself", code="auth.out_of_scope")
    if await anyio.to_thread.run_sync(agencies.get, service.engine, facts.uscc) is not None:
        raise Conflict(
            f"agency {facts.uscc} has already applied; see /agencies/{facts.uscc}, and after a "
            f"return or rejection submit again with PUT /agencies/{facts.uscc}/application",
            code="agency.already_applied",
        )
    # Checked here as well, so that a failing application starts nothing at all.
    policy = service.settings.policy
    violations = check_admission(facts, policy.admission_rules(), dt.datetime.now(CHINA_TZ).date())
    if violations:
        raise RuleViolations(violations)
    start = WithStartWorkflowOperation(
        AgencyWorkflow.run,
        AgencyInput(uscc=facts.uscc, policy=policy, limits=service.settings.history_limits()),
        id=agency_workflow_id(facts.uscc),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        task_queue=service.settings.temporal_task_queue,
    )
    await service.start(AgencyWorkflow.submit, Submission(actor=actor, facts=facts), actor, start)
    return await service.answer(facts.uscc, actor)


@router.put("/{uscc}/application", name="agencies.resubmit")
async def resubmit(
    uscc: UsccPath, facts: AgencyFacts, actor: AgencyUser, service: Service
) -> AgencyPublic:
    """Submit the corrected application after a return, or apply again after a rejection."""
    if facts.uscc != uscc:
        raise Forbidden("the application's USCC is not this agency's", code="auth.out_of_scope")
    return await service.update(
        uscc, actor, AgencyWorkflow.submit, Submission(actor=actor, facts=facts)
    )


@router.post("/{uscc}/approve", name="agencies.approve")
async def approve(
    uscc: UsccPath, body: NotesBody, actor: Regulator, service: Service
) -> AgencyPublic:
    decision = Decision(actor=actor, notes=body.notes)
    return await service.update(uscc, actor, AgencyWorkflow.approve, decision)


@router.post("/{uscc}/return", name="agencies.return")
async def return_application(
    uscc: UsccPath, body: ReasonsBody, actor: Regulator, service: Service
) -> AgencyPublic:
    decision = Decision(actor=actor, reasons=body.reasons)
    return await service.update(uscc, actor, AgencyWorkflow.return_application, decision)


@router.post("/{uscc}/reject", name="agencies.reject")
async def reject(
    uscc: UsccPath, body: ReasonsBody, actor: Regulator, service: Service
) -> AgencyPublic:
    decision = Decision(actor=actor, reasons=body.reasons)
    return await service.update(uscc, actor, AgencyWorkflow.reject, decision)


@router.post("/{uscc}/reinstate", name="agencies.reinstate")
async def reinstate(
    uscc: UsccPath, body: NotesBody, actor: Regulator, service: Service
) -> AgencyPublic:
    decision = Decision(actor=actor, notes=body.notes)
    return await service.update(uscc, actor, AgencyWorkflow.reinstate, decision)


# ---------------------------------------------------------------------- monitoring


@router.post(
    "/{uscc}/professionals",
    name="agencies.add_professional",
    status_code=status.HTTP_201_CREATED,
)
async def add_professional(
    uscc: UsccPath, professional: Professional, actor: AgencyUser, service: Service
) -> AgencyPublic:
    change = NewProfessional(actor=actor, professional=professional)
    return await service.update(uscc, actor, AgencyWorkflow.add_professional, change)


@router.delete("/{uscc}/professionals/{professional_id}", name="agencies.remove_professional")
async def remove_professional(
    uscc: UsccPath, professional_id: ProfessionalIdPath, actor: AgencyUser, service: Service
) -> AgencyPublic:
    change = ProfessionalLeaves(actor=actor, professional_id=professional_id)
    return await service.update(uscc, actor, AgencyWorkflow.remove_professional, change)


@router.put(
    "/{uscc}/professionals/{professional_id}/certificates",
    name="agencies.renew_certificates",
)
async def renew_certificates(
    uscc: UsccPath,
    professional_id: ProfessionalIdPath,
    certificates: Annotated[list[Certificate], Body(max_length=20)],
    actor: AgencyUser,
    service: Service,
) -> AgencyPublic:
    """Replace the professional's certificates, e.g. with a renewed one."""
    change = CertificatesRenewed(
        actor=actor, professional_id=professional_id, certificates=certificates
    )
    return await service.update(uscc, actor, AgencyWorkflow.renew_certificates, change)


@router.put("/{uscc}/office", name="agencies.move_office")
async def move_office(
    uscc: UsccPath, office: LocalOffice, actor: AgencyUser, service: Service
) -> AgencyPublic:
    change = OfficeMoved(actor=actor, office=office)
    return await service.update(uscc, actor, AgencyWorkflow.move_office, change)


@router.put("/{uscc}/workplace", name="agencies.change_workplace")
async def change_workplace(
    uscc: UsccPath, body: WorkplaceBody, actor: AgencyUser, service: Service
) -> AgencyPublic:
    change = WorkplaceChanged(actor=actor, **body.model_dump())
    return await service.update(uscc, actor, AgencyWorkflow.change_workplace, change)


# ---------------------------------------------------------------------- supervision records


@router.post(
    "/{uscc}/verifications",
    name="agencies.record_verification",
    status_code=status.HTTP_201_CREATED,
)
async def record_verification(
    uscc: UsccPath, body: VerificationBody, actor: Regulator, service: Service
) -> AgencyPublic:
    """An on-site verification (现场核查, R9)."""
    verification = Verification(actor=actor, **body.model_dump())
    return await service.update(uscc, actor, AgencyWorkflow.record_verification, verification)


@router.post(
    "/{uscc}/interviews", name="agencies.record_interview", status_code=status.HTTP_201_CREATED
)
async def record_interview(
    uscc: UsccPath, body: InterviewBody, actor: Regulator, service: Service
) -> AgencyPublic:
    """A warning (警示) or an interview (约谈) with the agency."""
    interview = Interview(actor=actor, **body.model_dump())
    return await service.update(uscc, actor, AgencyWorkflow.record_interview, interview)
