"""`SpotCheckSamplingWorkflow`: each half year, every county's sample drawn and its checks
opened (R14). Started by a Temporal Schedule on 1 January and 1 July for the half year
that has just ended; a rerun for the same half year opens nothing twice (the draw is kept,
and each check's workflow id is its report's)."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import SPOT_CHECK_DRAW
    from agencyflow.domain.calendar import CHINA_TZ
    from agencyflow.domain.regions import JURISDICTIONS

    from .models import (
        DrawAnswer,
        DrawRequest,
        SamplingInput,
        SpotCheckInput,
        SpotCheckOpening,
        spot_check_workflow_id,
    )
    from .workflow import SpotCheckWorkflow


def last_half_year(year: int, month: int) -> str:
    """The half year that ended before the given month: in January to June, the last
    year's second; from July, this year's first."""
    return f"{year - 1}H2" if month < 7 else f"{year}H1"


@workflow.defn
class SpotCheckSamplingWorkflow:
    @workflow.run
    async def run(self, input: SamplingInput) -> list[str]:
        now = workflow.now().astimezone(CHINA_TZ)
        period = input.period or last_half_year(now.year, now.month)
        opened: list[str] = []
        for county in JURISDICTIONS:
            seed = f"{period}-{county.code}-{workflow.uuid4().hex[:16]}"
            answer: DrawAnswer = await workflow.execute_activity(
                SPOT_CHECK_DRAW,
                DrawRequest(county_code=county.code, period=period, seed=seed),
                result_type=DrawAnswer,
                start_to_close_timeout=timedelta(minutes=5),
                retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=5)),
            )
            for subject in answer.opened:
                try:
                    await workflow.start_child_workflow(
                        SpotCheckWorkflow.run,
                        SpotCheckInput(
                            project_id=subject.project_id,
                            policy=answer.policy,
                            opening=SpotCheckOpening(actor=None, subject=subject),
                        ),
                        id=spot_check_workflow_id(subject.project_id),
                        parent_close_policy=ParentClosePolicy.ABANDON,
                        # One check per report; one whose run failed may be opened again.
                        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                    )
                except WorkflowAlreadyStartedError:
                    continue  # checked already: by hand, or by a run before this one
                opened.append(subject.project_id)
        return opened
