"""Per-request context: a request id, one log line per request, an audit row per command."""

import re
import time
import uuid
from typing import Any

import anyio.to_thread
import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agencyflow.api.content_policy import content_policy
from agencyflow.api.metrics import UNMATCHED
from agencyflow.domain.identity import Actor
from agencyflow.store import audit

REQUEST_ID_HEADER = "X-Request-ID"
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A caller's own id is kept so one request can be followed across systems, but only
# if it is short and plain: it lands in logs and the audit table.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

log = structlog.get_logger("agencyflow.http")


class RequestContextMiddleware:
    """Binds a request id, logs the request, and audits every command twice: when it
    arrives (outcome ``received``, before anything acts on it) and, on the same row, how it
    ended, before the response starts. A caller who has its answer can already find the
    row, no command is answered without it, and a command the API never answered (it
    stopped) still has its row.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        audited = False
        command = scope["method"] in COMMAND_METHODS
        receipt = await _received(scope) if command else None

        async def send_with_context(message: Message) -> None:
            nonlocal status, audited
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                headers["Content-Security-Policy"] = content_policy(scope["path"])
                headers["X-Content-Type-Options"] = "nosniff"
                if command:
                    audited = True
                    await _audit(scope, status, receipt)
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except Exception:
            if command and not audited:
                await _audit(scope, 500, receipt)
            raise
        finally:
            seconds = time.perf_counter() - started
            log.info(
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                request_id=request_id,
                duration_ms=round(seconds * 1000, 1),
            )
            _count(scope, status, seconds, command)


def _count(scope: Scope, status: int, seconds: float, command: bool) -> None:
    metrics = getattr(scope["app"].state, "metrics", None)
    if metrics is None:
        return
    route = scope.get("route")
    metrics.observe(
        getattr(route, "path", UNMATCHED),
        scope["method"],
        status,
        seconds,
        (getattr(route, "name", None) or UNMATCHED) if command else None,
        scope["state"].get("audit_detail"),
    )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTABLE_ID.match(text) else None
    return None


def _storable(path: str) -> str:
    """The path as a database can keep it: a NUL (refused later by the guard, but audited
    first) is written out."""
    return path.replace("\x00", "\\x00")


async def _received(scope: Scope) -> int | None:
    """The audit row of a command, written before anything acts on it: if the API stops
    before it answers, the row (outcome ``received``) still says the command arrived."""
    entry = audit.AuditEntry(
        actor="(not yet known)",
        action=f"{scope['method']} {_storable(scope['path'])}"[:120],
        resource=_storable(scope["path"])[:300],
        request_id=scope["state"]["request_id"],
        outcome=audit.Outcome.RECEIVED.value,
        status_code=0,
    )
    try:
        return await anyio.to_thread.run_sync(audit.record, scope["app"].state.engine, entry)
    except Exception:
        log.exception("audit.write_failed", action=entry.action, resource=entry.resource)
        return None


async def _audit(scope: Scope, status: int, receipt: int | None) -> None:
    state = scope["state"]
    actor: Actor | None = state.get("actor")
    route = scope.get("route")
    path = _storable(scope["path"])
    entry = audit.AuditEntry(
        actor_user_id=actor.user_id if actor else None,
        actor=actor.label if actor else "anonymous",
        role=actor.role.value if actor else None,
        action=getattr(route, "name", None) or f"{scope['method']} {path}"[:120],
        resource=state.get("audit_resource") or path[:300],
        request_id=state["request_id"],
        outcome=audit.Outcome.of_status(status).value,
        status_code=status,
        detail=state.get("audit_detail"),
    )
    engine = scope["app"].state.engine
    try:
        if receipt is None:
            await anyio.to_thread.run_sync(audit.record, engine, entry)
        else:
            await anyio.to_thread.run_sync(audit.complete, engine, receipt, entry)
    except Exception:
        # The command has already taken effect; failing the answer would make the
        # caller retry it. Shout instead, so operations restore the audit trail.
        log.exception("audit.write_failed", action=entry.action, resource=entry.resource)
