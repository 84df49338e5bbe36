"""举报 (R13): the regulators' queue and a complaint's page with the forms for each stage;
and, for anyone, without signing in, the page to file a complaint and the page to track one.

The public pages are plain HTML forms answered by the server (no script needed on a citizen's
phone): they call the same filing and attachment code as ``/public/complaints``, so the same
checks, limits and sealing apply. They carry no CSRF token: there is no session whose
authority another site could borrow, and a complaint names no one who sent it.
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from agencyflow.api.deps import EngineDep, SettingsDep, TemporalDep
from agencyflow.api.errors import status_of
from agencyflow.api.params import Offset
from agencyflow.api.routes import complaints_public
from agencyflow.api.routes.complaints_public import ComplaintBody, Filed
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.complaints import ComplaintOutcome, ComplaintStage
from agencyflow.domain.errors import AgencyflowError, NotFound, RuleViolations

from .projects import COUNTIES
from .web import SignedIn, api_get, render, templates
from .words import words_for

router = APIRouter(prefix="/console", include_in_schema=False)

PAGE = 20
MAX_ATTACHMENTS = 5
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
    found = await api_get(
        request,
        "/complaints",
        {"stage": stage.value if stage else None, "limit": PAGE, "offset": offset},
    )
    reveals = (
        await api_get(request, "/complaints/reveals", {"limit": 20})
        if who.actor.role.value == "city_regulator"
        else None
    )
    return render(
        request,
        "complaints.html",
        who,
        page=found,
        reveals=reveals,
        filters={"stage": stage.value} if stage else {},
        limit=PAGE,
        offset=offset,
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


# ---------------------------------------------------------------------- the public's pages


def _public(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"actor": None, "csrf": None, "choices": CHOICES, **context},
        status_code=status_code,
    )


@router.get("/complaint", name="console.complaint_form")
async def complaint_form(request: Request) -> HTMLResponse:
    return _public(request, "complaint_form.html", sent={}, errors={})


def _body_of(form: FormData, files: list[str]) -> ComplaintBody:
    """The form's fields as the API's body: empty ones left out, the reporter only if any of
    theirs is given."""

    def given(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    reporter = {key: given(f"reporter_{key}") for key in IDENTITY}
    uscc = given("agency")
    by_code = uscc is not None and len(uscc) == 18 and uscc.isascii() and uscc.isalnum()
    return ComplaintBody.model_validate(
        {
            "agency_uscc": uscc.upper() if by_code and uscc else None,
            "agency_name": None if by_code else uscc,
            "enterprise_name": given("enterprise_name"),
            "enterprise_county": given("enterprise_county"),
            "happened_on": given("happened_on"),
            "account": given("account") or "",
            "whistleblower": form.get("whistleblower") == "on",
            "reporter": {k: v for k, v in reporter.items() if v} or None,
            "files": files,
        }
    )


def _field_errors(error: ValidationError | AgencyflowError) -> dict[str, str]:
    """Each refusal in Chinese, keyed by the form field it belongs to ("" for the form)."""
    found: dict[str, str] = {}
    if isinstance(error, ValidationError):
        entries = [(e["type"], e["loc"], e["msg"]) for e in error.errors()]
    elif isinstance(error, RuleViolations):
        entries = [(v.code, (v.field or "",), v.message) for v in error.violations]
    else:
        entries = [(error.code, ("",), error.message)]
    for code, loc, message in entries:
        field = "_".join(str(part) for part in loc) if loc else ""
        field = {"agency_uscc": "agency", "agency_name": "agency", "files": "attachments"}.get(
            field, field
        )
        said = words_for(code) or message
        found[field] = f"{found[field]}；{said}" if field in found else f"{said}（{code}）"
    return found


@router.post("/complaint", name="console.complaint_file")
async def file_from_form(
    request: Request, engine: EngineDep, settings: SettingsDep, temporal: TemporalDep
) -> HTMLResponse:
    async with request.form(max_files=MAX_ATTACHMENTS, max_fields=30) as form:
        sent = {
            k: v for k, v in form.items() if isinstance(v, str) and not k.startswith("reporter")
        }
        host = complaints_public.client_of(request)
        uploads = [
            u for u in form.getlist("attachments") if isinstance(u, UploadFile) and u.filename
        ]
        try:
            files = [
                (await complaints_public.keep_attachment(u, host, engine, settings)).file_id
                for u in uploads
            ]
            filed: Filed = await complaints_public.file(
                _body_of(form, files), host, engine, settings, temporal
            )
        except (ValidationError, AgencyflowError) as refused:
            status = 422 if isinstance(refused, ValidationError) else status_of(refused)
            errors = _field_errors(refused)
            return _public(request, "complaint_form.html", status, sent=sent, errors=errors)
    return _public(request, "complaint_filed.html", 201, filed=filed)


@router.get("/complaint/track", name="console.complaint_track")
async def track_form(request: Request) -> HTMLResponse:
    return _public(request, "complaint_track.html", tracked=None, error=None)


@router.post("/complaint/track", name="console.complaint_tracked")
async def track(request: Request, engine: EngineDep) -> HTMLResponse:
    """The secret comes in the body, never the address, so it stays out of logs and history."""
    async with request.form(max_files=0, max_fields=5) as form:
        code, secret = (
            str(form.get("code", ""))[:32].strip(),
            str(form.get("secret", ""))[:64].strip(),
        )
    try:
        tracked = await complaints_public.track(code, engine, secret)
    except NotFound:
        error = "没有找到：请核对举报编号和查询密码。"
        return _public(request, "complaint_track.html", 404, tracked=None, error=error, code=code)
    return _public(request, "complaint_track.html", tracked=tracked, error=None, code=code)
