"""举报 for anyone, without signing in (R13): the page to file a complaint about an agency,
with photos or PDFs, and the page to track one with its code and secret.

Plain HTML forms answered by the server (no script needed on a citizen's phone) that call
the same filing and attachment code as ``/public/complaints``, so the same checks, limits
and sealing apply.

The filing form carries a token that must match a cookie set with the form, as the sign-in
form does. No session is at stake, but without it any site could have its visitors'
browsers file complaints here, each from the visitor's own address: past the per-address
limits, and spending the visitor's allowance. Tracking needs none: a forged request changes
nothing, and its answer goes to the page that holds the code and secret already.
"""

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import Engine
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from temporalio.client import Client

from agencyflow.api.deps import EngineDep, SettingsDep, TemporalDep
from agencyflow.api.errors import status_of
from agencyflow.api.routes import complaints_public
from agencyflow.api.routes.complaints_public import ComplaintBody
from agencyflow.api.upload_names import upload_name
from agencyflow.config.settings import Settings
from agencyflow.domain.errors import AgencyflowError, NotFound, RuleViolations

from .complaints import CHOICES, IDENTITY
from .web import same_token, set_cookie, templates
from .words import words_for

router = APIRouter(prefix="/console", include_in_schema=False)

FORM_PATH = "/console/complaint"
CSRF_COOKIE = "af_complaint_csrf"
"""Sent only to the filing form's own path, apart from the sign-in form's cookie, so that a
sign-in page opened meanwhile does not spoil a complaint being written."""
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
"""What `secrets.token_urlsafe(32)` makes: a cookie of any other shape is replaced."""
MAX_ATTACHMENTS = 5
PARSED_FILES = 10
"""Files the form's parser takes before refusing the body outright: beyond
`MAX_ATTACHMENTS`, so that a few too many are answered on the form with what was written."""
KEPT_FIELDS = ("agency", "enterprise_name", "enterprise_county", "happened_on", "account")
"""What a refused form shows again; never the reporter's details, which no page repeats."""
FIELD_OF = {
    "agency_uscc": "agency",
    "agency_name": "agency",
    "files": "attachments",
    "file": "attachments",
}
"""The form's field for each of the API's, where their names differ."""
STALE = "页面已失效，请核对内容后重新提交（附件需重新选择）。"
BROKEN = "提交的内容无法读取（附件过多或过大），请重新填写并提交。"


def _public(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"actor": None, "csrf": None, "choices": CHOICES, **context},
        status_code=status_code,
    )


def _form_page(
    request: Request,
    status_code: int = 200,
    sent: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """The filing form with its token, and the cookie that token must match. The browser's
    token is kept while it has one, so a second tab or a form sent back does not spoil
    another form open in the same browser."""
    held = request.cookies.get(CSRF_COOKIE, "")
    token = held if TOKEN.fullmatch(held) else secrets.token_urlsafe(32)
    page = _public(
        request,
        "complaint_form.html",
        status_code,
        sent=sent or {},
        errors=errors or {},
        form_token=token,
        max_attachments=MAX_ATTACHMENTS,
    )
    set_cookie(page, request, CSRF_COOKIE, token, path=FORM_PATH)
    return page


@router.get("/complaint", name="console.complaint_form")
async def complaint_form(request: Request) -> HTMLResponse:
    return _form_page(request)


def _body_of(form: FormData) -> ComplaintBody:
    """The form's fields as the API's body, without attachments: empty fields left out, the
    reporter only if any of theirs is given."""

    def given(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    reporter = {key: given(f"reporter_{key}") for key in IDENTITY}
    agency = given("agency")
    by_code = agency is not None and len(agency) == 18 and agency.isascii() and agency.isalnum()
    return ComplaintBody.model_validate(
        {
            "agency_uscc": agency.upper() if by_code and agency else None,
            "agency_name": None if by_code else agency,
            "enterprise_name": given("enterprise_name"),
            "enterprise_county": given("enterprise_county"),
            "happened_on": given("happened_on"),
            "account": given("account") or "",
            "whistleblower": form.get("whistleblower") == "on",
            "reporter": {k: v for k, v in reporter.items() if v} or None,
        }
    )


def _words(entry: ErrorDetails) -> str | None:
    """A field's refusal in Chinese. A text too short says how long it must be: the
    console's general words ("不能为空") mislead beside an account of a few characters."""
    least = (entry.get("ctx") or {}).get("min_length")
    if entry["type"] == "string_too_short" and isinstance(least, int) and least > 1:
        return f"至少 {least} 个字"
    return words_for(entry["type"])


def _field_errors(error: ValidationError | AgencyflowError) -> dict[str, str]:
    """Each refusal in Chinese (or the API's words where none are written), with its code,
    keyed by the form field it belongs to ("" for the form as a whole)."""
    entries: list[tuple[str, tuple[int | str, ...], str]]
    if isinstance(error, ValidationError):
        entries = [(e["type"], e["loc"], _words(e) or e["msg"]) for e in error.errors()]
    elif isinstance(error, RuleViolations):
        entries = [
            (v.code, (v.field or "",), words_for(v.code) or v.message) for v in error.violations
        ]
    else:
        entries = [(error.code, ("",), words_for(error.code) or error.message)]
    found: dict[str, str] = {}
    for code, loc, said in entries:
        field = "_".join(str(part) for part in loc)
        field = FIELD_OF.get(field, field)
        found[field] = f"{found[field]}；{said}" if field in found else f"{said}（{code}）"
    return found


@router.post("/complaint", name="console.complaint_file")
async def file_from_form(
    request: Request, engine: EngineDep, settings: SettingsDep, temporal: TemporalDep
) -> HTMLResponse:
    try:
        form = await request.form(max_files=PARSED_FILES, max_fields=30)
    except HTTPException as broken:  # the parser's refusal: too many parts, a broken body
        return _form_page(request, broken.status_code, errors={"": BROKEN})
    try:
        return await _file(request, form, engine, settings, temporal)
    finally:
        await form.close()


async def _file(
    request: Request, form: FormData, engine: Engine, settings: Settings, temporal: Client
) -> HTMLResponse:
    sent = {k: v for k in KEPT_FIELDS if isinstance(v := form.get(k), str)}
    if form.get("whistleblower") == "on":
        sent["whistleblower"] = "on"
    token = form.get("csrf_token")
    if not isinstance(token, str) or not same_token(token, request.cookies.get(CSRF_COOKIE)):
        return _form_page(request, 403, sent, {"": STALE})
    uploads = [u for u in form.getlist("attachments") if isinstance(u, UploadFile) and u.filename]
    if len(uploads) > MAX_ATTACHMENTS:
        return _form_page(request, 422, sent, {"attachments": f"附件最多 {MAX_ATTACHMENTS} 个"})
    host = complaints_public.client_of(request)
    try:
        # The fields first: a form sent back for a typo keeps no file and spends none of
        # the address's hourly attachments.
        body = _body_of(form)
        for upload in uploads:  # every name before any file, so that none is kept for nothing
            upload_name(upload.filename, "")
        files = [
            (await complaints_public.keep_attachment(u, host, engine, settings)).file_id
            for u in uploads
        ]
        filed = await complaints_public.file(
            body.model_copy(update={"files": files}), host, engine, settings, temporal
        )
    except (ValidationError, AgencyflowError) as refused:
        status = 422 if isinstance(refused, ValidationError) else status_of(refused)
        return _form_page(request, status, sent, _field_errors(refused))
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
