"""``/console``: signing in and out, and the pages behind (待办 first).

A person signs in with a login and password (``agencyflow users add … --login``) and gets a
session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS). Every form carries a CSRF token:
before sign-in the one of a short-lived cookie, after it the session's own; a form posted
without it is refused (403) and changes nothing.
"""

import datetime as dt
import secrets
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from agencyflow.api.deps import SESSION_COOKIE, EngineDep, SettingsDep
from agencyflow.api.params import Offset
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import addressee_of
from agencyflow.store import inbox, logins

from .signin import Refused, sign_in
from .web import SignedIn, render, same_token, set_cookie, templates, to_sign_in

router = APIRouter(prefix="/console", include_in_schema=False)

LOGIN_CSRF_COOKIE = "af_login_csrf"
INBOX_PAGE = 100
"""Open items a page of 待办 shows."""
DUE_SOON = dt.timedelta(days=3)
"""Items due within this are marked as due soon."""

LoginField = Annotated[str, Form(max_length=64)]
PasswordField = Annotated[str, Form(max_length=200)]
CsrfField = Annotated[str, Form(max_length=64)]


def _stale_form() -> HTMLResponse:
    return HTMLResponse("表单已失效（缺少或不符的校验码），请返回刷新后重试。", status_code=403)


async def _session(request: Request, engine: Any, settings: Any) -> tuple[Actor, str] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    idle = dt.timedelta(minutes=settings.console_idle_minutes)
    return await anyio.to_thread.run_sync(logins.session_actor, engine, token, idle)


def _login_page(
    request: Request, *, error: str = "", login: str = "", status_code: int = 200
) -> HTMLResponse:
    csrf = secrets.token_urlsafe(32)
    page = templates.TemplateResponse(
        request,
        "login.html",
        {"actor": None, "csrf": csrf, "error": error, "login": login},
        status_code=status_code,
    )
    set_cookie(page, request, LOGIN_CSRF_COOKIE, csrf)
    return page


@router.get("/login", name="console.sign_in_page")
async def sign_in_page(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    if await _session(request, engine, settings) is not None:
        return RedirectResponse(request.url_for("console.inbox"), status_code=303)
    return _login_page(request)


@router.post("/login", name="console.sign_in")
async def post_sign_in(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    login: LoginField,
    password: PasswordField,
    csrf_token: CsrfField = "",
) -> Response:
    if not same_token(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _stale_form()
    try:
        signed = await anyio.to_thread.run_sync(sign_in, engine, settings, login, password)
    except Refused as refused:
        status_code = 429 if refused.locked else 401
        return _login_page(request, error=str(refused), login=login, status_code=status_code)
    done = RedirectResponse(request.url_for("console.inbox"), status_code=303)
    # The whole site's: the console's forms send their commands to the API's own routes.
    set_cookie(done, request, SESSION_COOKIE, signed.token, path="/")
    done.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return done


@router.post("/logout", name="console.sign_out")
async def sign_out(
    request: Request, engine: EngineDep, settings: SettingsDep, csrf_token: CsrfField = ""
) -> Response:
    found = await _session(request, engine, settings)
    if found is None:
        return to_sign_in(request)
    if not same_token(csrf_token, found[1]):
        return _stale_form()
    token = request.cookies[SESSION_COOKIE]
    await anyio.to_thread.run_sync(logins.end_session, engine, token)
    done = to_sign_in(request)
    done.delete_cookie(SESSION_COOKIE, path="/")
    return done


@router.get("/", name="console.inbox")
async def inbox_page(
    request: Request, who: SignedIn, engine: EngineDep, offset: Offset = 0
) -> Response:
    """待办: what waits for the signed-in person's office, most urgent first."""
    addressee = addressee_of(who.actor)
    total, rows = await anyio.to_thread.run_sync(
        lambda: inbox.open_page(engine, addressee, limit=INBOX_PAGE, offset=offset)
    )
    now = dt.datetime.now(dt.UTC)
    items = [
        {
            **row.model_dump(),
            "overdue": row.due_at is not None and row.due_at < now,
            "soon": row.due_at is not None and now <= row.due_at < now + DUE_SOON,
            "link": f"/console/{row.resource}",
        }
        for row in rows
    ]
    return render(
        request, "inbox.html", who, items=items, total=total, limit=INBOX_PAGE, offset=offset
    )
