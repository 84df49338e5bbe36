"""`ServiceProjectWorkflow`: one service project, from contract to closure (R3–R6, R10).

The project, step by step:
1. ``create``: the agency files its signed contract; the practice notification (执业告知)
   goes to the enterprise's county (``acknowledge_filing`` / ``return_filing``, ``refile``).
2. ``submit_plan``, then ``record_visit`` for each visit: the hazards it finds get
   workflows of their own (`HazardWorkflow`); the open ones found earlier hear of it.
3. ``end_service``: the report is due 30 days later (reminders, then overdue).
4. ``upload_report``: recorded and answered at once; the hand-off to the provincial
   platform runs after it, and its receipt is a step of its own.
5. ``open_spot_check`` / ``decide_spot_check``, or the window ends: the project closes.
   Its open hazards go on without it.

Signals: ``hand_over_again`` (the daily reconciliation), ``hazard_closed`` (its hazards).

Signal handlers only leave word for the run loop, which acts on it after the updates of
the same workflow task: Temporal may deliver a signal and an update that arrive together
in either order, live or on replay, and a step must not depend on which came first.
Queries: ``state``. Timers: see `clock`.
"""

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import PROJECT_RECORD
    from agencyflow.domain.project_rules import stage_of
    from agencyflow.domain.records import ProjectRecord
    from agencyflow.workflows import changes
    from agencyflow.workflows import search_attributes as sa
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.recorder import (
        TIMER_RETRY_AFTER,
        Recorder,
        RecordFailed,
        rejecting,
        taken,
        update_id,
        working_days_from_now,
    )
    from agencyflow.workflows.steps import Context

    from . import clock, filing, outside, report, service, spot_check
    from .checks import progress_of
    from .models import (
        CreateProject,
        FilingDecision,
        PlanSubmission,
        ProjectChange,
        ProjectInput,
        ProjectState,
        Refiling,
        ReportUpload,
        ServiceEnd,
        SpotCheckDecision,
        SpotCheckOpening,
        VisitSubmission,
        project_resource,
    )

Check = Callable[[ProjectState], None]
Apply = Callable[[ProjectState], ProjectChange]


