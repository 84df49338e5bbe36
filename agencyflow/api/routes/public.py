"""``/public``: what anyone may read without a token (R8: the list of agencies is public)."""

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query

from agencyflow.api.deps import EngineDep
from agencyflow.api.params import Offset
from agencyflow.api.schemas.agencies import PublicAgencyPage, public
from agencyflow.domain.agency import AgencyStatus
from agencyflow.domain.service_types import ServiceType
from agencyflow.store import agencies

router = APIRouter(prefix="/public", tags=["public"])

ADMITTED = tuple(status for status in AgencyStatus if status.is_admitted)


@router.get("/agencies", name="public.agencies")
async def public_agencies(
    engine: EngineDep,
    service_type: ServiceType | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> PublicAgencyPage:
    """Admitted agencies, with their service types, status and (once rated) credit grade."""
    total, found = await anyio.to_thread.run_sync(
        lambda: agencies.search(
            engine,
            statuses=ADMITTED,
            service_type=service_type.value if service_type else None,
            limit=limit,
            offset=offset,
        )
    )
    return PublicAgencyPage(total=total, items=[public(s) for s in found])
