"""One mapping from our errors to HTTP, and one error shape for every response.

Every error body is ``{"detail": [{"type": code, "loc": [...], "msg": message}, ...]}``:
the shape FastAPI uses for validation errors, so clients parse one format, and ``type``
holds our stable code (``admission.too_few_professionals``) for rule errors.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from agencyflow.domain.errors import (
    AgencyflowError,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolations,
    Unavailable,
)


class Unauthenticated(AgencyflowError):
    """No valid bearer token (HTTP 401)."""

    code = "auth.unauthenticated"


_STATUS: list[tuple[type[AgencyflowError], int]] = [
    (RuleViolations, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unavailable, 503),
]


def status_of(error: AgencyflowError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def _path(field: str) -> list[str | int]:
    """``hazards.0.photos`` → ``["hazards", 0, "photos"]``, positions as pydantic gives them."""
    return [int(part) if part.isdigit() else part for part in field.split(".")]


def error_entries(error: AgencyflowError) -> list[dict[str, Any]]:
    if isinstance(error, RuleViolations):
        return [
            {
                "type": v.code,
                "loc": ["body", *_path(v.field)] if v.field else [],
                "msg": v.message,
            }
            for v in error.violations
        ]
    return [{"type": error.code, "loc": [], "msg": error.message}]


async def _agencyflow_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, AgencyflowError)
    request.state.audit_detail = error.code
    headers = None
    if isinstance(error, Unauthenticated):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(error, Unavailable):
        headers = {"Retry-After": "5"}  # what we depend on is down or busy: try again soon
    return JSONResponse(
        {"detail": error_entries(error)}, status_code=status_of(error), headers=headers
    )


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    fields = [".".join(str(part) for part in entry["loc"]) for entry in error.errors()]
    request.state.audit_detail = ("invalid: " + ", ".join(fields))[:500]
    return await request_validation_exception_handler(request, error)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AgencyflowError, _agencyflow_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
