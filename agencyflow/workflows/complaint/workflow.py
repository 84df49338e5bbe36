"""`ComplaintWorkflow`: one complaint (举报, R13), from its filing to its answer.

Started with the complaint as filed (the input carries it). Updates (regulators of the
handling county, or the city): ``accept`` or ``refuse`` within the policy's working days;
``extend`` once; ``decide`` with the outcome. The acceptance deadline and the
investigation's end go to the city when they pass unanswered; reminders go to the
handling regulator before the investigation's end. The reporter is known to the workflow
only by a reference to their sealed identity.
"""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import COMPLAINT_RECORD
    from agencyflow.domain.complaints import ComplaintSubject
    from agencyflow.domain.records import ComplaintRecord
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.project.outside import tell_agency
    from agencyflow.workflows.recorder import (
        TIMER_RETRY_AFTER,
        Recorder,
        RecordFailed,
        working_days_from_now,
    )
    from agencyflow.workflows.steps import Context

    from . import steps
    from .models import (
        Acceptance,
        ComplaintChange,
        ComplaintInput,
        ComplaintState,
        Extension,
        Outcome,
        Refusal,
        complaint_resource,
    )


@workflow.defn
class ComplaintWorkflow:
    @workflow.init
    def __init__(self, input: ComplaintInput) -> None:
        self._policy, self._limits = input.policy, input.limits
        self._rec = Recorder(input.state or ComplaintState(), COMPLAINT_RECORD, input.limits)

    @property
    def _state(self) -> ComplaintState:
        return self._rec.state

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy)

    def _closed(self) -> bool:
        progress = self._state.progress
        return progress is not None and not progress.open

    @workflow.run
    async def run(self, input: ComplaintInput) -> None:
        if self._state.subject is None and input.filing is not None:
            await self._file(input.filing)
        while not self._closed() and not self._rec.history_is_long():
            await self._rec.sleep(lambda: steps.next_due(self._state, self._ctx()), self._closed)
            async with self._rec.lock:
                await self._rec.due_steps(self._due_change, self._adopt)
        await self._rec.quiet()
        if not self._closed():
            workflow.continue_as_new(
                ComplaintInput(
                    code=input.code, policy=self._policy, limits=self._limits, state=self._state
                )
            )

    async def _file(self, filing: ComplaintSubject) -> None:
        """The filing, tried again until recorded: a complaint is never lost because the
        database was away for a moment."""
        due = await working_days_from_now(self._policy.complaint_acceptance_working_days)
        while self._state.subject is None:
            try:
                async with self._rec.lock:
                    draft = self._state.model_copy(deep=True)
                    await self._adopt(draft, steps.file(draft, filing, due))
            except RecordFailed as failed:
                workflow.logger.warning("complaint not recorded yet: %s", failed)
                await workflow.sleep(TIMER_RETRY_AFTER)

    async def _due_change(self, draft: ComplaintState) -> ComplaintChange | None:
        return steps.due_change(draft, self._ctx())

    @workflow.update
    async def accept(self, acceptance: Acceptance) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_acceptance(s, acceptance),
            lambda d: steps.accept(d, acceptance, self._ctx()),
            self._adopt,
        )

    @accept.validator
    def _validate_accept(self, acceptance: Acceptance) -> None:
        self._rec.check(lambda s: steps.check_acceptance(s, acceptance))

    @workflow.update
    async def refuse(self, refusal: Refusal) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_refusal(s, refusal),
            lambda d: steps.refuse(d, refusal, self._ctx()),
            self._adopt,
        )

    @refuse.validator
    def _validate_refuse(self, refusal: Refusal) -> None:
        self._rec.check(lambda s: steps.check_refusal(s, refusal))

    @workflow.update
    async def extend(self, extension: Extension) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_extension(s, extension, self._ctx()),
            lambda d: steps.extend(d, extension),
            self._adopt,
        )

    @extend.validator
    def _validate_extend(self, extension: Extension) -> None:
        self._rec.check(lambda s: steps.check_extension(s, extension, self._ctx()))

    @workflow.update
    async def decide(self, outcome: Outcome) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_outcome(s, outcome),
            lambda d: steps.decide(d, outcome, self._ctx()),
            self._adopt,
        )

    @decide.validator
    def _validate_decide(self, outcome: Outcome) -> None:
        self._rec.check(lambda s: steps.check_outcome(s, outcome))

    @workflow.query
    def state(self) -> ComplaintState:
        return self._state

    async def _adopt(self, draft: ComplaintState, change: ComplaintChange) -> Ack:
        subject, progress = steps.subject_of(draft), steps.progress_of(draft)
        seq = self._rec.numbers(draft)
        record = ComplaintRecord(
            workflow_id=workflow.info().workflow_id,
            seq=seq,
            subject=subject,
            progress=progress,
            event=change.entry(complaint_resource(subject.code), seq, workflow.now()),
            inbox=change.inbox,
            credit_events=change.credit_events,
        )
        await self._rec.commit(draft, record)
        await asyncio.gather(*(tell_agency(event) for event in change.credit_events))
        return Ack(seq=seq)
