"""举报 (R13), the regulators' side: the queue and a complaint's page with the forms for
each stage. The public's pages, to file and track a complaint, are in `complaint_public`."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from agencyflow.api.params import Offset
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.complaints import ComplaintOutcome, ComplaintStage
from agencyflow.domain.identity import Role

from .projects import COUNTIES
from .web import SignedIn, api_get, list_page, render

router = APIRouter(prefix="/console", include_in_schema=False)

PAGE = 20
CHOICES = {
    "stages": ComplaintStage.choices(),
    "outcomes": ComplaintOutcome.choices(),
    "counties": COUNTIES,
    "serious": {"true": "情节严重"},
}
CodePath = Annotated[str, Path(max_length=32)]
IDENTITY = {"name": "姓名", "phone": "联系电话", "id_number": "身份证号"}


@router.get("/complaints", name="console.complaints")
async def queue(
    request: Request,
    who: SignedIn,
    stage: Annotated[ComplaintStage | None, Query()] = None,
    offset: Offset = 0,
) -> HTMLResponse:
    reveals = (
        await api_get(request, "/complaints/reveals", {"limit": 20})
        if who.actor.role is Role.CITY_REGULATOR
        else None
    )
    filters = {"stage": stage.value if stage else None}
    return await list_page(
        request,
        who,
        "complaints.html",
        "/complaints",
        filters,
        limit=PAGE,
        offset=offset,
        reveals=reveals,
        choices=CHOICES,
    )


@router.get("/complaints/{code}", name="console.complaint")
async def complaint_page(request: Request, code: CodePath, who: SignedIn) -> HTMLResponse:
    shown = await api_get(request, f"/complaints/{code}")
    progress = shown["progress"]
    stage = progress["stage"]
    may: set[str] = set()
    if stage == ComplaintStage.FILED.value:
        may |= {"accept", "refuse", "merge"}
    elif stage == ComplaintStage.INVESTIGATING.value:
        may |= {"decide", "merge"} | ({"extend"} if progress["extended_days"] is None else set())
    reward = progress["reward"]
    if reward is not None and progress["reward_paid_on"] is None:
        may.add("pay" if progress["reward_approved_at"] else "approve")
    if shown["subject"]["reporter_ref"]:
        may.add("reveal")
    return render(
        request,
        "complaint.html",
        who,
        shown=shown,
        s=shown["subject"],
        p=progress,
        may=may,
        choices=CHOICES,
        identity=IDENTITY,
        today=dt.datetime.now(CHINA_TZ).date().isoformat(),
    )
