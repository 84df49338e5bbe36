"""``/public``: what anyone may read without a token (R8: the list of agencies is public)."""

import datetime as dt
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query

from agencyflow.api.deps import EngineDep, SettingsDep
from agencyflow.api.grades import grades_of
from agencyflow.api.params import Offset, UsccPath
from agencyflow.api.schemas.agencies import PublicAgencyPage, public
from agencyflow.api.schemas.credit import Procurement, grade_of
from agencyflow.domain.agency import AgencyStatus
from agencyflow.domain.credit import procurement_refusals
from agencyflow.domain.errors import NotFound
from agencyflow.domain.service_types import ServiceType
from agencyflow.store import agencies, credit

router = APIRouter(prefix="/public", tags=["public"])

ADMITTED = tuple(status for status in AgencyStatus if status.is_admitted)


@router.get("/agencies/{uscc}/procurement", name="public.procurement")
async def procurement(uscc: UsccPath, engine: EngineDep, settings: SettingsDep) -> Procurement:
    """Whether an admitted agency may sell services bought with public money (R11): it must
    practise now and hold at least the policy's grade."""
    snapshot, events = await anyio.to_thread.run_sync(
        lambda: (agencies.get(engine, uscc), credit.of_agency(engine, uscc))
    )
    if snapshot is None or not snapshot.status.is_admitted:
        raise NotFound(f"no admitted agency {uscc}", code="agency.not_found")
    standing = grade_of(events, dt.datetime.now(dt.UTC), settings.policy.credit_rules())
    minimum = settings.policy.procurement_min_grade
    reasons = procurement_refusals(snapshot.status.may_start_projects, standing, minimum)
    return Procurement(
        uscc=uscc,
        legal_name=snapshot.facts.legal_name,
        may_sell=not reasons,
        grade=standing,
        min_grade=minimum,
        reasons=reasons,
    )


@router.get("/agencies", name="public.agencies")
async def public_agencies(
    engine: EngineDep,
    settings: SettingsDep,
    service_type: ServiceType | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> PublicAgencyPage:
    """Admitted agencies, with their service types, status and credit grade."""

    total, found = await anyio.to_thread.run_sync(
        lambda: agencies.search(
            engine,
            statuses=ADMITTED,
            service_type=service_type.value if service_type else None,
            limit=limit,
            offset=offset,
        )
    )
    grades = await grades_of(engine, found, settings.policy.credit_rules())
    return PublicAgencyPage(total=total, items=[public(s, grades[s.uscc]) for s in found])
