"""`CapabilityTestWorkflow`: one sitting of the capability test (能力测试, R12), from its
opening to its close.

Updates (regulators of the session's county, or the city): ``open`` (starts it),
``record_results`` (a batch, all or nothing; the same result again is taken once) and
``close`` (public warnings; the workflow then ends). Queries: ``state``.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import CAPABILITY_RECORD
    from agencyflow.domain.records import CapabilityRecord
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.recorder import Recorder

    from . import session as steps
    from .models import (
        CapabilityInput,
        CapabilityState,
        ResultBatch,
        SessionChange,
        SessionClosing,
        SessionOpening,
        capability_resource,
    )


@workflow.defn
class CapabilityTestWorkflow:
    @workflow.init
    def __init__(self, input: CapabilityInput) -> None:
        self._limits = input.limits
        self._rec = Recorder(input.state or CapabilityState(), CAPABILITY_RECORD, input.limits)

    @property
    def _state(self) -> CapabilityState:
        return self._rec.state

    @workflow.run
    async def run(self, input: CapabilityInput) -> None:
        if not await self._rec.started(lambda state: state.session is not None):
            return  # its opening was refused: nothing to keep
        await workflow.wait_condition(
            lambda: self._state.closed_at is not None or self._rec.history_is_long()
        )
        await self._rec.quiet()
        if self._state.closed_at is None:
            workflow.continue_as_new(
                CapabilityInput(session_id=input.session_id, limits=self._limits, state=self._state)
            )

    @workflow.update
    async def open(self, opening: SessionOpening) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_opening(s, opening),
            lambda d: steps.open_session(d, opening, workflow.now()),
            self._adopt,
        )

    @open.validator
    def _validate_open(self, opening: SessionOpening) -> None:
        self._rec.check(lambda s: steps.check_opening(s, opening))

    @workflow.update
    async def record_results(self, batch: ResultBatch) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_results(s, batch),
            lambda d: steps.record_results(d, batch),
            self._adopt,
        )

    @record_results.validator
    def _validate_results(self, batch: ResultBatch) -> None:
        self._rec.check(lambda s: steps.check_results(s, batch))

    @workflow.update
    async def close(self, closing: SessionClosing) -> Ack:
        return await self._rec.step(
            lambda s: steps.check_closing(s, closing),
            lambda d: steps.close(d, closing, workflow.now()),
            self._adopt,
        )

    @close.validator
    def _validate_close(self, closing: SessionClosing) -> None:
        self._rec.check(lambda s: steps.check_closing(s, closing))

    @workflow.query
    def state(self) -> CapabilityState:
        return self._state

    async def _adopt(self, draft: CapabilityState, change: SessionChange) -> Ack:
        assert draft.session is not None and draft.opened_at is not None
        now = workflow.now()
        seq = self._rec.numbers(draft)
        record = CapabilityRecord(
            workflow_id=workflow.info().workflow_id,
            seq=seq,
            session=draft.session,
            opened_by=draft.opened_by,
            opened_at=draft.opened_at,
            closed_at=draft.closed_at,
            results=change.results,
            recorded_at=now,
            warnings=change.warnings,
            events=[change.entry(capability_resource(draft.session.session_id), seq, now)],
            inbox=change.inbox,
        )
        await self._rec.commit(draft, record)
        return Ack(seq=seq)
