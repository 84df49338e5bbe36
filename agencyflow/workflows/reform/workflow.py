"""`ReformProgrammeWorkflow`: one county's reform programme for one year (R1, R15), from its
tasks' seeding to the last task's close-out.

Opened by the yearly Schedule (the input carries the opening) or by a regulator (the
``open`` update, with start). Updates: ``set_service_types``, ``assign_owner`` and
``submit_evidence`` (the county's regulators, or the city's), ``sign_off`` (a city
regulator, not the one who submitted). Each task still open at its due date goes to the
city's inbox, once; the workflow ends when every task is closed. Queries: ``state``.
"""

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import REFORM_RECORD
    from agencyflow.domain.records import ReformRecord
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.recorder import TIMER_RETRY_AFTER, Recorder
    from agencyflow.workflows.steps import Context

    from . import steps
    from .models import (
        EvidenceSubmission,
        OwnerAssignment,
        ReformChange,
        ReformInput,
        ReformOpening,
        ReformState,
        ServiceTypesUpdate,
        SignOff,
    )


@workflow.defn
class ReformProgrammeWorkflow:
    @workflow.init
    def __init__(self, input: ReformInput) -> None:
        self._policy, self._limits = input.policy, input.limits
        self._rec = Recorder(input.state or ReformState(), REFORM_RECORD, input.limits)

    @property
    def _state(self) -> ReformState:
        return self._rec.state

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy)

    def _finished(self) -> bool:
        return self._state.finished

    @workflow.run
    async def run(self, input: ReformInput) -> None:
        if input.opening is not None:
            await self._open_by_schedule(input.opening)
        if not await self._rec.started(lambda state: bool(state.tasks)):
            return  # its opening was refused: nothing to keep
        while not self._finished() and not self._rec.history_is_long():
            await self._rec.sleep(lambda: steps.overdue_at(self._state), self._finished)
            async with self._rec.lock:
                await self._rec.due_steps(self._due_change, self._adopt)
        await self._rec.quiet()
        if not self._finished():
            workflow.continue_as_new(
                ReformInput(
                    county_code=input.county_code,
                    year=input.year,
                    policy=self._policy,
                    limits=self._limits,
                    state=self._state,
                )
            )

    async def _open_by_schedule(self, opening: ReformOpening) -> None:
        """The Schedule's opening, tried again until it is recorded: a county's programme
        is never left unseeded because the database was away for a moment."""
        while not self._state.tasks:
            try:
                await self._step_open(opening)
            except ApplicationError as refused:
                workflow.logger.warning("programme not opened yet: %s", refused.message)
                await workflow.sleep(TIMER_RETRY_AFTER)

    async def _step_open(self, opening: ReformOpening) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_opening(s, opening),
            lambda d: steps.open_programme(d, opening, self._ctx()),
            self._adopt,
        )

    async def _due_change(self, draft: ReformState) -> ReformChange | None:
        return steps.fall_overdue(draft, workflow.now())

    @workflow.update
    async def open(self, opening: ReformOpening) -> Ack:
        return await self._step_open(opening)

    @open.validator
    def _validate_open(self, opening: ReformOpening) -> None:
        self._rec.check(lambda s: steps.check_opening(s, opening))

    @workflow.update
    async def set_service_types(self, update: ServiceTypesUpdate) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_types(s, update),
            lambda d: steps.set_types(d, update),
            self._adopt,
        )

    @set_service_types.validator
    def _validate_types(self, update: ServiceTypesUpdate) -> None:
        self._rec.check(lambda s: steps.check_types(s, update))

    @workflow.update
    async def assign_owner(self, assignment: OwnerAssignment) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_owner(s, assignment),
            lambda d: steps.assign_owner(d, assignment),
            self._adopt,
        )

    @assign_owner.validator
    def _validate_owner(self, assignment: OwnerAssignment) -> None:
        self._rec.check(lambda s: steps.check_owner(s, assignment))

    @workflow.update
    async def submit_evidence(self, submission: EvidenceSubmission) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_evidence(s, submission, self._ctx()),
            lambda d: steps.submit_evidence(d, submission, self._ctx()),
            self._adopt,
        )

    @submit_evidence.validator
    def _validate_evidence(self, submission: EvidenceSubmission) -> None:
        self._rec.check(lambda s: steps.check_evidence(s, submission, self._ctx()))

    @workflow.update
    async def sign_off(self, decision: SignOff) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_sign_off(s, decision, self._ctx()),
            lambda d: steps.sign_off(d, decision, self._ctx()),
            self._adopt,
        )

    @sign_off.validator
    def _validate_sign_off(self, decision: SignOff) -> None:
        self._rec.check(lambda s: steps.check_sign_off(s, decision, self._ctx()))

    @workflow.query
    def state(self) -> ReformState:
        return self._state

    async def _adopt(self, draft: ReformState, change: ReformChange) -> Ack:
        assert draft.county_code is not None and draft.year is not None
        assert draft.opened_at is not None
        now = workflow.now()
        seq = self._rec.numbers(draft)
        record = ReformRecord(
            workflow_id=workflow.info().workflow_id,
            seq=seq,
            county_code=draft.county_code,
            year=draft.year,
            opened_at=draft.opened_at,
            finished=draft.finished,
            types=draft.types if change.types_changed else None,
            tasks=[t for t in draft.tasks if t.key in change.tasks_changed],
            event=change.entry(steps.resource_of(draft), seq, now),
            inbox=change.inbox,
        )
        await self._rec.commit(draft, record)
        return Ack(seq=seq)