@workflow.defn
class ServiceProjectWorkflow:
    @workflow.init
    def __init__(self, input: ProjectInput) -> None:
        self._policy = input.policy
        self._limits = input.limits
        state = input.state or ProjectState(
            project_id=input.project_id, agency_uscc=input.agency_uscc
        )
        self._rec = Recorder(state, PROJECT_RECORD, input.limits)
        self._handoff: asyncio.Task[None] | None = None
        self._handover_requested = False
        self._hazards_closed: list[str] = []
        self._changes = taken(changes.PROJECT)

    @property
    def _state(self) -> ProjectState:
        return self._rec.state

    @workflow.run
    async def run(self, input: ProjectInput) -> None:
        # Started by the contract's update: refused, there is no project to run.
        if not await self._rec.started(lambda state: state.progress is not None):
            return
        if report.awaiting_receipt(self._state):
            self._hand_off()  # continued as new while the platform had not answered
        while not self._closed() and not self._rec.history_is_long():
            await self._rec.sleep(self._next_due, self._closed)
            if self._handover_requested and report.awaiting_receipt(self._state):
                self._hand_off()
            self._handover_requested = False
            async with self._rec.lock:
                self._take_hazard_closures()
                await self._rec.due_steps(self._next_change, self._adopt)
        await self._rec.quiet()
        self._take_hazard_closures()
        if not self._closed():
            workflow.continue_as_new(
                ProjectInput(
                    project_id=self._state.project_id,
                    agency_uscc=self._state.agency_uscc,
                    policy=self._policy,
                    limits=self._limits,
                    state=self._state,
                )
            )

    def _take_hazard_closures(self) -> None:
        """Hazards that closed by a path of their own; later visits leave them be. Called
        holding the lock (or when no step runs), so that no step's draft overwrites it."""
        for hazard_id in self._hazards_closed:
            if hazard_id in self._state.hazards:
                self._state.hazards[hazard_id].open = False
        self._hazards_closed.clear()

    def _next_due(self) -> dt.datetime | None:
        return clock.next_due(self._state, self._ctx())

    def _closed(self) -> bool:
        return progress_of(self._state).closed_at is not None

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy, changes=self._changes)

    # ------------------------------------------------------------------ 1. contract and filing

    @workflow.update
    async def create(self, command: CreateProject) -> Ack:
        async with self._rec.lock:
            if ack := self._state.replied(update_id()):
                return ack
            with rejecting():
                if self._state.progress is not None:
                    filing.same_contract_again(self._state, command)
                    return Ack(seq=self._state.seq)
                filing.check_create(self._state, command)
                due = await working_days_from_now(self._policy.filing_review_working_days)
                draft = self._state.draft()
                change = filing.create(draft, command, self._ctx(), due)
                return self._rec.answered(await self._adopt(draft, change))

    @create.validator
    def _validate_create(self, command: CreateProject) -> None:
        if self._state.progress is not None:
            self._check(lambda s: filing.same_contract_again(s, command))
            return
        self._check(lambda s: filing.check_create(s, command))
        self._check(lambda s: filing.check_create_rules(command, self._ctx()))

    @workflow.update
    async def acknowledge_filing(self, decision: FilingDecision) -> Ack:
        return await self._step(
            lambda s: filing.check_filing_decision(s, decision),
            lambda d: filing.acknowledge(d, decision),
        )

    @acknowledge_filing.validator
    def _validate_acknowledge(self, decision: FilingDecision) -> None:
        self._check(lambda s: filing.check_filing_decision(s, decision))

    @workflow.update
    async def return_filing(self, decision: FilingDecision) -> Ack:
        return await self._step(
            lambda s: filing.check_filing_decision(s, decision, reasons_required=True),
            lambda d: filing.return_filing(d, decision),
        )

    @return_filing.validator
    def _validate_return_filing(self, decision: FilingDecision) -> None:
        self._check(lambda s: filing.check_filing_decision(s, decision, reasons_required=True))

    @workflow.update
    async def refile(self, refiling: Refiling) -> Ack:
        days = self._policy.filing_review_working_days
        return await self._rec.prepared_step(
            lambda s: filing.check_refile(s, refiling),
            lambda _: working_days_from_now(days),
            lambda d, due: filing.refile(d, refiling, self._ctx(), due),
            self._adopt,
        )

    @refile.validator
    def _validate_refile(self, refiling: Refiling) -> None:
        self._check(lambda s: filing.check_refile(s, refiling))
        self._check(lambda s: filing.check_refile_rules(s, refiling, self._ctx()))

    # ------------------------------------------------------------------ 2. plan and visits

    @workflow.update
    async def submit_plan(self, submission: PlanSubmission) -> Ack:
        return await self._step(
            lambda s: service.check_plan(s, submission),
            lambda d: service.submit_plan(d, submission, self._ctx()),
        )

    @submit_plan.validator
    def _validate_plan(self, submission: PlanSubmission) -> None:
        self._check(lambda s: service.check_plan(s, submission))

    @workflow.update
    async def record_visit(self, submission: VisitSubmission) -> Ack:
        return await self._step(
            lambda s: service.check_visit(s, submission, None),
            lambda d: service.record_visit(d, submission, self._ctx()),
        )

    @record_visit.validator
    def _validate_visit(self, submission: VisitSubmission) -> None:
        self._check(lambda s: service.check_visit(s, submission, self._ctx()))

    # ------------------------------------------------------------------ 3. the end of the service

    @workflow.update
    async def end_service(self, end: ServiceEnd) -> Ack:
        return await self._step(
            lambda s: service.check_end(s, end),
            lambda d: service.end_service(d, end, self._ctx()),
        )

    @end_service.validator
    def _validate_end(self, end: ServiceEnd) -> None:
        self._check(lambda s: service.check_end(s, end))
        self._check(lambda s: service.check_end_rules(s, end, self._ctx()))

    # ------------------------------------------------------------------ 4. the report

    @workflow.update
    async def upload_report(self, upload: ReportUpload) -> Ack:
        return await self._step(
            lambda s: report.check_upload(s, upload),
            lambda d: report.upload_report(d, upload, self._ctx()),
        )

    @upload_report.validator
    def _validate_upload(self, upload: ReportUpload) -> None:
        self._check(lambda s: report.check_upload(s, upload))

    @workflow.signal
    def hand_over_again(self) -> None:
        """From the daily reconciliation: a report still without a receipt is tried again."""
        self._handover_requested = True
        self._rec.wake()

    @workflow.signal
    def hazard_closed(self, hazard_id: str) -> None:
        """From a hazard of this project's, closed by a path of its own (a re-inspection
        outside a visit, a regulator's verification)."""
        self._hazards_closed.append(hazard_id)
        self._rec.wake()

    def _hand_off(self) -> None:
        if self._handoff is None or self._handoff.done():
            self._handoff = asyncio.create_task(self._hand_off_until_answered())

    async def _hand_off_until_answered(self) -> None:
        """Outside every step: the receipt or refusal is a new step."""
        answer = await outside.hand_over(report.submission(self._state))
        if answer is not None:
            await self._platform_answered(lambda draft: answer(draft, self._ctx()))

    async def _platform_answered(self, apply: Apply) -> None:
        """Record the platform's answer; it is never lost, however long recording takes."""
        while True:
            async with self._rec.lock:
                if not report.awaiting_receipt(self._state):
                    return
                draft = self._state.draft()
                try:
                    await self._adopt(draft, apply(draft))
                except RecordFailed:
                    pass
                else:
                    await self._rec.due_steps(self._next_change, self._adopt)
                    return
            await workflow.sleep(TIMER_RETRY_AFTER)

    # ------------------------------------------------------------------ 5. spot check and closure

    @workflow.update
    async def open_spot_check(self, opening: SpotCheckOpening) -> Ack:
        return await self._step(
            lambda s: spot_check.check_open(s, opening),
            lambda d: spot_check.open_check(d, opening, self._ctx()),
        )

    @open_spot_check.validator
    def _validate_open_spot_check(self, opening: SpotCheckOpening) -> None:
        self._check(lambda s: spot_check.check_open(s, opening))

    @workflow.update
    async def decide_spot_check(self, decision: SpotCheckDecision) -> Ack:
        return await self._step(
            lambda s: spot_check.check_decision(s, decision, self._ctx()),
            lambda d: spot_check.decide(d, decision, self._ctx()),
        )

    @decide_spot_check.validator
    def _validate_spot_check_decision(self, decision: SpotCheckDecision) -> None:
        self._check(lambda s: spot_check.check_decision(s, decision, self._ctx()))
        self._check(lambda _: spot_check.check_points(decision, self._ctx()))

    @workflow.query
    def state(self) -> ProjectState:
        return self._state

    # ------------------------------------------------------------------ taking steps

    def _check(self, check: Check) -> None:
        self._rec.check(check)

    async def _step(self, check: Check, apply: Apply) -> Ack:
        ack = await self._rec.step(check, apply, self._adopt)
        async with self._rec.lock:  # what the step made due (a verdict: closure) follows at once
            await self._rec.due_steps(self._next_change, self._adopt)
        return ack

    async def _next_change(self, draft: ProjectState) -> ProjectChange | None:
        return clock.take_due(draft, self._ctx())

    async def _adopt(self, draft: ProjectState, change: ProjectChange) -> Ack:
        """Record the change; only then is the draft the project's state."""
        now = workflow.now()
        progress = progress_of(draft)
        progress.updated_at = now
        progress.stage = stage_of(progress)
        seq = self._rec.numbers(draft)
        ack = Ack(
            seq=seq,
            visit_id=change.visit.visit_id if change.visit else None,
            found=[record.hazard_id for record in change.found],
            notified=[notice.hazard_id for notice in change.notices],
        )
        await self._rec.commit(
            draft,
            ProjectRecord(
                workflow_id=workflow.info().workflow_id,
                project_id=draft.project_id,
                seq=seq,
                progress=progress,
                opening=change.opening,
                request=change.request,
                notification=change.notification,
                plan=change.plan,
                visit=change.visit,
                found=change.found,
                found_entries=change.found_entries,
                event=change.entry(project_resource(draft.project_id), seq, now),
                inbox=change.inbox,
                credit_events=change.credit_events,
            ),
        )
        self._search_attributes()
        await self._follow_up(change)
        return ack

    async def _follow_up(self, change: ProjectChange) -> None:
        """What a recorded step sets going: hazards' workflows, visit notices, the agency's
        credit events, the hand-off. Awaited in the step: a later visit's notice must find its
        hazard's workflow."""
        policy, limits = self._policy, self._limits
        await asyncio.gather(*(outside.follow(r, policy, limits) for r in change.found))
        told = await asyncio.gather(*(outside.notify(n) for n in change.notices))
        for notice, heard in zip(change.notices, told, strict=True):
            if not heard:  # closed already: later visits leave it be
                self._state.hazards[notice.hazard_id].open = False
        if changes.CREDIT_TO_AGENCY in self._changes:
            await asyncio.gather(*(outside.tell_agency(e) for e in change.credit_events))
        if change.hand_off:
            self._hand_off()

    def _search_attributes(self) -> None:
        state, progress = self._state, progress_of(self._state)
        assert state.request is not None
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.COUNTY.value_set(state.request.enterprise.county_code),
            sa.AGENCY.value_set(state.agency_uscc),
            sa.ENTERPRISE.value_set(state.request.enterprise.uscc),
            sa.STAGE.value_set(progress.stage.value),
            sa.OVERDUE.value_set(progress.overdue),
        ]
        if progress.report_due_at is not None:
            updates.append(sa.REPORT_DUE.value_set(progress.report_due_at))
        self._rec.search_attributes(updates)
