"""One mapping from our errors to HTTP, and one error shape for every response.

Every error body is ``{"detail": [{"type": code, "loc": [...], "msg": message}, ...]}``:
the shape FastAPI uses for validation errors, so clients parse one format, and ``type``
holds our stable code (``admission.too_few_professionals``) for rule errors.
"""

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from agencyflow.api.temporal_errors import free_key_after
from agencyflow.domain.errors import (
    AgencyflowError,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolations,
    Unavailable,
)

log = structlog.get_logger("agencyflow.http")


class ErrorEntry(BaseModel):
    type: str
    """A stable code: ``auth.out_of_scope``, ``project.not_found``, a rule's code…"""
    loc: list[str | int]
    """Where: ``["body", "hazards", 0, "photos"]``, or empty for the request as a whole."""
    msg: str


class ErrorBody(BaseModel):
    """Every error, whatever its status."""

    detail: list[ErrorEntry]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "No valid bearer token."),
        (403, "Outside the caller's role or scope (or nothing there the caller could see)."),
        (404, "Nothing there, for a caller who would see it if there were."),
        (408, "The request body did not arrive in time."),
        (409, "A step out of order, a duplicate, or an Idempotency-Key reused."),
        (413, "The request body is too large."),
        (422, "One entry per wrong field; the value itself is never echoed."),
        (500, "An unexpected error; the message names the request id for the logs."),
        (503, "The workflow engine or the database did not answer in time; send again."),
    )
}
"""Documented on every route: each can answer them, in the one error shape."""


class Unauthenticated(AgencyflowError):
    """No valid bearer token (HTTP 401)."""

    code = "auth.unauthenticated"


class TooManyRequests(AgencyflowError):
    """The caller sent more than its share; it may try again later (HTTP 429)."""

    code = "rate_limited"


_STATUS: list[tuple[type[AgencyflowError], int]] = [
    (RuleViolations, 422),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Unavailable, 503),
    (TooManyRequests, 429),
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
    await free_key_after(request, error)
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
    entries = [
        # Never the input itself: it may be a person's ID number, or a value JSON cannot
        # carry back (NaN, a lone surrogate).
        {"type": entry["type"], "loc": list(entry["loc"]), "msg": entry["msg"]}
        for entry in error.errors()
    ]
    fields = [".".join(str(part) for part in entry["loc"]) for entry in entries]
    request.state.audit_detail = ("invalid: " + ", ".join(fields))[:500]
    return JSONResponse({"detail": entries}, status_code=422)


_HTTP_CODES = {
    404: ("http.not_found", "no such route: see /docs for the API"),
    405: ("http.method_not_allowed", "this route does not take that method"),
}


async def _http_error(request: Request, error: Exception) -> Response:
    """Starlette's own errors (unknown route, wrong method, …) in our shape."""
    assert isinstance(error, HTTPException)
    code, message = _HTTP_CODES.get(error.status_code, (f"http.{error.status_code}", None))
    if message is None:
        message = error.detail if isinstance(error.detail, str) else "the request was refused"
    request.state.audit_detail = code
    return JSONResponse(
        {"detail": [{"type": code, "loc": [], "msg": message}]},
        status_code=error.status_code,
        headers=error.headers,
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    """Anything else: 500 in our shape, naming the request id for the logs, nothing more."""
    request_id = getattr(request.state, "request_id", "")
    log.error("http.unexpected_error", exc_info=error, request_id=request_id)
    message = f"an unexpected error; quote request id {request_id} when reporting it"
    return JSONResponse(
        {"detail": [{"type": "internal", "loc": [], "msg": message}]},
        status_code=500,
        # This answer leaves outside the middleware that adds the header to all others.
        headers={"X-Request-ID": request_id},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AgencyflowError, _agencyflow_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
