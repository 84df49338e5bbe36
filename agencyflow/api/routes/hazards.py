"""Hazards (隐患, R5): reading them, rectification evidence, corrections, and the regulators'
steps on major hazards. Each hazard has a workflow of its own; every command goes there.
"""

import datetime as dt
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.api.deps import EngineDep, TemporalDep, allow
from agencyflow.api.schemas.hazards import HazardDetail, HazardPage
from agencyflow.api.temporal_errors import execute_update, update_id
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.hazard import (
    Correction,
    HazardLevel,
    HazardRecord,
    HazardStatus,
    RectificationEvidence,
    Reinspection,
    ReinspectionOutcome,
)
from agencyflow.domain.hazard_rules import count
from agencyflow.domain.identity import Actor, Role, may_access
from agencyflow.store import files, hazards
from agencyflow.workflows.hazard.models import (
    Acknowledgement,
    HazardCorrection,
    HazardEvidence,
    HazardReinspection,
    HazardVerification,
    Supervision,
    hazard_resource,
    hazard_workflow_id,
)
from agencyflow.workflows.hazard.workflow import HazardWorkflow

router = APIRouter(prefix="/hazards", tags=["hazards"])

Anyone = Annotated[Actor, Depends(allow())]
Regulator = Annotated[Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR))]
Lister = Annotated[Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN))]
EnterpriseOrAgency = Annotated[Actor, Depends(allow(Role.ENTERPRISE, Role.AGENCY))]
AgencyUser = Annotated[Actor, Depends(allow(Role.AGENCY))]


class AcknowledgeBody(BaseModel):
    notes: Annotated[str, Field(max_length=2000)] = ""


class SuperviseBody(BaseModel):
    deadline: dt.date
    notes: Annotated[str, Field(max_length=2000)] = ""


class VerifyBody(BaseModel):
    accepted: bool
    reasons: list[Annotated[str, Field(min_length=1, max_length=1000)]] = []


async def visible(engine: Engine, hazard_id: str, actor: Actor, request: Request) -> HazardRecord:
    """The hazard, if the caller may see it: 404 if unknown, 403 outside its scope."""
    request.state.audit_resource = hazard_resource(hazard_id)
    record = await anyio.to_thread.run_sync(hazards.get, engine, hazard_id)
    if record is None:
        raise NotFound(f"no hazard {hazard_id}", code="hazard.not_found")
    if not may_access(
        actor,
        county_code=record.county_code,
        agency_uscc=record.agency_uscc,
        enterprise_uscc=record.enterprise_uscc,
    ):
        raise Forbidden("the hazard is outside your scope", code="auth.out_of_scope")
    return record


async def require_files(engine: Engine, ids_by_field: dict[str, list[str]]) -> None:
    """422 for each referenced photo that no upload produced."""
    every = [i for ids in ids_by_field.values() for i in ids]
    missing = await anyio.to_thread.run_sync(files.unknown, engine, every)
    violations = [
        Violation(
            code="file.unknown",
            field=f"{field}.{index}",
            message=f"no uploaded file {file_id}: upload it with POST /files first",
        )
        for field, ids in ids_by_field.items()
        for index, file_id in enumerate(ids)
        if file_id in missing
    ]
    if violations:
        raise RuleViolations(violations)


def _page(records: list[HazardRecord]) -> HazardPage:
    return HazardPage(counts=count(records, dt.datetime.now(dt.UTC)), hazards=records)


@router.get("", name="hazards.list")
async def list_hazards(
    actor: Lister,
    engine: EngineDep,
    county: str | None = None,
    level: HazardLevel | None = None,
    status_: Annotated[HazardStatus | None, Query(alias="status")] = None,
) -> HazardPage:
    """Hazards with their counts; a county regulator sees its county's."""
    if actor.role is Role.COUNTY_REGULATOR:
        if county is not None and county != actor.county_code:
            raise Forbidden("a county regulator sees only its own county", code="auth.out_of_scope")
        county = actor.county_code
    found = await anyio.to_thread.run_sync(
        lambda: hazards.search(engine, county_code=county, level=level, status=status_)
    )
    return _page(found)


@router.get("/{hazard_id}", name="hazards.show")
async def show(hazard_id: str, actor: Anyone, engine: EngineDep, request: Request) -> HazardDetail:
    """The hazard, its whole history and its photos."""
    record = await visible(engine, hazard_id, actor, request)
    history = await anyio.to_thread.run_sync(hazards.entries_of, engine, [hazard_id])
    photos = [*record.report.photos, *record.report.example_photos]
    for entry in history:
        photos += entry.data.get("after_photos", [])
    return HazardDetail(
        hazard=record, history=history, photo_urls={p: f"/files/{p}" for p in dict.fromkeys(photos)}
    )


