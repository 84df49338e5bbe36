"""What a project sets going outside itself: its hazards' workflows, their visit notices,
its agency's credit events, and the hand-off of its report to the provincial platform
(R5, R8, R10)."""

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    FailureError,
    WorkflowAlreadyStartedError,
)
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import PLATFORM_SUBMIT_REPORT
    from agencyflow.config.limits import HistoryLimits
    from agencyflow.config.policy import Policy
    from agencyflow.domain.hazard import HazardRecord
    from agencyflow.domain.platform import PlatformReceipt, ReportSubmission
    from agencyflow.domain.project import CreditEvent
    from agencyflow.workflows.agency.models import agency_workflow_id
    from agencyflow.workflows.hazard.models import HazardInput, VisitNotice, hazard_workflow_id
    from agencyflow.workflows.steps import Context

    from . import report
    from .models import ProjectChange, ProjectState

HANDOFF_ATTEMPT = timedelta(minutes=2)
HANDOFF_PATIENCE = timedelta(days=1)
"""How long one hand-off retries before it waits for the daily reconciliation."""
HANDOFF_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=30),
    non_retryable_error_types=["PlatformRefused"],
)

PlatformAnswer = Callable[[ProjectState, Context], ProjectChange]
"""The platform's answer as the project's next step: received, or refused."""


async def follow(record: HazardRecord, policy: Policy, limits: HistoryLimits) -> None:
    """The hazard's own workflow, followed to its end even after its project closes. The
    visit is recorded whatever happens here: a clash must not fail the update."""
    try:
        await workflow.start_child_workflow(
            "HazardWorkflow",
            HazardInput(record=record, policy=policy, limits=limits),
            id=hazard_workflow_id(record.hazard_id),
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
    except WorkflowAlreadyStartedError:
        workflow.logger.warning("hazard %s already had its workflow", record.hazard_id)


async def notify(notice: VisitNotice) -> bool:
    """Tell an open hazard of a visit; False if its workflow has ended (closed by a path of
    its own, its own word of that still on its way)."""
    hazard = workflow.get_external_workflow_handle(hazard_workflow_id(notice.hazard_id))
    try:
        await hazard.signal("visit_noted", notice)
    except FailureError:
        return False
    return True


async def tell_agency(event: CreditEvent) -> None:
    """The agency's workflow rescores it. The event is in the ledger already (recorded with
    the step); an agency without a workflow here is only logged."""
    agency = workflow.get_external_workflow_handle(agency_workflow_id(event.agency_uscc))
    try:
        await agency.signal("credit_event", event)
    except FailureError:
        workflow.logger.warning(
            "agency %s could not be told of %s", event.agency_uscc, event.source
        )


async def hand_over(submission: ReportSubmission) -> PlatformAnswer | None:
    """Retried with backoff for a day; None if the platform never answered (the daily
    reconciliation tries again)."""
    try:
        receipt: PlatformReceipt = await workflow.execute_activity(
            PLATFORM_SUBMIT_REPORT,
            submission,
            result_type=PlatformReceipt,
            start_to_close_timeout=HANDOFF_ATTEMPT,
            schedule_to_close_timeout=HANDOFF_PATIENCE,
            retry_policy=HANDOFF_RETRY,
        )
    except ActivityError as failure:
        cause = failure.cause
        if isinstance(cause, ApplicationError) and cause.type == "PlatformRefused":
            reason = cause.message
            return lambda draft, _: report.refused(draft, reason)
        workflow.logger.warning("hand-off gave up for now; the reconciliation retries")
        return None
    return lambda draft, ctx: report.received(draft, receipt, ctx)
