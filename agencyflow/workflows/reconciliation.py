"""`PlatformReconciliationWorkflow`: every day, each report still without a receipt is handed
to the provincial platform again (R10).

Started by a Temporal Schedule (see `agencyflow.schedules`). It lists the projects whose
uploaded report has no receipt in the read model and signals each to hand its report
over again; the project, the only writer of its records, records the receipt when it
comes. A hand-off already under way is left to finish.
"""

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import PLATFORM_AWAITING_RECEIPT
    from agencyflow.activities.platform import AwaitingPage

    from .project.models import project_workflow_id

PAGE = 200


class ReconciliationInput(BaseModel):
    after: str = ""
    """Continue after this project id (set by continue-as-new)."""
    signalled: int = 0


class ReconciliationResult(BaseModel):
    signalled: int
    """Projects told to hand their report over again."""


@workflow.defn
class PlatformReconciliationWorkflow:
    @workflow.run
    async def run(self, input: ReconciliationInput) -> ReconciliationResult:
        after, signalled = input.after, input.signalled
        while True:
            page: list[str] = await workflow.execute_activity(
                PLATFORM_AWAITING_RECEIPT,
                AwaitingPage(after=after, limit=PAGE),
                result_type=list[str],
                start_to_close_timeout=timedelta(minutes=1),
            )
            for project_id in page:
                project = workflow.get_external_workflow_handle(project_workflow_id(project_id))
                try:
                    await project.signal("hand_over_again")
                    signalled += 1
                except FailureError:
                    workflow.logger.warning("project %s could not be told", project_id)
            if len(page) < PAGE:
                return ReconciliationResult(signalled=signalled)
            after = page[-1]
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(ReconciliationInput(after=after, signalled=signalled))
