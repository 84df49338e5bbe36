"""Per-request context: a request id, one log line per request, an audit row per command."""

import re
import time
import uuid
from typing import Any

import anyio.to_thread
import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agencyflow.domain.identity import Actor
from agencyflow.store import audit

REQUEST_ID_HEADER = "X-Request-ID"
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A caller's own id is kept so one request can be followed across systems, but only
# if it is short and plain: it lands in logs and the audit table.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

log = structlog.get_logger("agencyflow.http")


class RequestContextMiddleware:
    """Binds a request id, logs the request, and audits every command before answering.

    The audit row is written before the response starts, so a caller who has its answer
    can already find the row, and a command is never answered without its audit entry.
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

        async def send_with_context(message: Message) -> None:
            nonlocal status, audited
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
                if scope["method"] in COMMAND_METHODS:
                    audited = True
                    await _audit(scope, status)
            await send(message)

        try:
            await self.app(scope, receive, send_with_context)
        except Exception:
            if scope["method"] in COMMAND_METHODS and not audited:
                await _audit(scope, 500)
            raise
        finally:
            log.info(
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                request_id=request_id,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _ACCEPTABLE_ID.match(text) else None
    return None


async def _audit(scope: Scope, status: int) -> None:
    state = scope["state"]
    actor: Actor | None = state.get("actor")
    route = scope.get("route")
    entry = audit.AuditEntry(
        actor_user_id=actor.user_id if actor else None,
        actor=actor.label if actor else "anonymous",
        role=actor.role.value if actor else None,
        action=getattr(route, "name", None) or f"{scope['method']} {scope['path']}",
        resource=state.get("audit_resource") or scope["path"],
        request_id=state["request_id"],
        outcome=audit.Outcome.of_status(status).value,
        status_code=status,
        detail=state.get("audit_detail"),
    )
    try:
        await anyio.to_thread.run_sync(audit.record, scope["app"].state.engine, entry)
    except Exception:
        # The command has already taken effect; failing the answer would make the
        # caller retry it. Shout instead, so operations restore the audit trail.
        log.exception("audit.write_failed", action=entry.action, resource=entry.resource)
