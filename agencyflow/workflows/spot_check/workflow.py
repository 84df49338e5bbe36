"""`SpotCheckWorkflow`: one report's spot check, from its opening to its verdict.

Opened by the half-year's sample (the input carries the opening) or by a regulator (the
``open`` update, with start). Updates (regulators of the report's county, or the city):
``examine`` and ``decide``; the check falls overdue at its due date (the city is told) and
ends with its verdict, a failure deducting the regulator's points from the agency.
"""

import asyncio

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import SPOT_CHECK_RECORD
    from agencyflow.domain.records import SpotCheckRecord
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.project.outside import tell_agency
    from agencyflow.workflows.recorder import TIMER_RETRY_AFTER, Recorder
    from agencyflow.workflows.steps import Context

    from . import steps
    from .models import (
        Examination,
        Rectified,
        SpotCheckChange,
        SpotCheckInput,
        SpotCheckOpening,
        SpotCheckState,
        Verdict,
        spot_check_resource,
    )


@workflow.defn
class SpotCheckWorkflow:
    @workflow.init
    def __init__(self, input: SpotCheckInput) -> None:
        self._policy, self._limits = input.policy, input.limits
        self._rec = Recorder(input.state or SpotCheckState(), SPOT_CHECK_RECORD, input.limits)

    @property
    def _state(self) -> SpotCheckState:
        return self._rec.state

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy)

    def _settled(self) -> bool:
        return steps.settled(self._state)

    @workflow.run
    async def run(self, input: SpotCheckInput) -> None:
        if input.opening is not None:
            await self._open_from_sample(input.opening)
        if not await self._rec.started(lambda state: state.subject is not None):
            return  # its opening was refused: nothing to keep
        while not self._settled() and not self._rec.history_is_long():
            await self._rec.sleep(lambda: steps.overdue_at(self._state), self._settled)
            async with self._rec.lock:
                await self._rec.due_steps(self._due_change, self._adopt)
        await self._rec.quiet()
        if not self._settled():
            workflow.continue_as_new(
                SpotCheckInput(
                    project_id=input.project_id,
                    policy=self._policy,
                    limits=self._limits,
                    state=self._state,
                )
            )

    async def _open_from_sample(self, opening: SpotCheckOpening) -> None:
        """The sample's opening, tried again until it is recorded: a drawn report is never
        left unchecked because the database was away for a moment."""
        while self._state.subject is None:
            try:
                await self._rec.step(
                    lambda s: steps.check_opening(s, opening),
                    lambda d: steps.open_check(d, opening, self._ctx()),
                    self._adopt,
                )
            except ApplicationError as refused:
                workflow.logger.warning("spot check not opened yet: %s", refused.message)
                await workflow.sleep(TIMER_RETRY_AFTER)

    async def _due_change(self, draft: SpotCheckState) -> SpotCheckChange | None:
        due = steps.overdue_at(draft)
        if due is None or due > workflow.now():
            return None
        return steps.fall_overdue(draft)

    @workflow.update
    async def open(self, opening: SpotCheckOpening) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_opening(s, opening),
            lambda d: steps.open_check(d, opening, self._ctx()),
            self._adopt,
        )

    @open.validator
    def _validate_open(self, opening: SpotCheckOpening) -> None:
        self._rec.check(lambda s: steps.check_opening(s, opening))

    @workflow.update
    async def examine(self, examination: Examination) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_examination(s, examination),
            lambda d: steps.examine(d, examination, self._ctx()),
            self._adopt,
        )

    @examine.validator
    def _validate_examine(self, examination: Examination) -> None:
        self._rec.check(lambda s: steps.check_examination(s, examination))

    @workflow.update
    async def decide(self, verdict: Verdict) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_verdict(s, verdict, self._ctx()),
            lambda d: steps.decide(d, verdict, self._ctx()),
            self._adopt,
        )

    @decide.validator
    def _validate_decide(self, verdict: Verdict) -> None:
        self._rec.check(lambda s: steps.check_verdict(s, verdict, self._ctx()))

    @workflow.update
    async def confirm_rectified(self, rectified: Rectified) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_rectified(s, rectified),
            lambda d: steps.confirm_rectified(d, rectified, self._ctx()),
            self._adopt,
        )

    @confirm_rectified.validator
    def _validate_confirm_rectified(self, rectified: Rectified) -> None:
        self._rec.check(lambda s: steps.check_rectified(s, rectified))

    @workflow.query
    def state(self) -> SpotCheckState:
        return self._state

    async def _adopt(self, draft: SpotCheckState, change: SpotCheckChange) -> Ack:
        subject, progress = steps.subject_of(draft), steps.progress_of(draft)
        now = workflow.now()
        seq = self._rec.numbers(draft)
        record = SpotCheckRecord(
            workflow_id=workflow.info().workflow_id,
            seq=seq,
            subject=subject,
            progress=progress,
            event=change.entry(spot_check_resource(subject.project_id), seq, now),
            inbox=change.inbox,
            credit_events=change.credit_events,
        )
        await self._rec.commit(draft, record)
        await asyncio.gather(*(tell_agency(event) for event in change.credit_events))
        return Ack(seq=seq)
