"""`ReformLaunchWorkflow`: each year, every county's reform programme opened (R15). Started
by a Temporal Schedule on 1 January; a rerun for the same year opens nothing twice (each
programme's workflow id is its county's and year's)."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import REFORM_POLICY
    from agencyflow.config.policy import Policy
    from agencyflow.domain.calendar import CHINA_TZ
    from agencyflow.domain.regions import JURISDICTIONS

    from .models import LaunchInput, ReformInput, ReformOpening, reform_workflow_id
    from .workflow import ReformProgrammeWorkflow


@workflow.defn
class ReformLaunchWorkflow:
    @workflow.run
    async def run(self, input: LaunchInput) -> list[str]:
        # The policy in force, recorded in the history: each programme runs under it.
        policy: Policy = await workflow.execute_local_activity(
            REFORM_POLICY, result_type=Policy, start_to_close_timeout=timedelta(seconds=10)
        )
        year = input.year or policy.reform_year or workflow.now().astimezone(CHINA_TZ).year
        opened: list[str] = []
        for county in JURISDICTIONS:
            workflow_id = reform_workflow_id(county.code, year)
            try:
                await workflow.start_child_workflow(
                    ReformProgrammeWorkflow.run,
                    ReformInput(
                        county_code=county.code,
                        year=year,
                        policy=policy,
                        opening=ReformOpening(actor=None, county_code=county.code, year=year),
                    ),
                    id=workflow_id,
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    # One programme per county and year; one whose run failed may start again.
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                )
            except WorkflowAlreadyStartedError:
                continue  # opened already: by hand, or by a run before this one
            opened.append(workflow_id)
        return opened
