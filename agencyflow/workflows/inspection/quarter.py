"""`InspectionQuarterWorkflow`: each quarter, every county's campaign opened (R7, R14).
Started by a Temporal Schedule on the first day of each quarter; a rerun for the same
quarter opens nothing twice (each campaign's workflow id is its county's and quarter's)."""

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from agencyflow.domain.calendar import CHINA_TZ
    from agencyflow.domain.inspections import quarter_of
    from agencyflow.domain.regions import JURISDICTIONS

    from .models import CampaignInput, QuarterInput, campaign_workflow_id
    from .workflow import InspectionCampaignWorkflow


@workflow.defn
class InspectionQuarterWorkflow:
    @workflow.run
    async def run(self, input: QuarterInput) -> list[str]:
        quarter = input.quarter or quarter_of(workflow.now().astimezone(CHINA_TZ).date())
        opened: list[str] = []
        for county in JURISDICTIONS:
            workflow_id = campaign_workflow_id(input.deployment, county.code, quarter)
            try:
                await workflow.start_child_workflow(
                    InspectionCampaignWorkflow.run,
                    CampaignInput(county_code=county.code, quarter=quarter),
                    id=workflow_id,
                    parent_close_policy=ParentClosePolicy.ABANDON,
                    # One campaign per county and quarter; one whose run failed may start again.
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                )
            except WorkflowAlreadyStartedError:
                continue
            opened.append(workflow_id)
        return opened
