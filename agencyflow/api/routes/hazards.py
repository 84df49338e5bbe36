"""Hazards (隐患, R5): reading them, rectification evidence, corrections, and the regulators'
steps on major hazards. Each hazard has a workflow of its own; every command goes there.
"""

import datetime as dt
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Query, status
from sqlalchemy import Engine

from agencyflow.api.commands import Commands, in_scope
from agencyflow.api.deps import AgencyUser, EngineDep, Regulator, allow, own_county
from agencyflow.api.params import CountyQuery, HazardIdPath, Limit, Offset
from agencyflow.api.schemas.hazards import (
    AcknowledgeBody,
    HazardDetail,
    HazardPage,
    ReinspectionBody,
    SuperviseBody,
    VerifyBody,
)
from agencyflow.domain.errors import Conflict, RuleViolations, Violation
from agencyflow.domain.hazard import (
    Correction,
    HazardLevel,
    HazardRecord,
    HazardStatus,
    RectificationEvidence,
)
from agencyflow.domain.identity import Actor, Role
from agencyflow.store import files, hazard_lists, hazards
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
Lister = Annotated[Actor, Depends(allow(Role.COUNTY_REGULATOR, Role.CITY_REGULATOR, Role.ADMIN))]
EnterpriseOrAgency = Annotated[Actor, Depends(allow(Role.ENTERPRISE, Role.AGENCY))]


class Hazards(Commands):
    """What every hazard route needs: scope checks, commands to the hazard's own workflow,
    and the hazard as the read model shows it."""

    async def visible(self, hazard_id: HazardIdPath, actor: Actor) -> HazardRecord:
        """The hazard, if the caller may see it: 404 if unknown, 403 outside its scope."""
        self.request.state.audit_resource = hazard_resource(hazard_id)
        record = await anyio.to_thread.run_sync(hazards.get, self.engine, hazard_id)
        return in_scope(actor, record, "hazard", hazard_id)

    async def with_photos(
        self, hazard_id: HazardIdPath, actor: Actor, photos: list[str]
    ) -> HazardRecord:
        """The hazard, if the caller may see it and every after-photo named is uploaded."""
        record = await self.visible(hazard_id, actor)
        await require_files(self.engine, {"after_photos": photos})
        return record

    async def major(self, hazard_id: HazardIdPath, actor: Actor) -> HazardRecord:
        """The hazard, if it is a major one: the regulators' steps are for those only."""
        record = await self.visible(hazard_id, actor)
        if record.report.level is not HazardLevel.MAJOR:
            raise Conflict(
                "this is a general hazard: the agency's re-inspection closes it, not a regulator",
                code="hazard.not_major",
            )
        return record

    async def detail(self, hazard_id: HazardIdPath, actor: Actor) -> HazardDetail:
        """The hazard, its whole history and its photos."""
        record = await self.visible(hazard_id, actor)
        history = await anyio.to_thread.run_sync(hazards.entries_of, self.engine, [hazard_id])
        photos = [*record.report.photos, *record.report.example_photos]
        for entry in history:
            photos += entry.data.get("after_photos", [])
        return HazardDetail(
            hazard=record,
            history=history,
            photo_urls={p: f"/files/{p}" for p in dict.fromkeys(photos)},
        )

    async def update(self, record: HazardRecord, update: Any, command: Any) -> HazardDetail:
        """Send the command to the hazard's workflow; answer with the hazard as it is now."""
        # A closed hazard's record is final, and the workflow that followed it has ended.
        if not record.is_open:
            raise Conflict("the hazard is closed", code="hazard.closed")
        actor: Actor = command.actor
        await self.send(hazard_workflow_id(record.hazard_id), update, command, actor)
        return await self.detail(record.hazard_id, actor)


Service = Annotated[Hazards, Depends(Hazards)]


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


