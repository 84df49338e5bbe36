"""``GET /enterprises/{uscc}/file``: one enterprise, one file (一企一档, R10)."""

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, Query

from agencyflow.api.deps import EngineDep, allow
from agencyflow.api.schemas.projects import EnterpriseFile, summary
from agencyflow.domain.errors import Forbidden, NotFound
from agencyflow.domain.identity import Actor, Role, may_access
from agencyflow.domain.uscc import InvalidUscc, normalise_uscc
from agencyflow.store import projects

router = APIRouter(prefix="/enterprises", tags=["enterprises"])

Anyone = Annotated[Actor, Depends(allow())]


@router.get("/{uscc}/file", name="enterprises.file")
async def enterprise_file(
    uscc: str,
    actor: Anyone,
    engine: EngineDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> EnterpriseFile:
    """Every project of the enterprise, newest first; an agency sees only its own among them."""
    try:
        uscc = normalise_uscc(uscc)
    except InvalidUscc:
        raise NotFound(f"no enterprise {uscc}", code="enterprise.not_found") from None
    agency = actor.agency_uscc if actor.role is Role.AGENCY else None
    _, found = await anyio.to_thread.run_sync(
        lambda: projects.search(
            engine, enterprise_uscc=uscc, agency_uscc=agency, limit=limit, offset=0
        )
    )
    if actor.role is Role.ENTERPRISE and actor.enterprise_uscc != uscc:
        raise Forbidden("an enterprise sees only its own file", code="auth.out_of_scope")
    visible = [
        s
        for s in found
        if may_access(
            actor,
            county_code=s.county_code,
            agency_uscc=s.agency_uscc,
            enterprise_uscc=s.enterprise_uscc,
        )
    ]
    if found and not visible:
        raise Forbidden("the enterprise is outside your scope", code="auth.out_of_scope")
    return EnterpriseFile(
        enterprise_uscc=uscc,
        enterprise_name=visible[0].request.enterprise.name if visible else None,
        projects=[summary(s) for s in visible],
    )
