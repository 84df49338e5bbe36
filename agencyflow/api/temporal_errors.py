"""Sending updates to workflows, and turning their rejections back into our errors."""

import hashlib
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from agencyflow.domain.errors import PLAIN, AgencyflowError, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor


def from_rejection(error: ApplicationError) -> AgencyflowError | None:
    """The domain error a workflow raised (see `workflows.rejections`), or None."""
    detail: dict[str, Any] = error.details[0] if error.details else {}
    code = detail.get("code")
    if error.type == "RuleViolations":
        return RuleViolations([Violation.model_validate(v) for v in detail.get("violations", [])])
    kind = PLAIN.get(error.type or "")
    return kind(error.message, code=code) if kind else None


def update_id(request: Request, actor: Actor, command: BaseModel) -> str:
    """The update's id: the same request again (same user, route, request id and content)
    is recognised by Temporal and answered with the first result, so a retry never acts
    twice; anything else differs, even if a client reuses its ``X-Request-ID``."""
    route = getattr(request.scope.get("route"), "name", "")
    key = "|".join(
        (
            str(actor.user_id),
            route,
            request.url.path,
            request.state.request_id,
            command.model_dump_json(exclude={"actor"}),
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32]


async def execute_update(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, *, update_id: str
) -> Any:
    """Run an update; the same update id again returns the first answer, not a second act."""
    try:
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
