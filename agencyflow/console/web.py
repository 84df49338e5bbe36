"""What every console page shares: the signed-in person, the templates, and reads through
the API itself.

A page reads what it shows by asking the API in-process (the same routes, scope checks and
answers a bearer token gets), and its forms send their commands to the API from the
browser (``static/console.js``). So the console has no rule of its own: whatever the API
refuses, the console refuses with the same code.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from agencyflow.api.deps import CSRF_HEADER, SESSION_COOKIE
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.hazard import HazardCategory, HazardLevel, HazardStatus
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.labels import LabelledEnum
from agencyflow.domain.project import VisitActivity
from agencyflow.store import logins

from .words import REFUSED, error_words

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


def _local(moment: dt.datetime | str | None, form: str = "%Y-%m-%d %H:%M") -> str:
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return moment.astimezone(CHINA_TZ).strftime(form)


def _is_past(moment: str | None) -> bool:
    return moment is not None and dt.datetime.fromisoformat(moment) < dt.datetime.now(dt.UTC)


def _labeller(enum: type[LabelledEnum]) -> Callable[[str], str]:
    labels = enum.choices()
    return lambda value: labels.get(value, value)


templates.env.filters["local"] = _local
templates.env.filters["activity_label"] = _labeller(VisitActivity)
templates.env.filters["level_label"] = _labeller(HazardLevel)
templates.env.filters["status_label"] = _labeller(HazardStatus)
templates.env.filters["category_label"] = _labeller(HazardCategory)
templates.env.tests["past"] = _is_past
templates.env.globals.update(
    Role=Role, csrf_header=CSRF_HEADER, error_words=error_words(), refused=REFUSED
)


class NotSignedIn(Exception):
    """The page needs a live session; the handler sends the browser to sign in."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in person looking at a page, and the CSRF token its forms carry."""

    actor: Actor
    csrf: str

    @property
    def is_regulator(self) -> bool:
        return self.actor.role.is_regulator or self.actor.role is Role.ADMIN


async def viewer(request: Request) -> Viewer:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    settings = request.app.state.settings
    idle = dt.timedelta(minutes=settings.console_idle_minutes)
    engine = request.app.state.engine
    found = await anyio.to_thread.run_sync(logins.session_actor, engine, token, idle)
    if found is None:
        raise NotSignedIn
    return Viewer(actor=found[0], csrf=found[1])


SignedIn = Annotated[Viewer, Depends(viewer)]


class ApiRefused(Exception):
    """The API refused a page's read: the page shows why, with the API's own status."""

    def __init__(self, status: int, detail: list[dict[str, Any]]) -> None:
        super().__init__(status)
        self.status, self.detail = status, detail


async def api_get(request: Request, path: str, params: dict[str, Any] | None = None) -> Any:
    """The API's JSON answer to GET ``path`` for the signed-in person, or `ApiRefused`."""
    query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    transport = httpx.ASGITransport(app=request.app)
    cookie = f"{SESSION_COOKIE}={request.cookies.get(SESSION_COOKIE, '')}"
    async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
        answer = await client.get(path, params=query, headers={"Cookie": cookie})
    if answer.status_code != 200:
        raise ApiRefused(answer.status_code, answer.json().get("detail", []))
    return answer.json()


def render(
    request: Request, name: str, who: Viewer, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        name,
        {"actor": who.actor, "csrf": who.csrf, "viewer": who, **context},
        status_code=status_code,
    )


def set_cookie(
    response: Response, request: Request, name: str, value: str, path: str = "/console"
) -> None:
    """A cookie no script reads and no other site's form sends (SameSite=Lax)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=path,
    )


def same_token(sent: str, expected: str | None) -> bool:
    """A form's CSRF token matches the one it was given, compared in constant time."""
    return expected is not None and secrets.compare_digest(sent.encode(), expected.encode())


def to_sign_in(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("console.sign_in_page"), status_code=303)


async def list_page(
    request: Request,
    who: Viewer,
    template: str,
    api_path: str,
    filters: dict[str, Any],
    *,
    limit: int,
    offset: int,
    **context: Any,
) -> HTMLResponse:
    """A page of one of the API's lists, with the filters the viewer chose kept for paging."""
    found = await api_get(request, api_path, {**filters, "limit": limit, "offset": offset})
    chosen = {name: value for name, value in filters.items() if value not in (None, "")}
    return render(
        request,
        template,
        who,
        page=found,
        filters=chosen,
        limit=limit,
        offset=offset,
        **context,
    )
