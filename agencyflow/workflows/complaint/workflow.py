"""`ComplaintWorkflow`: one complaint (举报, R13), from its filing to its answer.

Started with the complaint as filed (the input carries it). Updates (regulators of the
handling county, or the city): ``accept`` or ``refuse`` within the policy's working days;
``extend`` once; ``merge`` a later report of the same matter in; ``decide`` with the
outcome; then, for a report found true, ``approve_reward`` and ``pay_reward``. The
acceptance deadline and the investigation's end go to the city when they pass unanswered;
reminders go to the handling regulator before the investigation's end. A complaint merged
into another hears of it by the signal ``merged_into`` and closes. The reporter is known to
the workflow only by a reference to their sealed identity.
"""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import COMPLAINT_RECORD
    from agencyflow.domain.complaints import ComplaintSubject, complaint_resource
    from agencyflow.domain.records import ComplaintRecord
    from agencyflow.workflows import changes
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.project.outside import tell_agency
    from agencyflow.workflows.recorder import (
        TIMER_RETRY_AFTER,
        Recorder,
        RecordFailed,
        taken,
        working_days_from_now,
    )
    from agencyflow.workflows.steps import Context

    from . import merging, reward, steps
    from .models import (
        Acceptance,
        ComplaintChange,
        ComplaintInput,
        ComplaintState,
        Extension,
        Merge,
        Outcome,
        Refusal,
        RewardApproval,
        RewardPayment,
        complaint_workflow_id,
    )


@workflow.defn
class ComplaintWorkflow:
    @workflow.init
    def __init__(self, input: ComplaintInput) -> None:
        self._policy, self._limits = input.policy, input.limits
        self._rec = Recorder(input.state or ComplaintState(), COMPLAINT_RECORD, input.limits)
        self._changes = taken(changes.COMPLAINT)
        self._merge_into = self._state.merge_pending

    @property
    def _state(self) -> ComplaintState:
        return self._rec.state

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy, changes=self._changes)

    def _closed(self) -> bool:
        progress = self._state.progress
        if progress is None:
            return False
        if changes.COMPLAINT_REWARD_PAID in self._changes:
            return progress.settled
        return not progress.open

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
            state = self._state.model_copy(update={"merge_pending": self._merge_into})
            workflow.continue_as_new(
                ComplaintInput(
                    code=input.code, policy=self._policy, limits=self._limits, state=state
                )
            )

    async def _file(self, filing: ComplaintSubject) -> None:
        """The filing, tried again until recorded: a complaint is never lost because the
        database was away for a moment."""
        due = await working_days_from_now(self._policy.complaint_acceptance_working_days)
        while self._state.subject is None:
            try:
                async with self._rec.lock:
                    draft = self._state.draft()
                    await self._adopt(draft, steps.file(draft, filing, due))
            except RecordFailed as failed:
                workflow.logger.warning("complaint not recorded yet: %s", failed)
                await workflow.sleep(TIMER_RETRY_AFTER)

    async def _due_change(self, draft: ComplaintState) -> ComplaintChange | None:
        progress = draft.progress
        if self._merge_into is not None and progress is not None and progress.open:
            return merging.merged_into(draft, self._merge_into, self._ctx())
        return steps.due_change(draft, self._ctx())

    @workflow.signal
    def merged_into(self, code: str) -> None:
        """From the complaint this one was merged into; taken by the timer loop, so that one
        whose record fails is tried again."""
        self._merge_into = code
        self._rec.wake()

    @workflow.update
    async def merge(self, merge: Merge) -> Ack:
        """Take a later report of the same matter in, then close it: the signal reaches it
        once this step is recorded, and a report already closed stays as it was."""
        ack = await self._rec.step(
            lambda s: merging.check_merge(s, merge),
            lambda d: merging.merge(d, merge),
            self._adopt,
        )
        merged = workflow.get_external_workflow_handle(complaint_workflow_id(merge.report.code))
        try:
            await merged.signal(ComplaintWorkflow.merged_into, steps.subject_of(self._state).code)
        except Exception as failure:  # noqa: BLE001 - it closed on its own meanwhile
            workflow.logger.warning("merged complaint not told: %s", failure)
        return ack

    @merge.validator
    def _validate_merge(self, merge: Merge) -> None:
        self._rec.check(lambda s: merging.check_merge(s, merge))

    @workflow.update
    async def approve_reward(self, approval: RewardApproval) -> Ack:
        return await self._rec.step(
            lambda s: reward.check_reward_approval(s, approval),
            lambda d: reward.approve_reward(d, approval, self._ctx()),
            self._adopt,
        )

    @approve_reward.validator
    def _validate_approve_reward(self, approval: RewardApproval) -> None:
        self._rec.check(lambda s: reward.check_reward_approval(s, approval))

    @workflow.update
    async def pay_reward(self, payment: RewardPayment) -> Ack:
        return await self._rec.step(
            lambda s: reward.check_reward_payment(s, payment, self._ctx()),
            lambda d: reward.pay_reward(d, payment),
            self._adopt,
        )

    @pay_reward.validator
    def _validate_pay_reward(self, payment: RewardPayment) -> None:
        self._rec.check(lambda s: reward.check_reward_payment(s, payment, self._ctx()))

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
