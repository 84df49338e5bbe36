"""``/public``: what anyone may read without a token (R8: the list of agencies and the
seriously-untrustworthy list are public; R11: who may sell services bought with public
money; R12: public warnings)."""

import datetime as dt

import anyio.to_thread
from fastapi import APIRouter

from agencyflow.api.deps import EngineDep, SettingsDep
from agencyflow.api.grades import GradeQuery, grade_of
from agencyflow.api.params import Limit, Offset, UsccPath
from agencyflow.api.schemas.agencies import PublicAgencyPage, public
from agencyflow.api.schemas.capability import WarningPage, WarningPublic
from agencyflow.api.schemas.credit import Procurement
from agencyflow.domain.agency import AgencySnapshot, AgencyStatus
from agencyflow.domain.capability import PublicWarning
from agencyflow.domain.credit import procurement_refusals
from agencyflow.domain.errors import NotFound
from agencyflow.domain.service_types import ServiceType
from agencyflow.store import agencies, capability

router = APIRouter(prefix="/public", tags=["public"])

ADMITTED = tuple(status for status in AgencyStatus if status.is_admitted)


@router.get("/agencies/{uscc}/procurement", name="public.procurement")
async def procurement(uscc: UsccPath, engine: EngineDep, settings: SettingsDep) -> Procurement:
    """Whether an admitted agency may sell services bought with public money (R11): it must
    practise now, hold at least the policy's grade and not be on the seriously-untrustworthy
    list."""
    snapshot = await anyio.to_thread.run_sync(agencies.get, engine, uscc)
    if snapshot is None or not snapshot.status.is_admitted:
        raise NotFound(f"no admitted agency {uscc}", code="agency.not_found")
    standing = grade_of(snapshot, settings.policy.credit_rules())
    minimum = settings.policy.procurement_min_grade
    listing = snapshot.listing.decision_number if snapshot.listing else None
    reasons = procurement_refusals(snapshot.status.may_start_projects, standing, minimum, listing)
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
    grades: GradeQuery,
    service_type: ServiceType | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PublicAgencyPage:
    """Admitted agencies, with their service types, status, credit grade and listing; by
    name, or by grade with ``sort=grade``; ``grade`` keeps only those grades."""
    total, found = await anyio.to_thread.run_sync(
        lambda: agencies.search(
            engine,
            statuses=ADMITTED,
            service_type=service_type.value if service_type else None,
            grades=grades,
            limit=limit,
            offset=offset,
        )
    )
    rules = settings.policy.credit_rules()
    return PublicAgencyPage(total=total, items=[public(s, grade_of(s, rules)) for s in found])


@router.get("/untrustworthy", name="public.untrustworthy")
async def untrustworthy(
    engine: EngineDep, settings: SettingsDep, limit: Limit = 100, offset: Offset = 0
) -> PublicAgencyPage:
    """The seriously-untrustworthy list (严重失信名单): agencies listed now, each with the
    city's decision number and when its term ends."""
    total, found = await anyio.to_thread.run_sync(
        lambda: agencies.search(
            engine, listed_at=dt.datetime.now(dt.UTC), limit=limit, offset=offset
        )
    )
    rules = settings.policy.credit_rules()
    return PublicAgencyPage(total=total, items=[public(s, grade_of(s, rules)) for s in found])


@router.get("/warnings", name="public.warnings")
async def warnings(engine: EngineDep, limit: Limit = 100, offset: Offset = 0) -> WarningPage:
    """Public warnings (通报警示, R12): agencies whose people failed a capability test."""

    def read() -> tuple[int, list[PublicWarning], dict[str, AgencySnapshot]]:
        total, found = capability.warnings(engine, limit, offset)
        return total, found, agencies.get_many(engine, sorted({w.agency_uscc for w in found}))

    total, found, named = await anyio.to_thread.run_sync(read)
    return WarningPage(
        total=total,
        items=[
            WarningPublic(**w.model_dump(), legal_name=named[w.agency_uscc].facts.legal_name)
            for w in found
        ],
    )
