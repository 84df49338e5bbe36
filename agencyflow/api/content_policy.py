"""The Content-Security-Policy every answer carries: a page may load only from the app.

Government networks are often offline; a page that reaches for another host shows a hole
there, and on a connected network it would tell that host who reads what. The browser
enforces this for us, so a bundled library that reaches out (ReDoc links Redocly's logo
from a CDN) is stopped before it asks.
"""

_COMMON = (
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
STRICT = "; ".join(("script-src 'self'", "style-src 'self'", *_COMMON))
"""The console and everything else: scripts and styles from the app's own files only."""
DOCS = "; ".join(
    ("script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'", *_COMMON)
)
"""Swagger UI starts from an inline script and ReDoc styles itself inline."""

DOCS_PATHS = ("/docs", "/redoc")


def content_policy(path: str) -> str:
    return DOCS if path.startswith(DOCS_PATHS) else STRICT
