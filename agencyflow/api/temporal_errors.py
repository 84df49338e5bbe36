"""Sending updates to workflows, and turning their rejections back into our errors."""

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import Request
from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio.client import (
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from agencyflow.domain.errors import (
    PLAIN,
    AgencyflowError,
    Conflict,
    NotFound,
    RuleViolations,
    Unavailable,
    Violation,
)
from agencyflow.domain.identity import Actor
from agencyflow.store import idempotency


def from_rejection(error: ApplicationError) -> AgencyflowError | None:
    """The domain error a workflow raised (see `workflows.rejections`), or None."""
    detail: dict[str, Any] = error.details[0] if error.details else {}
    code = detail.get("code")
    if error.type == "RuleViolations":
        return RuleViolations([Violation.model_validate(v) for v in detail.get("violations", [])])
    kind = PLAIN.get(error.type or "")
    return kind(error.message, code=code) if kind else None


IDEMPOTENCY_KEY = "Idempotency-Key"


async def update_id(request: Request, actor: Actor, command: BaseModel, engine: Engine) -> str:
    """The update's id: the same command again is recognised by Temporal and answered with
    the first outcome, so a retry never acts twice.

    With an ``Idempotency-Key``, the command is the user's key: the same key again is the
    same command, and the key sent with another request is refused (409). Without one, it
    is the same user, route, ``X-Request-ID`` and content; anything else differs, even if a
    client reuses its ``X-Request-ID``."""
    route = getattr(request.scope.get("route"), "name", "")
    # What the client sent, not what the API added to it (who, and the agency as the read
    # model showed it then, which may have moved on by the time the client retries).
    sent = command.model_dump_json(exclude={"actor", "agency"})
    request_part = "|".join((route, request.url.path, sent))
    key = request.headers.get(IDEMPOTENCY_KEY)
    if key is None:
        parts = (str(actor.user_id), request.state.request_id, request_part)
        return _digest("|".join(parts))[:32]
    fingerprint = _digest(request_part)
    attempt = await anyio.to_thread.run_sync(
        idempotency.claim, engine, actor.user_id, key, fingerprint
    )
    if attempt is None:
        raise Conflict(
            f"the {IDEMPOTENCY_KEY} {key!r} was first sent with another request; "
            "a new command needs a new key",
            code="idempotency.key_reused",
        )
    return _digest(f"{actor.user_id}|{IDEMPOTENCY_KEY}|{key}|{attempt}")[:32]


NOT_HAPPENED = "record.failed"
"""A workflow's answer that the step was not taken: its key may try again."""


async def free_key_after(request: Request, error: AgencyflowError) -> None:
    """After a step that did not happen, the same key's retry must be a new attempt:
    Temporal would otherwise answer it with this same failure for ever."""
    key, actor = request.headers.get(IDEMPOTENCY_KEY), getattr(request.state, "actor", None)
    if error.code != NOT_HAPPENED or key is None or actor is None:
        return
    engine = request.app.state.engine
    await anyio.to_thread.run_sync(idempotency.next_attempt, engine, actor.user_id, key)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_UNAVAILABLE = frozenset(
    {
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
        RPCStatusCode.RESOURCE_EXHAUSTED,
        RPCStatusCode.CANCELLED,
        RPCStatusCode.UNKNOWN,
    }
)


@asynccontextmanager
async def reaching_temporal(seconds: float) -> AsyncIterator[None]:
    """Bound a call to Temporal and answer its outage as `Unavailable` (503): the caller
    may send the same command again, and it is then acted on once."""
    unanswered = Unavailable(
        f"the workflow engine did not answer within {seconds:g}s; the command may still be "
        "applied: send the same request again (same Idempotency-Key) to learn how it ended",
        code="temporal.unavailable",
    )
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise unanswered from None
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise unanswered from None
    except RPCError as error:
        if error.status in _UNAVAILABLE:
            raise unanswered from None
        raise
    except RuntimeError as error:
        # A lazy client's first call, with the server down, fails to connect this way.
        if str(error).startswith("Failed client connect"):
            raise unanswered from None
        raise


async def execute_update(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, *, update_id: str, seconds: float
) -> Any:
    """Run an update; the same update id again returns the first answer, not a second act."""
    try:
        async with reaching_temporal(seconds):
            return await handle.execute_update(update, arg, id=update_id)
    except WorkflowUpdateFailedError as failure:
        raise translated(failure) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise NotFound("no such workflow is running", code="workflow.not_found") from None
        raise


def translated(failure: WorkflowUpdateFailedError) -> Exception:
    """The domain error behind a failed update, or the failure itself if it is none of ours."""
    cause = failure.cause
    if isinstance(cause, ApplicationError):
        return from_rejection(cause) or failure
    return failure