@router.get("", name="hazards.list")
async def list_hazards(
    actor: Lister,
    engine: EngineDep,
    county: CountyQuery = None,
    level: HazardLevel | None = None,
    status_: Annotated[HazardStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> HazardPage:
    """Hazards, newest found first, with the counts of all that match; a county regulator
    sees its county's."""
    county = own_county(actor, county)
    counts, found = await anyio.to_thread.run_sync(
        lambda: hazard_lists.listing(
            engine,
            dt.datetime.now(dt.UTC),
            county_code=county,
            level=level,
            status=status_,
            limit=limit,
            offset=offset,
        )
    )
    return HazardPage(counts=counts, total=counts.found, items=found)


@router.get("/{hazard_id}", name="hazards.show")
async def show(hazard_id: HazardIdPath, actor: Anyone, service: Service) -> HazardDetail:
    """The hazard, its whole history and its photos."""
    return await service.detail(hazard_id, actor)


@router.post(
    "/{hazard_id}/corrections", name="hazards.correct", status_code=status.HTTP_201_CREATED
)
async def correct(
    hazard_id: HazardIdPath, correction: Correction, actor: AgencyUser, service: Service
) -> HazardDetail:
    """A correction: a new ledger entry pointing at the one it corrects; nothing is overwritten."""
    record = await service.visible(hazard_id, actor)
    command = HazardCorrection(actor=actor, hazard_id=hazard_id, correction=correction)
    return await service.update(record, HazardWorkflow.correct, command)


# ---------------------------------------------------------------------- rectification


@router.post("/{hazard_id}/evidence", name="hazards.submit_evidence")
async def submit_evidence(
    hazard_id: HazardIdPath,
    evidence: RectificationEvidence,
    actor: EnterpriseOrAgency,
    service: Service,
) -> HazardDetail:
    """Rectification evidence (after-photos, description, date) from the enterprise or agency."""
    record = await service.with_photos(hazard_id, actor, evidence.after_photos)
    command = HazardEvidence(actor=actor, hazard_id=hazard_id, evidence=evidence)
    return await service.update(record, HazardWorkflow.submit_evidence, command)


@router.post(
    "/{hazard_id}/reinspections", name="hazards.reinspect", status_code=status.HTTP_201_CREATED
)
async def reinspect(
    hazard_id: HazardIdPath, body: ReinspectionBody, actor: AgencyUser, service: Service
) -> HazardDetail:
    """A re-inspection outside a visit (for instance after the service ended): rectified closes
    a general hazard, not rectified sends it back to the enterprise."""
    record = await service.with_photos(hazard_id, actor, body.after_photos)
    command = HazardReinspection(actor=actor, reinspection=body.of(hazard_id))
    return await service.update(record, HazardWorkflow.reinspect, command)


# ---------------------------------------------------------------------- regulators, major hazards


@router.post("/{hazard_id}/acknowledge", name="hazards.acknowledge")
async def acknowledge(
    hazard_id: HazardIdPath, body: AcknowledgeBody, actor: Regulator, service: Service
) -> HazardDetail:
    """The regulator acknowledges a major hazard (within 24 h, or the city is told)."""
    record = await service.major(hazard_id, actor)
    command = Acknowledgement(actor=actor, **body.model_dump())
    return await service.update(record, HazardWorkflow.acknowledge, command)


@router.post("/{hazard_id}/supervise", name="hazards.supervise")
async def supervise(
    hazard_id: HazardIdPath, body: SuperviseBody, actor: Regulator, service: Service
) -> HazardDetail:
    """挂牌督办: a deadline the regulator sets and supervises."""
    record = await service.major(hazard_id, actor)
    command = Supervision(actor=actor, **body.model_dump())
    return await service.update(record, HazardWorkflow.supervise, command)


@router.post("/{hazard_id}/verify", name="hazards.verify")
async def verify(
    hazard_id: HazardIdPath, body: VerifyBody, actor: Regulator, service: Service
) -> HazardDetail:
    """Accept the rectification (the major hazard is closed) or reject it with reasons."""
    record = await service.major(hazard_id, actor)
    command = HazardVerification(actor=actor, **body.model_dump())
    return await service.update(record, HazardWorkflow.verify, command)
