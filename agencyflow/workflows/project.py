"""`ServiceProjectWorkflow`: one service project, from contract to closure (R3, R4, R6, R10).

Updates: ``create`` (agency; with start), ``acknowledge_filing`` / ``return_filing``
(regulators), ``refile``, ``submit_plan``, ``record_visit``, ``end_service``,
``upload_report`` (agency), ``open_spot_check`` / ``decide_spot_check`` (regulators).
Queries: ``state``.
Timers: the filing review (escalation to the city), the report reminders and deadline
(overdue: the county's inbox and a credit event), the spot-check window (closure).
"""

import asyncio
import datetime as dt
import math
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import (
        PLATFORM_SUBMIT_REPORT,
        PROJECT_RECORD,
        WORKING_DAYS_DEADLINE,
    )
    from agencyflow.domain.calendar import CHINA_TZ, WorkingDaysDeadline
    from agencyflow.domain.errors import (
        Conflict,
        Forbidden,
        NotFound,
        RuleViolations,
        Unavailable,
        Violation,
    )
    from agencyflow.domain.hazard import (
        HazardEntry,
        HazardRecord,
        HazardStatus,
        Reinspection,
        ReinspectionOutcome,
    )
    from agencyflow.domain.hazard_rules import hazard_violations
    from agencyflow.domain.identity import Actor, Role
    from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage, InboxWithdrawal
    from agencyflow.domain.platform import PlatformReceipt, ReportSubmission
    from agencyflow.domain.project import (
        CreditEvent,
        FailureReason,
        FilingStatus,
        ProjectSnapshot,
        ProjectStage,
        ServicePlan,
        SpotCheck,
        SpotCheckVerdict,
        SubmittedReport,
        Visit,
    )
    from agencyflow.domain.project_rules import (
        check_project_request,
        missing_consulting_content,
        practice_notification,
        stage_of,
    )
    from agencyflow.domain.records import ProjectRecord

    from . import hazard_steps
    from . import search_attributes as sa
    from .hazard_models import (
        HazardCorrection,
        HazardEvidence,
        HazardReinspection,
        MajorHazardInput,
        hazard_resource,
        hazard_workflow_id,
    )
    from .major_hazard import MajorHazardWorkflow
    from .project_models import (
        CreateProject,
        FilingDecision,
        PlanSubmission,
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
    from .rejections import rejection
    from .steps import (
        entry,
        message,
        require,
        require_reasons,
        require_regulator,
        sleep_until,
        today,
        withdrawal,
    )

_RECORD_TIMEOUT = timedelta(seconds=30)
_PLATFORM_TIMEOUT = timedelta(minutes=2)
# How long an upload waits for an unreachable platform before telling the agency so.
_PLATFORM_PATIENCE = timedelta(minutes=10)

FILING_REVIEW = "filing.review"
FILING_ESCALATED = "filing.escalated"
FILING_CORRECT = "filing.correct"
PLAN_SUBMIT = "plan.submit"
REPORT_UPLOAD = "report.upload"
REPORT_OVERDUE = "report.overdue"
RECTIFY = "hazard.rectify"
REINSPECT = "hazard.reinspect"
LONG_UNRECTIFIED = "hazard.long_unrectified"
MAJOR_ACKNOWLEDGE = "major_hazard.acknowledge"


def _reminder_item(index: int) -> str:
    return f"report.reminder.{index + 1}"


@workflow.defn
class ServiceProjectWorkflow:
    @workflow.init
    def __init__(self, input: ProjectInput) -> None:
        self._input = input
        self._policy = input.policy
        self._resource = project_resource(input.project_id)
        self._state = ProjectState()
        self._lock = asyncio.Lock()
        self._timers_changed = False
        self._search_values: tuple[object, ...] | None = None

    # ------------------------------------------------------------------ run and timers

    @workflow.run
    async def run(self, input: ProjectInput) -> None:
        # Started by the contract's update: refused, there is no project to run.
        await workflow.wait_condition(
            lambda: self._state.snapshot is not None or workflow.all_handlers_finished()
        )
        if self._state.snapshot is None:
            return
        # A closed project still follows its open general hazards until they are closed.
        while self._snapshot.closed_at is None or self._open_hazards():
            self._timers_changed = False
            await sleep_until(self._next_timer(), lambda: self._timers_changed)
            async with self._lock:
                await self._on_time()
        await workflow.wait_condition(workflow.all_handlers_finished)

    def _next_timer(self) -> dt.datetime | None:
        snapshot = self._snapshot
        due: list[dt.datetime] = []
        if snapshot.filing_status is FilingStatus.PENDING and not snapshot.filing_escalated:
            if snapshot.filing_due_at is not None:
                due.append(snapshot.filing_due_at)
        if snapshot.report is None and snapshot.report_due_at is not None:
            for index, at in self._reminder_times():
                if index not in self._state.reminders_sent:
                    due.append(at)
            if not snapshot.overdue:
                due.append(snapshot.report_due_at)
        if snapshot.report is not None and snapshot.spot_check is None:
            if snapshot.spot_check_window_ends_at is not None and snapshot.closed_at is None:
                due.append(snapshot.spot_check_window_ends_at)
        for record in self._open_hazards():
            if record.deadline is not None and not record.overdue:
                due.append(record.deadline)
            long_at = hazard_steps.long_unrectified_at(record, self._policy.long_unrectified_after)
            if long_at is not None and not record.long_unrectified:
                due.append(long_at)
        return min(due, default=None)

    def _open_hazards(self) -> list[HazardRecord]:
        return [record for record in self._state.hazards.values() if record.is_open]

    def _reminder_times(self) -> list[tuple[int, dt.datetime]]:
        snapshot = self._snapshot
        assert snapshot.report_due_at is not None
        start = snapshot.report_due_at - self._policy.report_deadline
        return [(i, start + offset) for i, offset in enumerate(self._policy.report_reminders)]

    async def _on_time(self) -> None:
        now = workflow.now()
        snapshot = self._snapshot
        if (
            snapshot.filing_status is FilingStatus.PENDING
            and not snapshot.filing_escalated
            and snapshot.filing_due_at is not None
            and now >= snapshot.filing_due_at
        ):
            await self._escalate_filing()
        if snapshot.report is None and snapshot.report_due_at is not None:
            for index, at in self._reminder_times():
                if index not in self._state.reminders_sent and now >= at:
                    self._state.reminders_sent.append(index)
                    await self._remind_report(index)
            if not snapshot.overdue and now >= snapshot.report_due_at:
                await self._report_overdue()
        if (
            snapshot.report is not None
            and snapshot.spot_check is None
            and snapshot.closed_at is None
            and snapshot.spot_check_window_ends_at is not None
            and now >= snapshot.spot_check_window_ends_at
        ):
            await self._close("抽查期届满未被抽查，项目归档")
        for record in self._open_hazards():
            if record.deadline is not None and not record.overdue and now >= record.deadline:
                record.overdue = True
                entry = hazard_steps.append(record, "overdue", "超过整改期限未整改")
                await self._commit(
                    "hazard.overdue",
                    f"隐患逾期未整改：{record.report.location}",
                    hazards=[record],
                    hazard_entries=[entry],
                )
            long_at = hazard_steps.long_unrectified_at(record, self._policy.long_unrectified_after)
            if long_at is not None and not record.long_unrectified and now >= long_at:
                days = self._policy.long_unrectified_after / timedelta(days=1)
                await self._long_unrectified(record, f"逾期 {days:g} 天仍未整改")

    # ------------------------------------------------------------------ contract and filing

    @workflow.update
    async def create(self, command: CreateProject) -> ProjectSnapshot:
        async with self._lock:
            if self._state.snapshot is not None:
                return self._same_contract_again(command)
            self._check_create(command)
            now = workflow.now()
            request = command.request
            filing_due = await self._working_days_from(now, self._policy.filing_review_working_days)
            self._state.snapshot = ProjectSnapshot(
                project_id=self._input.project_id,
                agency_uscc=self._input.agency_uscc,
                agency_name=command.agency.facts.legal_name,
                request=request,
                stage=ProjectStage.FILING,
                created_at=now,
                updated_at=now,
                notification=practice_notification(request, command.agency),
                filing_due_at=filing_due,
            )
            enterprise = request.enterprise
            await self._commit(
                "project.created",
                f"签订书面合同（{request.contract.number}），向{enterprise.name}所在县报送执业告知",
                actor=command.actor,
                inbox=InboxChanges(
                    send=[
                        self._message(
                            FILING_REVIEW,
                            Addressee.county(enterprise.county_code),
                            f"确认执业告知：{command.agency.facts.legal_name} → {enterprise.name}",
                            filing_due,
                        ),
                        self._message(
                            PLAN_SUBMIT,
                            Addressee.agency(self._input.agency_uscc),
                            f"提交服务方案：{enterprise.name}",
                        ),
                    ]
                ),
            )
            return self._snapshot

    @create.validator
    def _validate_create(self, command: CreateProject) -> None:
        if self._state.snapshot is not None:
            self._same_contract_again(command)
            return
        self._check_create(command)

    def _same_contract_again(self, command: CreateProject) -> ProjectSnapshot:
        """The same request again is answered with the project; another one is a conflict."""
        snapshot = self._snapshot
        require(
            command.request == snapshot.request
            and command.actor.agency_uscc == snapshot.agency_uscc,
            Conflict(
                f"contract {command.request.contract.number} already belongs to project "
                f"{snapshot.project_id} with other terms; a new contract needs its own number",
                code="project.contract_number_taken",
            ),
        )
        return snapshot

    def _check_create(self, command: CreateProject) -> None:
        actor, agency = command.actor, command.agency
        require(
            actor.role is Role.AGENCY and actor.agency_uscc == self._input.agency_uscc,
            Forbidden("only the agency itself may file its contracts"),
        )
        require(
            agency.uscc == self._input.agency_uscc,
            Forbidden("the agency's record is not this agency's"),
        )
        require(
            agency.status.may_start_projects,
            Conflict(
                f"the agency is {agency.status.label} and may not start new projects",
                code="agency.cannot_start_projects",
            ),
        )
        violations = check_project_request(
            command.request, agency, self._policy.admission_rules(), today()
        )
        if violations:
            raise rejection(RuleViolations(violations))

    @workflow.update
    async def acknowledge_filing(self, decision: FilingDecision) -> ProjectSnapshot:
        async with self._lock:
            self._check_filing_decision(decision)
            self._snapshot.filing_status = FilingStatus.ACKNOWLEDGED
            await self._commit(
                "filing.acknowledged",
                "县级应急管理部门确认执业告知",
                actor=decision.actor,
                inbox=InboxChanges(withdraw=[self._withdrawal(FILING_REVIEW, FILING_ESCALATED)]),
            )
            return self._snapshot

    @acknowledge_filing.validator
    def _validate_acknowledge(self, decision: FilingDecision) -> None:
        self._check_filing_decision(decision)

    @workflow.update
    async def return_filing(self, decision: FilingDecision) -> ProjectSnapshot:
        async with self._lock:
            self._check_filing_decision(decision, reasons_required=True)
            snapshot = self._snapshot
            snapshot.filing_status = FilingStatus.RETURNED
            snapshot.filing_return_reasons = list(decision.reasons)
            await self._commit(
                "filing.returned",
                "执业告知被退回补正",
                actor=decision.actor,
                reasons=decision.reasons,
                inbox=InboxChanges(
                    withdraw=[self._withdrawal(FILING_REVIEW, FILING_ESCALATED)],
                    send=[
                        self._message(
                            FILING_CORRECT,
                            Addressee.agency(snapshot.agency_uscc),
                            f"执业告知被退回：{snapshot.request.enterprise.name}",
                        )
                    ],
                ),
            )
            return snapshot

    @return_filing.validator
    def _validate_return_filing(self, decision: FilingDecision) -> None:
        self._check_filing_decision(decision, reasons_required=True)

    def _check_filing_decision(
        self, decision: FilingDecision, *, reasons_required: bool = False
    ) -> None:
        self._check_regulator(decision.actor)
        status = self._snapshot.filing_status
        require(
            status is FilingStatus.PENDING,
            Conflict(
                f"the practice notification is not awaiting review: it is {status.label}",
                code="project.filing_not_pending",
            ),
        )
        if reasons_required:
            require_reasons(decision.reasons)

    @workflow.update
    async def refile(self, refiling: Refiling) -> ProjectSnapshot:
        async with self._lock:
            self._check_refile(refiling)
            snapshot = self._snapshot
            if refiling.team is not None:
                snapshot.request = snapshot.request.model_copy(update={"team": refiling.team})
            revision = snapshot.notification.revision + 1
            snapshot.notification = practice_notification(
                snapshot.request, refiling.agency, revision
            )
            snapshot.filing_status = FilingStatus.PENDING
            snapshot.filing_escalated = False
            snapshot.filing_return_reasons = []
            now = workflow.now()
            snapshot.filing_due_at = await self._working_days_from(
                now, self._policy.filing_review_working_days
            )
            enterprise = snapshot.request.enterprise
            await self._commit(
                "filing.refiled",
                f"补正后重新报送执业告知（第 {revision} 版）",
                actor=refiling.actor,
                reasons=[refiling.note] if refiling.note else [],
                inbox=InboxChanges(
                    withdraw=[self._withdrawal(FILING_CORRECT)],
                    send=[
                        self._message(
                            FILING_REVIEW,
                            Addressee.county(enterprise.county_code),
                            f"确认执业告知（补正）：{snapshot.agency_name} → {enterprise.name}",
                            snapshot.filing_due_at,
                        )
                    ],
                ),
            )
            return snapshot

    @refile.validator
    def _validate_refile(self, refiling: Refiling) -> None:
        self._check_refile(refiling)

    def _check_refile(self, refiling: Refiling) -> None:
        self._check_agency(refiling.actor)
        status = self._snapshot.filing_status
        require(
            status is FilingStatus.RETURNED,
            Conflict(
                f"only a returned notification can be refiled; it is {status.label}",
                code="project.filing_not_returned",
            ),
        )
        if refiling.team is not None:
            request = self._snapshot.request.model_copy(update={"team": refiling.team})
            violations = [
                v
                for v in check_project_request(
                    request, refiling.agency, self._policy.admission_rules(), today()
                )
                if v.field is not None and v.field.startswith("team")
            ]
            if violations:
                raise rejection(RuleViolations(violations))

    async def _escalate_filing(self) -> None:
        snapshot = self._snapshot
        snapshot.filing_escalated = True
        await self._commit(
            "filing.escalated",
            f"执业告知 {self._policy.filing_review_working_days} 个工作日内未获确认，已提交市局",
            inbox=InboxChanges(
                send=[
                    self._message(
                        FILING_ESCALATED,
                        Addressee.city(),
                        f"逾期未确认的执业告知：{snapshot.agency_name} → "
                        f"{snapshot.request.enterprise.name}",
                    )
                ]
            ),
        )

    # ------------------------------------------------------------------ service

    @workflow.update
    async def submit_plan(self, submission: PlanSubmission) -> ProjectSnapshot:
        async with self._lock:
            self._check_plan(submission)
            snapshot = self._snapshot
            replaced = snapshot.plan is not None
            snapshot.plan = ServicePlan(summary=submission.summary, submitted_at=workflow.now())
            await self._commit(
                "plan.replaced" if replaced else "plan.submitted",
                "更新服务方案" if replaced else "提交服务方案",
                actor=submission.actor,
                inbox=InboxChanges(withdraw=[self._withdrawal(PLAN_SUBMIT)]),
            )
            return snapshot

    @submit_plan.validator
    def _validate_plan(self, submission: PlanSubmission) -> None:
        self._check_plan(submission)

    def _check_plan(self, submission: PlanSubmission) -> None:
        self._check_agency(submission.actor)
        require(
            not self._snapshot.visits,
            Conflict(
                "the service plan comes before the first visit; visits have begun",
                code="project.plan_after_visits",
            ),
        )

    @workflow.update
    async def record_visit(self, submission: VisitSubmission) -> ProjectSnapshot:
        async with self._lock:
            self._check_visit(submission)
            snapshot, report = self._snapshot, submission.visit
            visit_id = f"v{len(snapshot.visits) + 1}"
            changed: list[HazardRecord] = []
            entries: list[HazardEntry] = []
            inbox = InboxChanges()
            long_unrectified: list[HazardRecord] = []

            # What earlier visits found: re-inspected now, or still open at this visit.
            outcomes = {r.hazard_id: r for r in report.reinspections}
            for record in self._open_hazards():
                reinspection = outcomes.get(record.hazard_id)
                if reinspection is not None:
                    entries.append(self._reinspect(record, reinspection, submission.actor, inbox))
                elif record.is_open:
                    # The ledger keeps the visit's word on it too (R5: continuity).
                    entries.append(
                        hazard_steps.append(
                            record, "still_open", f"第 {len(snapshot.visits) + 1} 次服务时仍未整改"
                        )
                    )
                if record.is_open:
                    record.open_at_visits += 1
                    if (
                        record.open_at_visits >= self._policy.long_unrectified_visits
                        and not record.long_unrectified
                    ):
                        long_unrectified.append(record)
                changed.append(record)

            found_ids = []
            majors: list[HazardRecord] = []
            for hazard in report.hazards:
                hazard_id = f"{snapshot.project_id}-h{self._state.next_hazard}"
                self._state.next_hazard += 1
                record, found = hazard_steps.new_hazard(
                    hazard_id, hazard, project=snapshot, visit_id=visit_id, actor=submission.actor
                )
                found_ids.append(hazard_id)
                changed.append(record)
                entries.append(found)
                inbox.send.append(self._rectify_item(record, "请按整改建议整改隐患"))
                if record.major is not None:
                    majors.append(record)
                    self._state.major_hazards.append(hazard_id)
                    inbox.send.append(
                        message(
                            hazard_resource(hazard_id),
                            MAJOR_ACKNOWLEDGE,
                            Addressee.county(record.county_code),
                            f"重大事故隐患：{record.enterprise_name} {hazard.location}",
                            record.found_at + self._policy.major_hazard_ack_within,
                        )
                    )
                else:
                    self._state.hazards[hazard_id] = record

            visit = Visit(
                **report.model_dump(include={"visited_on", "present", "activities", "notes"}),
                visit_id=visit_id,
                recorded_at=workflow.now(),
                hazard_ids=found_ids,
                reinspected=list(outcomes),
            )
            snapshot.visits.append(visit)
            done = "、".join(a.label for a in visit.activities)
            await self._commit(
                "visit.recorded",
                f"第 {len(snapshot.visits)} 次服务（{visit.visited_on.isoformat()}）：{done}"
                + (f"；发现隐患 {len(found_ids)} 项" if found_ids else "")
                + (f"；复查 {len(outcomes)} 项" if outcomes else ""),
                actor=submission.actor,
                reasons=[visit.notes] if visit.notes else [],
                inbox=inbox,
                hazards=changed,
                hazard_entries=entries,
            )
            for record in majors:
                # Followed to its end even after this project closes (R5).
                await workflow.start_child_workflow(
                    MajorHazardWorkflow.run,
                    MajorHazardInput(record=record, policy=self._policy),
                    id=hazard_workflow_id(record.hazard_id),
                    parent_close_policy=ParentClosePolicy.ABANDON,
                )
            for record in long_unrectified:
                await self._long_unrectified(
                    record, f"连续 {record.open_at_visits} 次服务时仍未整改"
                )
            return snapshot

    @record_visit.validator
    def _validate_visit(self, submission: VisitSubmission) -> None:
        self._check_visit(submission)

    def _check_visit(self, submission: VisitSubmission) -> None:
        self._check_agency(submission.actor)
        self._require_stage(ProjectStage.IN_SERVICE, "record a visit")
        snapshot, visit = self._snapshot, submission.visit
        violations = [
            Violation(
                code="project.visitor_not_on_team",
                field=f"present.{index}",
                message=f"{pid} is not on this project's team",
            )
            for index, pid in enumerate(visit.present)
            if pid not in snapshot.request.team
        ]
        if not snapshot.request.contract.signed_on <= visit.visited_on <= today():
            violations.append(
                Violation(
                    code="project.visit_date",
                    field="visited_on",
                    message="a visit falls between the contract's signing and today",
                )
            )
        for index, hazard in enumerate(visit.hazards):
            violations += hazard_violations(hazard, f"hazards.{index}", visit.visited_on)
        seen: set[str] = set()
        for index, reinspection in enumerate(visit.reinspections):
            problem = self._reinspection_problem(reinspection.hazard_id, seen)
            seen.add(reinspection.hazard_id)
            if problem:
                violations.append(
                    Violation(
                        code=problem[0],
                        field=f"reinspections.{index}.hazard_id",
                        message=problem[1],
                    )
                )
        if violations:
            raise rejection(RuleViolations(violations))

    def _reinspection_problem(self, hazard_id: str, seen: set[str]) -> tuple[str, str] | None:
        if hazard_id in seen:
            return "hazard.reinspected_twice", "a visit re-inspects a hazard once"
        if hazard_id in self._state.major_hazards:
            return (
                "hazard.major_needs_verification",
                "a major hazard is closed by the regulator's verification, not a re-inspection",
            )
        record = self._state.hazards.get(hazard_id)
        if record is None:
            return "hazard.unknown", f"{hazard_id} is not a hazard of this project"
        if not record.is_open:
            return "hazard.closed", f"{hazard_id} is already closed"
        return None

    def _reinspect(
        self, record: HazardRecord, reinspection: Reinspection, actor: Actor, inbox: InboxChanges
    ) -> HazardEntry:
        """Append the re-inspection's outcome; a rectified general hazard closes."""
        rectified = reinspection.outcome is ReinspectionOutcome.RECTIFIED
        resource = hazard_resource(record.hazard_id)
        if rectified:
            record.status = HazardStatus.CLOSED
            record.closed_at = workflow.now()
            inbox.withdraw.append(withdrawal(resource, RECTIFY, REINSPECT, LONG_UNRECTIFIED))
        else:
            record.status = HazardStatus.OPEN
            inbox.withdraw.append(withdrawal(resource, REINSPECT))
            inbox.send.append(self._rectify_item(record, "复查未通过，请继续整改"))
        return hazard_steps.append(
            record,
            "reinspection",
            f"复查：{reinspection.outcome.label}"
            + (f"（{reinspection.notes}）" if reinspection.notes else ""),
            actor=actor,
            data=reinspection.model_dump(mode="json"),
        )

    async def _long_unrectified(self, record: HazardRecord, why: str) -> None:
        """久拖不改: the county regulator is told, with the hazard's history a click away."""
        record.long_unrectified = True
        entry = hazard_steps.append(
            record, "long_unrectified", f"久拖不改：{why}，已报告县级应急管理部门"
        )
        await self._commit(
            "hazard.long_unrectified",
            f"隐患久拖不改（{why}）：{record.report.location}",
            inbox=InboxChanges(
                send=[
                    message(
                        hazard_resource(record.hazard_id),
                        LONG_UNRECTIFIED,
                        Addressee.county(record.county_code),
                        f"久拖不改隐患：{record.enterprise_name} {record.report.location}（{why}）",
                    )
                ]
            ),
            hazards=[record],
            hazard_entries=[entry],
        )

    def _rectify_item(self, record: HazardRecord, title: str) -> InboxMessage:
        return message(
            hazard_resource(record.hazard_id),
            RECTIFY,
            Addressee.enterprise(record.enterprise_uscc),
            f"{title}：{record.report.location}",
            record.deadline,
        )

    # ------------------------------------------------------------------ hazards

    @workflow.update
    async def submit_hazard_evidence(self, submission: HazardEvidence) -> HazardRecord:
        async with self._lock:
            record = self._general_hazard(submission.hazard_id)
            hazard_steps.check_evidence(record, submission.actor)
            entry = hazard_steps.submit_evidence(record, submission.evidence, submission.actor)
            resource = hazard_resource(record.hazard_id)
            await self._commit(
                "hazard.evidence",
                f"提交隐患整改材料：{record.report.location}",
                actor=submission.actor,
                inbox=InboxChanges(
                    withdraw=[withdrawal(resource, RECTIFY)],
                    send=[
                        message(
                            resource,
                            REINSPECT,
                            Addressee.agency(record.agency_uscc),
                            f"复查隐患整改：{record.enterprise_name} {record.report.location}",
                        )
                    ],
                ),
                hazards=[record],
                hazard_entries=[entry],
            )
            return record

    @submit_hazard_evidence.validator
    def _validate_hazard_evidence(self, submission: HazardEvidence) -> None:
        hazard_steps.check_evidence(self._general_hazard(submission.hazard_id), submission.actor)

    @workflow.update
    async def reinspect_hazard(self, command: HazardReinspection) -> HazardRecord:
        """A re-inspection outside a visit, e.g. after the service has ended."""
        async with self._lock:
            record = self._check_reinspect(command)
            inbox = InboxChanges()
            entry = self._reinspect(record, command.reinspection, command.actor, inbox)
            await self._commit(
                "hazard.reinspected",
                f"复查隐患（{command.reinspection.outcome.label}）：{record.report.location}",
                actor=command.actor,
                inbox=inbox,
                hazards=[record],
                hazard_entries=[entry],
            )
            return record

    @reinspect_hazard.validator
    def _validate_reinspect_hazard(self, command: HazardReinspection) -> None:
        self._check_reinspect(command)

    def _check_reinspect(self, command: HazardReinspection) -> HazardRecord:
        require(
            command.actor.role is Role.AGENCY
            and command.actor.agency_uscc == self._input.agency_uscc,
            Forbidden("only the project's agency re-inspects", code="auth.out_of_scope"),
        )
        problem = self._reinspection_problem(command.reinspection.hazard_id, set())
        if problem:
            raise rejection(Conflict(problem[1], code=problem[0]))
        return self._general_hazard(command.reinspection.hazard_id)

    @workflow.update
    async def correct_hazard(self, correction: HazardCorrection) -> HazardRecord:
        async with self._lock:
            record = self._general_hazard(correction.hazard_id)
            hazard_steps.check_correction(record, correction.actor, correction.correction)
            entry = hazard_steps.correct(record, correction.correction, correction.actor)
            await self._commit(
                "hazard.corrected",
                f"更正隐患记录：{correction.correction.reason}",
                actor=correction.actor,
                hazards=[record],
                hazard_entries=[entry],
            )
            return record

    @correct_hazard.validator
    def _validate_correct_hazard(self, correction: HazardCorrection) -> None:
        record = self._general_hazard(correction.hazard_id)
        hazard_steps.check_correction(record, correction.actor, correction.correction)

    def _general_hazard(self, hazard_id: str) -> HazardRecord:
        record = self._state.hazards.get(hazard_id)
        if record is None:
            raise rejection(
                NotFound(f"no general hazard {hazard_id} here", code="hazard.not_found")
            )
        return record

    @workflow.update
    async def end_service(self, end: ServiceEnd) -> ProjectSnapshot:
        async with self._lock:
            self._check_end(end)
            snapshot = self._snapshot
            snapshot.service_ended_on = end.ended_on
            # The 30 days run from the end of the declared day, China time, or from now
            # if that moment is still to come.
            end_of_day = dt.datetime.combine(end.ended_on + timedelta(days=1), dt.time(), CHINA_TZ)
            start = min(workflow.now(), end_of_day)
            snapshot.report_due_at = start + self._policy.report_deadline
            await self._commit(
                "service.ended",
                f"服务活动结束（{end.ended_on.isoformat()}），服务报告须于 "
                f"{snapshot.report_due_at.astimezone(CHINA_TZ):%Y-%m-%d %H:%M} 前上传",
                actor=end.actor,
                inbox=InboxChanges(
                    send=[
                        self._message(
                            REPORT_UPLOAD,
                            Addressee.agency(snapshot.agency_uscc),
                            f"上传服务报告：{snapshot.request.enterprise.name}",
                            snapshot.report_due_at,
                        )
                    ]
                ),
            )
            return snapshot

    @end_service.validator
    def _validate_end(self, end: ServiceEnd) -> None:
        self._check_end(end)

    def _check_end(self, end: ServiceEnd) -> None:
        self._check_agency(end.actor)
        self._require_stage(ProjectStage.IN_SERVICE, "declare the service ended")
        snapshot = self._snapshot
        require(
            bool(snapshot.visits),
            Conflict("no service visit has been recorded", code="project.no_visits"),
        )
        violations = []
        last_visit = max(v.visited_on for v in snapshot.visits)
        if not last_visit <= end.ended_on <= today():
            violations.append(
                Violation(
                    code="project.end_date",
                    field="ended_on",
                    message=f"the service ends between the last visit ({last_visit}) and today",
                )
            )
        covered = {activity for visit in snapshot.visits for activity in visit.activities}
        missing = missing_consulting_content(snapshot.request.service_type, covered)
        if missing:
            violations.append(
                Violation(
                    code="project.consulting_incomplete",
                    field="visits",
                    message=(
                        "safety-management consulting must include "
                        + "、".join(a.label for a in missing)
                        + " before it ends; service without them is paperwork only (R4)"
                    ),
                )
            )
        if violations:
            raise rejection(RuleViolations(violations))

    # ------------------------------------------------------------------ report

    @workflow.update
    async def upload_report(self, upload: ReportUpload) -> ProjectSnapshot:
        async with self._lock:
            self._check_upload(upload)
            snapshot = self._snapshot
            assert snapshot.report_due_at is not None and snapshot.service_ended_on is not None
            now = workflow.now()
            receipt = await self._submit_to_platform(
                ReportSubmission(
                    project_id=snapshot.project_id,
                    agency_uscc=snapshot.agency_uscc,
                    agency_name=snapshot.agency_name,
                    enterprise_uscc=snapshot.enterprise_uscc,
                    enterprise_name=snapshot.request.enterprise.name,
                    service_type=snapshot.request.service_type,
                    service_ended_on=snapshot.service_ended_on,
                    file=upload.file,
                )
            )
            late = now - snapshot.report_due_at
            days_late = math.ceil(late / timedelta(days=1)) if late > timedelta(0) else 0
            snapshot.report = SubmittedReport(
                file=upload.file,
                uploaded_at=now,
                receipt_number=receipt.receipt_number,
                days_late=days_late,
            )
            snapshot.spot_check_window_ends_at = now + self._policy.spot_check_window
            credit = []
            if days_late:
                credit.append(
                    self._credit_event(
                        "report.late_uploaded", {"days_late": days_late}, source="report.uploaded"
                    )
                )
            await self._commit(
                "report.uploaded",
                f"服务报告已上传省平台（回执 {receipt.receipt_number}）"
                + (f"，逾期 {days_late} 天" if days_late else ""),
                actor=upload.actor,
                inbox=InboxChanges(
                    withdraw=[
                        self._withdrawal(
                            REPORT_UPLOAD,
                            REPORT_OVERDUE,
                            *(_reminder_item(i) for i in range(len(self._policy.report_reminders))),
                        )
                    ]
                ),
                credit_events=credit,
            )
            return snapshot

    async def _submit_to_platform(self, submission: ReportSubmission) -> PlatformReceipt:
        """Hand the report to 工业企业安全在线; a refusal or a long outage refuses the upload."""
        try:
            receipt: PlatformReceipt = await workflow.execute_activity(
                PLATFORM_SUBMIT_REPORT,
                submission,
                result_type=PlatformReceipt,
                start_to_close_timeout=_PLATFORM_TIMEOUT,
                schedule_to_close_timeout=_PLATFORM_PATIENCE,
            )
        except ActivityError as failure:
            cause = failure.cause
            if isinstance(cause, ApplicationError) and cause.type == "PlatformRefused":
                raise rejection(
                    Conflict(
                        f"the provincial platform refused the report: {cause.message}",
                        code="platform.refused",
                    )
                ) from None
            raise rejection(
                Unavailable(
                    "the provincial platform could not be reached; upload the report again later",
                    code="platform.unavailable",
                )
            ) from None
        return receipt

    @upload_report.validator
    def _validate_upload(self, upload: ReportUpload) -> None:
        self._check_upload(upload)

    def _check_upload(self, upload: ReportUpload) -> None:
        self._check_agency(upload.actor)
        self._require_stage(ProjectStage.REPORTING, "upload the service report")

    async def _remind_report(self, index: int) -> None:
        snapshot = self._snapshot
        assert snapshot.report_due_at is not None
        left = snapshot.report_due_at - workflow.now()
        days_left = max(math.ceil(left / timedelta(days=1)), 0)
        await self._commit(
            "report.reminded",
            f"提醒：服务报告上传期限还剩 {days_left} 天",
            inbox=InboxChanges(
                send=[
                    self._message(
                        _reminder_item(index),
                        Addressee.agency(snapshot.agency_uscc),
                        f"服务报告即将逾期（剩 {days_left} 天）："
                        f"{snapshot.request.enterprise.name}",
                        snapshot.report_due_at,
                    )
                ]
            ),
        )

    async def _report_overdue(self) -> None:
        snapshot = self._snapshot
        snapshot.overdue = True
        await self._commit(
            "report.overdue",
            "服务报告逾期未上传，已告知县级应急管理部门并记入信用",
            inbox=InboxChanges(
                send=[
                    self._message(
                        REPORT_OVERDUE,
                        Addressee.county(snapshot.county_code),
                        f"服务报告逾期：{snapshot.agency_name} → "
                        f"{snapshot.request.enterprise.name}",
                        snapshot.report_due_at,
                    )
                ]
            ),
            credit_events=[self._credit_event("report.late", {}, source="report.overdue")],
        )

    # ------------------------------------------------------------------ spot check

    @workflow.update
    async def open_spot_check(self, opening: SpotCheckOpening) -> ProjectSnapshot:
        async with self._lock:
            self._check_open_spot_check(opening)
            actor = opening.actor
            self._snapshot.spot_check = SpotCheck(
                opened_by_user_id=actor.user_id, opened_by=actor.label, opened_at=workflow.now()
            )
            await self._commit("spot_check.opened", "监管部门抽查服务报告", actor=actor)
            return self._snapshot

    @open_spot_check.validator
    def _validate_open_spot_check(self, opening: SpotCheckOpening) -> None:
        self._check_open_spot_check(opening)

    def _check_open_spot_check(self, opening: SpotCheckOpening) -> None:
        self._check_regulator(opening.actor)
        self._require_stage(ProjectStage.SPOT_CHECK, "open a spot check")
        require(
            self._snapshot.spot_check is None,
            Conflict("the report is already being spot-checked", code="spot_check.already_open"),
        )

    @workflow.update
    async def decide_spot_check(self, decision: SpotCheckDecision) -> ProjectSnapshot:
        async with self._lock:
            self._check_spot_check_decision(decision)
            check = self._snapshot.spot_check
            assert check is not None
            check.verdict = decision.verdict
            check.reasons = list(decision.reasons)
            check.notes = decision.notes
            check.decided_by = decision.actor.label
            check.decided_at = workflow.now()
            failed = decision.verdict is SpotCheckVerdict.FAIL
            await self._commit(
                "spot_check.decided",
                f"抽查结论：{decision.verdict.label}"
                + ("（" + "、".join(r.label for r in decision.reasons) + "）" if failed else ""),
                actor=decision.actor,
                reasons=[decision.notes] if decision.notes else [],
                credit_events=[
                    self._credit_event(
                        "spot_check.failed",
                        {"reasons": [r.value for r in decision.reasons]},
                        source="spot_check",
                    )
                ]
                if failed
                else [],
            )
            await self._close(f"抽查结论为{decision.verdict.label}，项目归档")
            return self._snapshot

    @decide_spot_check.validator
    def _validate_spot_check_decision(self, decision: SpotCheckDecision) -> None:
        self._check_spot_check_decision(decision)

    def _check_spot_check_decision(self, decision: SpotCheckDecision) -> None:
        self._check_regulator(decision.actor)
        check = self._snapshot.spot_check
        require(
            check is not None and check.verdict is None and self._snapshot.closed_at is None,
            Conflict("no spot check is awaiting a verdict", code="spot_check.not_open"),
        )
        assert check is not None
        if self._policy.spot_check_four_eyes:
            require(
                decision.actor.user_id != check.opened_by_user_id,
                Forbidden(
                    "four-eyes rule: the verdict must come from another regulator than the one "
                    "who opened the spot check",
                    code="spot_check.four_eyes",
                ),
            )
        if decision.verdict is SpotCheckVerdict.FAIL and not decision.reasons:
            raise rejection(
                RuleViolations(
                    [
                        Violation(
                            code="spot_check.reasons_required",
                            field="reasons",
                            message="a failed spot check names why: "
                            + "、".join(f"{r.value} ({r.label})" for r in FailureReason),
                        )
                    ]
                )
            )

    async def _close(self, why: str) -> None:
        self._snapshot.closed_at = workflow.now()
        await self._commit("project.closed", why + "，纳入企业一企一档")

    # ------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> ProjectState:
        return self._state

    # ------------------------------------------------------------------ helpers

    @property
    def _snapshot(self) -> ProjectSnapshot:
        snapshot = self._state.snapshot
        assert snapshot is not None, "handlers run only once the project exists"
        return snapshot

    def _check_agency(self, actor: Actor) -> None:
        require(
            actor.role is Role.AGENCY and actor.agency_uscc == self._input.agency_uscc,
            Forbidden("only the project's agency may do this", code="auth.out_of_scope"),
        )
        require(
            self._state.snapshot is not None and self._snapshot.closed_at is None,
            Conflict("the project is closed", code="project.closed"),
        )

    def _check_regulator(self, actor: Actor) -> None:
        require_regulator(actor, self._snapshot.county_code, "project")

    def _require_stage(self, stage: ProjectStage, doing: str) -> None:
        current = stage_of(self._snapshot)
        require(
            current is stage,
            Conflict(
                f"cannot {doing} now: the project is at {current.label} ({current.value}); "
                f"this step belongs to {stage.label} ({stage.value})",
                code="project.out_of_order",
            ),
        )

    async def _working_days_from(self, start: dt.datetime, days: int) -> dt.datetime:
        deadline: dt.datetime = await workflow.execute_local_activity(
            WORKING_DAYS_DEADLINE,
            WorkingDaysDeadline(start=start, working_days=days),
            result_type=dt.datetime,
            start_to_close_timeout=timedelta(seconds=10),
        )
        return deadline

    def _message(
        self, kind: str, addressee: Addressee, title: str, due_at: dt.datetime | None = None
    ) -> InboxMessage:
        return message(self._resource, kind, addressee, title, due_at)

    def _withdrawal(self, *kinds: str) -> InboxWithdrawal:
        return withdrawal(self._resource, *kinds)

    def _credit_event(
        self, kind: str, details: dict[str, str | int | list[str]], *, source: str
    ) -> CreditEvent:
        return CreditEvent(
            agency_uscc=self._input.agency_uscc,
            source=f"{self._resource}#{source}",
            kind=kind,
            occurred_at=workflow.now(),
            details=details,
        )

    async def _commit(
        self,
        kind: str,
        summary: str,
        *,
        actor: Actor | None = None,
        reasons: list[str] | None = None,
        inbox: InboxChanges | None = None,
        credit_events: list[CreditEvent] | None = None,
        hazards: list[HazardRecord] | None = None,
        hazard_entries: list[HazardEntry] | None = None,
    ) -> None:
        """Record the step: snapshot, timeline, inbox, credit and hazard changes at once."""
        snapshot = self._snapshot
        snapshot.updated_at = workflow.now()
        snapshot.stage = stage_of(snapshot)
        self._state.seq += 1
        await workflow.execute_activity(
            PROJECT_RECORD,
            ProjectRecord(
                workflow_id=workflow.info().workflow_id,
                seq=self._state.seq,
                snapshot=snapshot,
                event=entry(
                    self._resource, self._state.seq, kind, summary, actor=actor, reasons=reasons
                ),
                inbox=inbox or InboxChanges(),
                credit_events=credit_events or [],
                hazards=hazards or [],
                hazard_entries=hazard_entries or [],
            ),
            start_to_close_timeout=_RECORD_TIMEOUT,
        )
        self._upsert_search_attributes(snapshot)
        self._timers_changed = True

    def _upsert_search_attributes(self, snapshot: ProjectSnapshot) -> None:
        """Keep the Temporal UI's filters current; write on change only."""
        values = (snapshot.stage.value, snapshot.report_due_at, snapshot.overdue)
        if values == self._search_values:
            return
        self._search_values = values
        updates: list[SearchAttributeUpdate[Any]] = [
            sa.COUNTY.value_set(snapshot.county_code),
            sa.AGENCY.value_set(snapshot.agency_uscc),
            sa.ENTERPRISE.value_set(snapshot.enterprise_uscc),
            sa.STAGE.value_set(snapshot.stage.value),
            sa.OVERDUE.value_set(snapshot.overdue),
        ]
        if snapshot.report_due_at is not None:
            updates.append(sa.REPORT_DUE.value_set(snapshot.report_due_at))
        workflow.upsert_search_attributes(updates)
