"""``/redoc`` with nothing from outside: ReDoc's bundle as fastapi-offline ships it, but for
the one address it hard-codes (Redocly's logo, fetched from its CDN when the page renders),
which points at the app's own icon instead."""

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)

BUNDLE = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
CDN_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
OWN_LOGO = "/static/docs/favicon.png"
"""fastapi-offline's own icon, which /docs shows too."""
BUNDLE_URL = "/redoc-assets/redoc.standalone.js"


@cache
def bundle() -> bytes:
    return BUNDLE.read_bytes().replace(CDN_LOGO.encode(), OWN_LOGO.encode())


@router.get("/redoc")
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json",
        title="agencyflow - ReDoc",
        redoc_js_url=BUNDLE_URL,
        redoc_favicon_url=OWN_LOGO,
        with_google_fonts=False,
    )


@router.get(BUNDLE_URL)
async def redoc_bundle() -> Response:
    return Response(
        bundle(),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
