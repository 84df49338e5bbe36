"""Business rejections cross Temporal as non-retryable `ApplicationError`s.

The error's ``type`` names the domain error class and its first detail carries the
stable code and any rule violations, so the API can rebuild the same error and answer
with the same status and body it would have given without Temporal in between.
"""

from temporalio.exceptions import ApplicationError

from agencyflow.domain.errors import AgencyflowError, RuleViolations


def rejection(error: AgencyflowError) -> ApplicationError:
    violations = (
        [v.model_dump() for v in error.violations] if isinstance(error, RuleViolations) else []
    )
    return ApplicationError(
        error.message,
        {"code": error.code, "violations": violations},
        type=type(error).__name__,
        non_retryable=True,
    )