@router.post("/{hazard_id}/evidence", name="hazards.submit_evidence")
async def submit_evidence(
    hazard_id: str,
    evidence: RectificationEvidence,
    actor: EnterpriseOrAgency,
    engine: EngineDep,
    temporal: TemporalDep,
    request: Request,
) -> HazardDetail:
    """Rectification evidence (after-photos, description, date) from the enterprise or agency."""
    record = await visible(engine, hazard_id, actor, request)
    await require_files(engine, {"after_photos": evidence.after_photos})
    command = HazardEvidence(actor=actor, hazard_id=hazard_id, evidence=evidence)
    await _send(temporal, record, request, HazardWorkflow.submit_evidence, command)
    return await show(hazard_id, actor, engine, request)


class ReinspectionBody(BaseModel):
    outcome: ReinspectionOutcome
    after_photos: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = []
    notes: Annotated[str, Field(max_length=4000)] = ""


@router.post(
    "/{hazard_id}/reinspections",
    name="hazards.reinspect",
    status_code=status.HTTP_201_CREATED,
)
async def reinspect(
    hazard_id: str,
    body: ReinspectionBody,
    actor: AgencyUser,
    engine: EngineDep,
    temporal: TemporalDep,
    request: Request,
) -> HazardDetail:
    """A re-inspection outside a visit (for instance after the service ended): rectified closes
    a general hazard, not rectified sends it back to the enterprise."""
    record = await visible(engine, hazard_id, actor, request)
    await require_files(engine, {"after_photos": body.after_photos})
    command = HazardReinspection(
        actor=actor, reinspection=Reinspection(hazard_id=hazard_id, **body.model_dump())
    )
    await _send(temporal, record, request, HazardWorkflow.reinspect, command)
    return await show(hazard_id, actor, engine, request)


@router.post(
    "/{hazard_id}/corrections", name="hazards.correct", status_code=status.HTTP_201_CREATED
)
async def correct(
    hazard_id: str,
    correction: Correction,
    actor: AgencyUser,
    engine: EngineDep,
    temporal: TemporalDep,
    request: Request,
) -> HazardDetail:
    """A correction: a new ledger entry pointing at the one it corrects; nothing is overwritten."""
    record = await visible(engine, hazard_id, actor, request)
    command = HazardCorrection(actor=actor, hazard_id=hazard_id, correction=correction)
    await _send(temporal, record, request, HazardWorkflow.correct, command)
    return await show(hazard_id, actor, engine, request)


@router.post("/{hazard_id}/acknowledge", name="hazards.acknowledge")
async def acknowledge(
    hazard_id: str,
    body: AcknowledgeBody,
    actor: Regulator,
    engine: EngineDep,
    temporal: TemporalDep,
    request: Request,
) -> HazardDetail:
    """The regulator acknowledges a major hazard (within 24 h, or the city is told)."""
    record = await _major(engine, hazard_id, actor, request)
    await _send(
        temporal,
        record,
        request,
        HazardWorkflow.acknowledge,
        Acknowledgement(actor=actor, notes=body.notes),
    )
    return await show(hazard_id, actor, engine, request)


@router.post("/{hazard_id}/supervise", name="hazards.supervise")
async def supervise(
    hazard_id: str,
    body: SuperviseBody,
    actor: Regulator,
    engine: EngineDep,
    temporal: TemporalDep,
    request: Request,
) -> HazardDetail:
    """挂牌督办: a deadline the regulator sets and supervises."""
    record = await _major(engine, hazard_id, actor, request)
    await _send(
        temporal,
        record,
        request,
        HazardWorkflow.supervise,
        Supervision(actor=actor, deadline=body.deadline, notes=body.notes),
    )
    return await show(hazard_id, actor, engine, request)


@router.post("/{hazard_id}/verify", name="hazards.verify")
async def verify(
    hazard_id: str,
    body: VerifyBody,
    actor: Regulator,
    engine: EngineDep,
    temporal: TemporalDep,
    request: Request,
) -> HazardDetail:
    """Accept the rectification (the major hazard is closed) or reject it with reasons."""
    record = await _major(engine, hazard_id, actor, request)
    await _send(
        temporal,
        record,
        request,
        HazardWorkflow.verify,
        HazardVerification(actor=actor, accepted=body.accepted, reasons=body.reasons),
    )
    return await show(hazard_id, actor, engine, request)


async def _major(engine: Engine, hazard_id: str, actor: Actor, request: Request) -> HazardRecord:
    record = await visible(engine, hazard_id, actor, request)
    if record.report.level is not HazardLevel.MAJOR:
        raise Conflict(
            "this is a general hazard: the agency's re-inspection closes it, not a regulator",
            code="hazard.not_major",
        )
    return record


async def _send(
    temporal: Client, record: HazardRecord, request: Request, update: Any, arg: Any
) -> None:
    # A closed hazard's record is final, and the workflow that followed it has ended.
    if not record.is_open:
        raise Conflict("the hazard is closed", code="hazard.closed")
    handle = temporal.get_workflow_handle(hazard_workflow_id(record.hazard_id))
    await execute_update(handle, update, arg, update_id=update_id(request, arg.actor, arg))
