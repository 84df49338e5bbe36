"""``GET /enterprises/{uscc}/file``: one enterprise, one file (一企一档, R10)."""

import datetime as dt
from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Response

from agencyflow.api.deps import EngineDep, allow
from agencyflow.api.exports import ledger_csv, ledger_xlsx
from agencyflow.api.params import UsccPath
from agencyflow.api.schemas.hazards import Ledger, ledger_row
from agencyflow.api.schemas.projects import EnterpriseFile, summary
from agencyflow.domain.errors import Forbidden, NotFound
from agencyflow.domain.hazard_rules import count
from agencyflow.domain.identity import Actor, Role, may_see
from agencyflow.domain.uscc import InvalidUscc, normalise_uscc
from agencyflow.store import hazards, projects

router = APIRouter(prefix="/enterprises", tags=["enterprises"])

Anyone = Annotated[Actor, Depends(allow())]


@router.get("/{uscc}/file", name="enterprises.file")
async def enterprise_file(
    uscc: UsccPath,
    actor: Anyone,
    engine: EngineDep,
) -> EnterpriseFile:
    """Every project of the enterprise, newest first; an agency sees only its own among them."""
    try:
        uscc = normalise_uscc(uscc)
    except InvalidUscc:
        raise NotFound(f"no enterprise {uscc}", code="enterprise.not_found") from None
    agency = actor.agency_uscc if actor.role is Role.AGENCY else None
    _, found = await anyio.to_thread.run_sync(
        lambda: projects.search(
            # An enterprise has few projects; all of them, so the scope check sees them all.
            engine,
            enterprise_uscc=uscc,
            agency_uscc=agency,
            limit=100_000,
            offset=0,
        )
    )
    if actor.role is Role.ENTERPRISE and actor.enterprise_uscc != uscc:
        raise Forbidden("an enterprise sees only its own file", code="auth.out_of_scope")
    # What the caller may see of it, perhaps nothing: a 403 here would tell a county that
    # the enterprise has projects elsewhere.
    visible = [s for s in found if may_see(actor, s)]
    return EnterpriseFile(
        enterprise_uscc=uscc,
        # The name it was first filed under (projects come newest first): a later contract,
        # by any agency, under another name does not rename the enterprise's file.
        enterprise_name=visible[-1].request.enterprise.name if visible else None,
        projects=[summary(s) for s in visible],
    )


@router.get(
    "/{uscc}/ledger",
    name="enterprises.ledger",
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        }
    },
)
async def enterprise_ledger(
    uscc: UsccPath,
    actor: Anyone,
    engine: EngineDep,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """隐患台账: every hazard found at the enterprise and its whole history (R5).

    ``format=csv`` gives one row per hazard; ``format=xlsx`` adds the history on a second sheet.
    """
    try:
        uscc = normalise_uscc(uscc)
    except InvalidUscc:
        raise NotFound(f"no enterprise {uscc}", code="enterprise.not_found") from None
    if actor.role is Role.ENTERPRISE and actor.enterprise_uscc != uscc:
        raise Forbidden("an enterprise sees only its own ledger", code="auth.out_of_scope")
    agency = actor.agency_uscc if actor.role is Role.AGENCY else None
    found = await anyio.to_thread.run_sync(
        lambda: hazards.search(engine, enterprise_uscc=uscc, agency_uscc=agency)
    )
    visible = [r for r in found if may_see(actor, r)]  # perhaps nothing, as for the file
    history = await anyio.to_thread.run_sync(
        hazards.entries_of, engine, [r.hazard_id for r in visible]
    )
    now = dt.datetime.now(dt.UTC)
    ledger = Ledger(
        enterprise_uscc=uscc,
        counts=count(visible, now),
        hazards=[ledger_row(r, now) for r in visible],
        history=history,
    )
    if format == "csv":
        return Response(
            ledger_csv(ledger),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="ledger-{uscc}.csv"'},
        )
    if format == "xlsx":
        return Response(
            ledger_xlsx(ledger),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="ledger-{uscc}.xlsx"'},
        )
    return ledger
