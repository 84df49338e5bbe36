"""Sending updates to workflows, and turning their rejections back into our errors."""

from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from agencyflow.domain.errors import (
    AgencyflowError,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolations,
    Violation,
)

_PLAIN: dict[str, type[AgencyflowError]] = {
    "Conflict": Conflict,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
}


def from_rejection(error: ApplicationError) -> AgencyflowError | None:
    """The domain error a workflow raised (see `workflows.rejections`), or None."""
    detail: dict[str, Any] = error.details[0] if error.details else {}
    code = detail.get("code")
    if error.type == "RuleViolations":
        return RuleViolations([Violation.model_validate(v) for v in detail.get("violations", [])])
    kind = _PLAIN.get(error.type or "")
    return kind(error.message, code=code) if kind else None


async def execute_update(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, *, request_id: str
) -> Any:
    """Run an update; a repeated request id returns the first answer instead of acting twice."""
    try:
        return await handle.execute_update(update, arg, id=request_id)
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
