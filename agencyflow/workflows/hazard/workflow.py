"""`HazardWorkflow`: one hazard (隐患), general or major, followed to its end (R5).

Started by the project whose visit found it, with parent-close policy ABANDON: a hazard
is followed to its end whether or not its project has closed. Its first row and ledger
entry were written with the visit; every later step appends one entry.

Updates: ``submit_evidence`` (enterprise, or agency on its behalf), ``reinspect`` and
``correct`` (agency), ``acknowledge``, ``supervise`` (挂牌督办) and ``verify`` (regulators,
major hazards). Signals: ``visit_noted`` (from the project: re-inspected, or still open).
Once closed, it tells its project (``hazard_closed``), if that still runs.
Queries: ``state``.
Timers: a major hazard unacknowledged within the policy's time climbs to the city; past
its deadline a hazard is overdue (a supervised major one is reported to county and city);
a general one 30 days overdue, or open at two consecutive visits, is 久拖不改.
"""

import datetime as dt
from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import HAZARD_RECORD
    from agencyflow.domain.hazard import HazardEntry, HazardRecord
    from agencyflow.domain.records import HazardStepRecord
    from agencyflow.workflows import search_attributes as sa
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.project.models import project_workflow_id
    from agencyflow.workflows.recorder import Recorder
    from agencyflow.workflows.steps import Context

    from . import clock, major, rectification
    from .models import (
        Acknowledgement,
        HazardChange,
        HazardCorrection,
        HazardEvidence,
        HazardInput,
        HazardReinspection,
        HazardState,
        HazardVerification,
        Supervision,
        VisitNotice,
    )


