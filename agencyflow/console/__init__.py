"""The officials' console: server-rendered pages in Chinese under ``/console``."""

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from . import (
    complaint_public,
    complaints,
    hazards,
    inspections,
    projects,
    reform,
    registers,
    routes,
    spot_checks,
)
from .web import STATIC, ApiRefused, NotSignedIn, render, to_sign_in, viewer
from .words import REFUSED, words_for

ROUTERS = tuple(
    module.router
    for module in (
        routes,
        projects,
        hazards,
        registers,
        spot_checks,
        inspections,
        reform,
        complaints,
        complaint_public,
    )
)
PUBLIC_PAGES = frozenset(
    {
        "/console/login",
        "/console/logout",
        "/console/complaint",
        "/console/complaint/track",
    }
)
"""The console's paths that answer without a session: signing in, signing out (which
checks for a session itself), and the public's complaint pages. Every other page needs one;
a test walks the routers to keep it that way."""


def install(app: FastAPI) -> None:
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")

    async def not_signed_in(request: Request, _: Exception) -> Response:
        return to_sign_in(request)

    async def refused(request: Request, error: Exception) -> Response:
        """The API refused what a page reads: the page says so, with the API's status."""
        assert isinstance(error, ApiRefused)
        if error.status == 401:
            return to_sign_in(request)
        who = await viewer(request)
        return render(
            request,
            "refused.html",
            who,
            status_code=error.status,
            status=error.status,
            headline=REFUSED.get(error.status, "无法显示"),
            detail=error.detail,
            words={e.get("type", ""): words_for(e.get("type", "")) for e in error.detail},
        )

    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(ApiRefused, refused)
