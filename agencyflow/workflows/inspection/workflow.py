"""`InspectionCampaignWorkflow`: one county's quarterly full-coverage inspection (全覆盖检查,
R7, R14).

Started for every county when a quarter begins (`InspectionQuarterWorkflow`, a Temporal
Schedule). It lists the agencies active in the county, out-of-town ones serving its
enterprises too, and gives the county one task per agency, due at the quarter's end.
Updates (the county's regulators, or the city): ``inspect`` records an inspection with its
checklist, findings and decisions (rectification order, warning or interview, credit
events, veto referral); ``recheck`` follows a rectification. At the quarter's end the
uninspected go to the city's inbox; a rectification whose deadline passes unmet too. The
campaign ends once everything is done after the quarter, or at the next quarter's end.
"""

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import INSPECTION_PLAN, INSPECTION_RECORD
    from agencyflow.config.policy import Policy
    from agencyflow.domain.records import InspectionRecord
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.project.outside import tell_agency
    from agencyflow.workflows.recorder import TIMER_RETRY_AFTER, Recorder, RecordFailed
    from agencyflow.workflows.steps import Context

    from . import clock, steps
    from .models import (
        CampaignChange,
        CampaignInput,
        CampaignState,
        Inspection,
        Plan,
        PlanRequest,
        Recheck,
        campaign_resource,
        task_resource,
    )

PLAN_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=5))


@workflow.defn
class InspectionCampaignWorkflow:
    @workflow.init
    def __init__(self, input: CampaignInput) -> None:
        self._policy: Policy | None = input.policy
        self._limits = input.limits
        self._rec = Recorder(input.state or CampaignState(), INSPECTION_RECORD, input.limits)

    @property
    def _state(self) -> CampaignState:
        return self._rec.state

    def _ctx(self) -> Context:
        assert self._policy is not None, "the campaign's policy comes with its plan"
        return Context(now=workflow.now(), policy=self._policy)

    @workflow.run
    async def run(self, input: CampaignInput) -> None:
        if self._state.campaign is None:
            await self._open(input)
        while not self._state.ended and not self._rec.history_is_long():
            await self._rec.sleep(lambda: clock.next_due(self._state), self._done)
            async with self._rec.lock:
                await self._rec.due_steps(self._due_change, self._adopt)
        await self._rec.quiet()
        if not self._state.ended:
            workflow.continue_as_new(
                CampaignInput(
                    county_code=input.county_code,
                    quarter=input.quarter,
                    limits=self._limits,
                    policy=self._policy,
                    state=self._state,
                )
            )

    def _done(self) -> bool:
        """The campaign has nothing left to wait for: its closing step is due now."""
        return self._state.ended or clock.finished(self._state, workflow.now())

    async def _open(self, input: CampaignInput) -> None:
        """The plan, then its opening, tried again until recorded: no agency of the county
        goes uninspected because the database was away for a moment."""
        plan: Plan = await workflow.execute_activity(
            INSPECTION_PLAN,
            PlanRequest(county_code=input.county_code, quarter=input.quarter),
            result_type=Plan,
            start_to_close_timeout=timedelta(minutes=5),
            retry_policy=PLAN_RETRY,
        )
        self._policy = plan.policy
        campaign = steps.new_campaign(input.county_code, input.quarter, workflow.now())
        while self._state.campaign is None:
            try:
                async with self._rec.lock:
                    draft = self._state.draft()
                    await self._adopt(draft, steps.open_campaign(draft, campaign, plan.targets))
            except RecordFailed as failed:
                workflow.logger.warning("campaign not opened yet: %s", failed)
                await workflow.sleep(TIMER_RETRY_AFTER)

    async def _due_change(self, draft: CampaignState) -> CampaignChange | None:
        return clock.due_change(draft, workflow.now())

    def _opened(
        self, check: Callable[[CampaignState, Context], None]
    ) -> Callable[[CampaignState], None]:
        """The check, once the campaign is open (its policy came with its plan)."""

        def checked(state: CampaignState) -> None:
            steps.require_opened(state)
            check(state, self._ctx())

        return checked

    @workflow.update
    async def inspect(self, inspection: Inspection) -> Ack:
        return await self._rec.step(
            self._opened(lambda s, ctx: steps.check_inspection(s, inspection, ctx)),
            lambda d: steps.inspect(d, inspection, self._ctx()),
            self._adopt,
        )

    @inspect.validator
    def _validate_inspect(self, inspection: Inspection) -> None:
        self._rec.check(self._opened(lambda s, ctx: steps.check_inspection(s, inspection, ctx)))

    @workflow.update
    async def recheck(self, recheck: Recheck) -> Ack:
        return await self._rec.step(
            self._opened(lambda s, ctx: steps.check_recheck(s, recheck, ctx)),
            lambda d: steps.recheck(d, recheck, self._ctx()),
            self._adopt,
        )

    @recheck.validator
    def _validate_recheck(self, recheck: Recheck) -> None:
        self._rec.check(self._opened(lambda s, ctx: steps.check_recheck(s, recheck, ctx)))

    @workflow.query
    def state(self) -> CampaignState:
        return self._state

    async def _adopt(self, draft: CampaignState, change: CampaignChange) -> Ack:
        campaign = steps.campaign_of(draft)
        seq = self._rec.numbers(draft)
        resource = (
            task_resource(campaign.county_code, campaign.quarter, change.touched[0])
            if len(change.touched) == 1
            else campaign_resource(campaign.county_code, campaign.quarter)
        )
        record = InspectionRecord(
            workflow_id=workflow.info().workflow_id,
            seq=seq,
            campaign=campaign,
            ended=draft.ended,
            tasks=[draft.tasks[uscc] for uscc in change.touched],
            event=change.entry(resource, seq, workflow.now()),
            inbox=change.inbox,
            credit_events=change.credit_events,
        )
        await self._rec.commit(draft, record)
        await asyncio.gather(*(tell_agency(event) for event in change.credit_events))
        return Ack(seq=seq)