@workflow.defn
class HazardWorkflow:
    @workflow.init
    def __init__(self, input: HazardInput) -> None:
        self._policy = input.policy
        self._limits = input.limits
        state = input.state or HazardState(record=input.record, seq=input.record.seq)
        self._rec = Recorder(state, HAZARD_RECORD, input.limits)
        self._notices: list[VisitNotice] = list(state.pending)

    @workflow.run
    async def run(self, input: HazardInput) -> None:
        self._search_attributes()
        while self._record.is_open and not self._rec.history_is_long():
            await self._on_time()
            if self._record.is_open:
                await self._rec.sleep(self._next_due, lambda: not self._record.is_open)
        await self._rec.quiet()
        if not self._record.is_open:
            await self._tell_project()
            return
        state = self._state.model_copy(update={"pending": self._notices})
        workflow.continue_as_new(
            HazardInput(record=self._record, policy=self._policy, limits=self._limits, state=state)
        )

    async def _tell_project(self) -> None:
        """The project stops sending visits' notices to a hazard that is closed."""
        project = workflow.get_external_workflow_handle(
            project_workflow_id(self._record.project_id)
        )
        try:
            await project.signal("hazard_closed", self._record.hazard_id)
        except FailureError:
            pass  # the project has closed: no visit will come

    @property
    def _state(self) -> HazardState:
        return self._rec.state

    @property
    def _record(self) -> HazardRecord:
        return self._rec.state.record

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy)

    def _next_due(self) -> dt.datetime | None:
        if self._notices:
            return workflow.now()
        return clock.next_due(self._record, self._policy)

    # ---------------------------------------------------------- the enterprise and the agency

    @workflow.update
    async def submit_evidence(self, command: HazardEvidence) -> Ack:
        return await self._step(
            lambda r: rectification.check_evidence(r, command.actor),
            lambda r: rectification.submit_evidence(r, command.evidence, command.actor),
        )

    @submit_evidence.validator
    def _validate_evidence(self, command: HazardEvidence) -> None:
        self._check(lambda r: rectification.check_evidence(r, command.actor))

    @workflow.update
    async def reinspect(self, command: HazardReinspection) -> Ack:
        return await self._step(
            lambda r: rectification.check_reinspection(r, command.actor),
            lambda r: rectification.reinspect(r, command.reinspection, command.actor, self._ctx()),
        )

    @reinspect.validator
    def _validate_reinspect(self, command: HazardReinspection) -> None:
        self._check(lambda r: rectification.check_reinspection(r, command.actor))

    @workflow.update
    async def correct(self, command: HazardCorrection) -> Ack:
        return await self._step(
            lambda r: rectification.check_correction(r, command.actor, command.correction),
            lambda r: rectification.correct(r, command.correction, command.actor, self._ctx()),
        )

    @correct.validator
    def _validate_correct(self, command: HazardCorrection) -> None:
        self._check(lambda r: rectification.check_correction(r, command.actor, command.correction))

    @workflow.signal
    async def visit_noted(self, notice: VisitNotice) -> None:
        """Taken by the timer loop, so that a notice whose record fails is tried again."""
        self._notices.append(notice)
        self._rec.wake()

    # ------------------------------------------------------------------ regulators (major hazards)

    @workflow.update
    async def acknowledge(self, command: Acknowledgement) -> Ack:
        return await self._step(
            lambda r: major.check_acknowledge(r, command),
            lambda r: major.acknowledge(r, command, self._ctx()),
        )

    @acknowledge.validator
    def _validate_acknowledge(self, command: Acknowledgement) -> None:
        self._check(lambda r: major.check_acknowledge(r, command))

    @workflow.update
    async def supervise(self, command: Supervision) -> Ack:
        return await self._step(
            lambda r: major.check_supervise(r, command, self._ctx()),
            lambda r: major.supervise(r, command),
        )

    @supervise.validator
    def _validate_supervise(self, command: Supervision) -> None:
        self._check(lambda r: major.check_supervise(r, command, self._ctx()))

    @workflow.update
    async def verify(self, command: HazardVerification) -> Ack:
        return await self._step(
            lambda r: major.check_verify(r, command),
            lambda r: major.verify(r, command, self._ctx()),
        )

    @verify.validator
    def _validate_verify(self, command: HazardVerification) -> None:
        self._check(lambda r: major.check_verify(r, command))

    @workflow.query
    def state(self) -> HazardState:
        return self._state

    # ------------------------------------------------------------------ taking steps

    def _check(self, check: Callable[[HazardRecord], None]) -> None:
        self._rec.check(lambda state: check(state.record))

    async def _step(
        self,
        check: Callable[[HazardRecord], None],
        apply: Callable[[HazardRecord], HazardChange],
    ) -> Ack:
        return await self._rec.step(
            lambda state: check(state.record), lambda draft: apply(draft.record), self._adopt
        )

    async def _on_time(self) -> None:
        """Visits to take into account, then whatever time has made due, each recorded."""
        async with self._rec.lock:
            await self._rec.due_steps(self._next_change, self._adopt)

    async def _next_change(self, draft: HazardState) -> HazardChange | None:
        while self._notices:
            change = rectification.note_visit(draft.record, self._notices[0], self._ctx())
            if change is not None:
                return change  # the notice is done with once its change is recorded
            self._notices.pop(0)
        return clock.take_due(draft.record, self._ctx())

    async def _adopt(self, draft: HazardState, change: HazardChange) -> Ack:
        """Record the change as the next ledger entry; only then is it the hazard's state."""
        record = draft.record
        record.seq = self._rec.numbers(draft)
        ack = Ack(seq=record.seq)
        await self._rec.commit(
            draft,
            HazardStepRecord(
                workflow_id=workflow.info().workflow_id,
                hazard_id=record.hazard_id,
                progress=record.progress(),
                report=change.report,
                entry=HazardEntry(
                    hazard_id=record.hazard_id,
                    seq=record.seq,
                    at=workflow.now(),
                    kind=change.kind,
                    summary=change.summary,
                    actor=change.actor_label,
                    actor_user_id=change.actor.user_id if change.actor else None,
                    data=change.data,
                    corrects_seq=change.corrects_seq,
                ),
                inbox=change.inbox,
                credit_events=change.credit_events,
            ),
        )
        if change.takes_notice:
            self._notices.pop(0)
        self._search_attributes()
        return ack

    def _search_attributes(self) -> None:
        record = self._record
        self._rec.search_attributes(
            [
                sa.COUNTY.value_set(record.county_code),
                sa.AGENCY.value_set(record.agency_uscc),
                sa.ENTERPRISE.value_set(record.enterprise_uscc),
                sa.STAGE.value_set(record.status.value),
                sa.OVERDUE.value_set(record.overdue),
            ]
        )
