"""`AgencyWorkflow`: one agency, from its application through admission to lifelong monitoring.

Updates (each validated before it reaches history, each answered once recorded):
``submit`` (agency), ``approve`` / ``return_application`` / ``reject`` / ``reinstate``
(regulators), ``add_professional`` / ``remove_professional`` / ``renew_certificates`` /
``move_office`` / ``change_workplace`` (agency, once admitted), ``record_verification`` /
``record_interview`` (regulators).
Signals: ``affiliation_suspected`` (from another agency's workflow).
Queries: ``state``.
Timers: the review deadline (escalation to the city), each certificate's reminder and
expiry, the rectification deadline (suspension).
"""

import asyncio
import datetime as dt
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import (
        AGENCY_CLAIM_FULL_TIME,
        AGENCY_RECORD,
        WORKING_DAYS_DEADLINE,
    )
    from agencyflow.domain.admission import check_admission
    from agencyflow.domain.agency import (
        AgencyFacts,
        AgencySnapshot,
        AgencyStatus,
        Certificate,
        ClaimConflict,
        FullTimeClaims,
        Professional,
    )
    from agencyflow.domain.calendar import CHINA_TZ, WorkingDaysDeadline
    from agencyflow.domain.errors import (
        Conflict,
        Forbidden,
        NotFound,
        RuleViolations,
        Violation,
    )
    from agencyflow.domain.id_numbers import mask_id_number
    from agencyflow.domain.identity import Actor, Role
    from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage, InboxWithdrawal
    from agencyflow.domain.monitoring import CertificateDeadline, certificate_deadlines
    from agencyflow.domain.records import AgencyRecord
    from agencyflow.domain.regions import CITY_CODE

    from . import search_attributes as sa
    from .agency_models import (
        AffiliationSuspected,
        AgencyInput,
        AgencyState,
        CertificatesRenewed,
        Decision,
        Interview,
        NewProfessional,
        OfficeMoved,
        ProfessionalLeaves,
        Submission,
        Verification,
        WorkplaceChanged,
        agency_resource,
        agency_workflow_id,
    )
    from .rejections import rejection
    from .steps import entry, message, require, require_reasons, require_regulator, withdrawal

_RECORD_TIMEOUT = timedelta(seconds=30)

REVIEW = "application.review"
ESCALATED = "application.escalated"
RETURNED = "application.returned"
RECTIFICATION = "rectification.required"
RECTIFICATION_NOTICE = "rectification.notice"
SUSPENDED = "agency.suspended"
REINSTATEMENT = "reinstatement.review"


def _certificate_item(professional_id: str, certificate: Certificate) -> str:
    return f"certificate.expiring.{professional_id}.{certificate.number}"


@workflow.defn
class AgencyWorkflow:
    @workflow.init
    def __init__(self, input: AgencyInput) -> None:
        self._policy = input.policy
        self._rules = input.policy.admission_rules()
        self._history_limit = input.history_limit
        self._state = input.state or AgencyState(uscc=input.uscc)
        self._lock = asyncio.Lock()
        self._timers_changed = False
        self._search_values: tuple[str, str, str] | None = None

    # ------------------------------------------------------------------ run and timers

    @workflow.run
    async def run(self, input: AgencyInput) -> None:
        # Started by the first application's update: if that application is refused,
        # there is no agency to watch and the workflow ends without a trace in SQL.
        await workflow.wait_condition(
            lambda: self._state.snapshot is not None or workflow.all_handlers_finished()
        )
        if self._state.snapshot is None:
            return
        while not self._history_is_long():
            await self._sleep_until_next_timer()
            async with self._lock:
                await self._on_time()
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            AgencyInput(
                uscc=self._state.uscc,
                policy=self._policy,
                state=self._state,
                history_limit=self._history_limit,
            )
        )

    def _history_is_long(self) -> bool:
        info = workflow.info()
        if self._history_limit is not None:
            return info.get_current_history_length() > self._history_limit
        return info.is_continue_as_new_suggested()

    async def _sleep_until_next_timer(self) -> None:
        wake_at = self._next_timer()
        self._timers_changed = False

        def woken() -> bool:
            return self._timers_changed or self._history_is_long()

        if wake_at is None:
            await workflow.wait_condition(woken)
            return
        delay = wake_at - workflow.now()
        if delay <= timedelta(0):
            return
        try:
            await workflow.wait_condition(woken, timeout=delay)
        except TimeoutError:
            pass

    def _next_timer(self) -> dt.datetime | None:
        snapshot = self._snapshot
        due: list[dt.datetime] = []
        if snapshot.status is AgencyStatus.PENDING_REVIEW and not snapshot.review_escalated:
            if snapshot.review_due_at is not None:
                due.append(snapshot.review_due_at)
        if snapshot.status is AgencyStatus.RECTIFICATION_REQUIRED:
            if snapshot.rectification_due_at is not None:
                due.append(snapshot.rectification_due_at)
        if snapshot.status is not AgencyStatus.REJECTED:
            for deadline in self._certificate_deadlines():
                if deadline.key not in self._state.reminded:
                    due.append(deadline.remind_at)
                if deadline.key not in self._state.expired:
                    due.append(deadline.expires_at)
        return min(due, default=None)

    async def _on_time(self) -> None:
        now = workflow.now()
        snapshot = self._snapshot
        if (
            snapshot.status is AgencyStatus.PENDING_REVIEW
            and not snapshot.review_escalated
            and snapshot.review_due_at is not None
            and now >= snapshot.review_due_at
        ):
            await self._escalate_review()
        if (
            snapshot.status is AgencyStatus.RECTIFICATION_REQUIRED
            and snapshot.rectification_due_at is not None
            and now >= snapshot.rectification_due_at
        ):
            await self._rectification_deadline_passed()
        if snapshot.status is AgencyStatus.REJECTED:
            return
        for deadline in self._certificate_deadlines():
            professional, certificate = deadline.professional, deadline.certificate
            if deadline.key not in self._state.reminded and now >= deadline.remind_at:
                self._state.reminded.append(deadline.key)
                await self._remind_certificate(deadline)
            if deadline.key not in self._state.expired and now >= deadline.expires_at:
                self._state.expired.append(deadline.key)
                expired = (
                    f"{professional.name} 的{certificate.kind.label}证书 {certificate.number} "
                    f"已于 {certificate.valid_until.isoformat()} 到期"
                )
                await self._commit("certificate.expired", expired)
                await self._reassess(expired, actor=None)
        self._forget_replaced_certificates()

    def _certificate_deadlines(self) -> list[CertificateDeadline]:
        snapshot = self._snapshot
        return list(
            certificate_deadlines(
                snapshot.facts, snapshot.professional_ids, self._policy.certificate_expiry_notice
            )
        )

    def _forget_replaced_certificates(self) -> None:
        """Drop bookkeeping of certificates no longer held, so the state does not grow."""
        current = {deadline.key for deadline in self._certificate_deadlines()}
        self._state.reminded = [key for key in self._state.reminded if key in current]
        self._state.expired = [key for key in self._state.expired if key in current]

    # ------------------------------------------------------------------ application

    @workflow.update
    async def submit(self, submission: Submission) -> AgencySnapshot:
        async with self._lock:
            # Checked again: the state may have moved while this update waited for the lock.
            self._check_submission(submission)
            facts = submission.facts
            now = workflow.now()
            # The deadline first: once people are claimed, nothing may fail before the record.
            review_due = await workflow.execute_local_activity(
                WORKING_DAYS_DEADLINE,
                WorkingDaysDeadline(
                    start=now, working_days=self._policy.agency_review_working_days
                ),
                result_type=dt.datetime,
                start_to_close_timeout=timedelta(seconds=10),
            )
            conflicts = await self._claim(facts)
            if conflicts:
                await self._alert_affiliations(conflicts, facts)
                raise rejection(self._conflict_error(conflicts))
            previous = self._state.snapshot
            ids = self._assign_ids(facts, previous.professional_ids if previous else {})
            self._state.snapshot = AgencySnapshot(
                uscc=self._state.uscc,
                status=AgencyStatus.PENDING_REVIEW,
                facts=facts,
                professional_ids=ids,
                jurisdiction_code=facts.jurisdiction_code,
                submitted_at=now,
                review_due_at=review_due,
                updated_at=now,
            )
            regulator = self._regulator()
            await self._commit(
                "application.resubmitted" if previous else "application.submitted",
                f"{facts.legal_name} 提交准入申请" + ("（补正后重新提交）" if previous else ""),
                actor=submission.actor,
                inbox=InboxChanges(
                    withdraw=[self._withdrawal(RETURNED)],
                    send=[
                        self._message(
                            REVIEW, regulator, f"审核机构准入申请：{facts.legal_name}", review_due
                        )
                    ],
                ),
            )
            return self._snapshot

    @submit.validator
    def _validate_submit(self, submission: Submission) -> None:
        self._check_submission(submission)

    def _check_submission(self, submission: Submission) -> None:
        actor, facts = submission.actor, submission.facts
        require(
            actor.role is Role.AGENCY and actor.agency_uscc == self._state.uscc,
            Forbidden("only the agency itself may submit its application"),
        )
        require(
            facts.uscc == self._state.uscc,
            Forbidden("the application's USCC is not the agency's own"),
        )
        status = self._state.snapshot.status if self._state.snapshot else None
        require(
            status in (None, AgencyStatus.RETURNED, AgencyStatus.REJECTED),
            Conflict(
                f"the agency has already applied and is {status.label if status else ''}; "
                "an application may be submitted again only after a return or a rejection",
                code="agency.already_applied",
            ),
        )
        violations = check_admission(facts, self._rules, self._today())
        if violations:
            raise rejection(RuleViolations(violations))

    @workflow.update
    async def approve(self, decision: Decision) -> AgencySnapshot:
        async with self._lock:
            self._check_approve(decision)
            snapshot = self._snapshot
            snapshot.status = AgencyStatus.ACTIVE
            snapshot.admitted_at = workflow.now()
            snapshot.violations = []
            await self._commit(
                "application.approved",
                "准入申请审核通过，机构正常执业",
                actor=decision.actor,
                reasons=[decision.notes] if decision.notes else [],
                inbox=InboxChanges(withdraw=[self._withdrawal(REVIEW, ESCALATED)]),
            )
            return snapshot

    @approve.validator
    def _validate_approve(self, decision: Decision) -> None:
        self._check_approve(decision)

    def _check_approve(self, decision: Decision) -> None:
        self._check_review(decision)
        self._require_admissible()

    def _require_admissible(self) -> None:
        violations = check_admission(self._snapshot.facts, self._rules, self._today())
        if violations:
            raise rejection(self._no_longer_admissible(violations))

    @workflow.update
    async def return_application(self, decision: Decision) -> AgencySnapshot:
        async with self._lock:
            self._check_review(decision, reasons_required=True)
            snapshot = self._snapshot
            snapshot.status = AgencyStatus.RETURNED
            snapshot.returned_reasons = list(decision.reasons)
            await self._commit(
                "application.returned",
                "准入申请被退回补正",
                actor=decision.actor,
                reasons=decision.reasons,
                inbox=InboxChanges(
                    withdraw=[self._withdrawal(REVIEW, ESCALATED)],
                    send=[
                        self._message(
                            RETURNED,
                            Addressee.agency(self._state.uscc),
                            "准入申请被退回：请按退回理由补正后重新提交",
                        )
                    ],
                ),
            )
            return snapshot

    @return_application.validator
    def _validate_return(self, decision: Decision) -> None:
        self._check_review(decision, reasons_required=True)

    @workflow.update
    async def reject(self, decision: Decision) -> AgencySnapshot:
        async with self._lock:
            self._check_review(decision, reasons_required=True)
            snapshot = self._snapshot
            await self._claim_ids([])  # a rejected agency employs nobody full-time here
            snapshot.status = AgencyStatus.REJECTED
            await self._commit(
                "application.rejected",
                "准入申请不予通过",
                actor=decision.actor,
                reasons=decision.reasons,
                inbox=InboxChanges(withdraw=[self._withdrawal(REVIEW, ESCALATED)]),
            )
            return snapshot

    @reject.validator
    def _validate_reject(self, decision: Decision) -> None:
        self._check_review(decision, reasons_required=True)

    def _check_review(self, decision: Decision, *, reasons_required: bool = False) -> None:
        self._check_regulator(decision.actor)
        status = self._snapshot.status
        require(
            status is AgencyStatus.PENDING_REVIEW,
            Conflict(
                f"the application is not awaiting review: the agency is {status.label}",
                code="agency.not_pending_review",
            ),
        )
        if reasons_required:
            require_reasons(decision.reasons)

    async def _escalate_review(self) -> None:
        snapshot = self._snapshot
        snapshot.review_escalated = True
        due = snapshot.review_due_at
        await self._commit(
            "application.escalated",
            f"县级应急管理部门未在 {self._policy.agency_review_working_days} 个工作日内审核，"
            "已提交市局",
            inbox=InboxChanges(
                send=[
                    self._message(
                        ESCALATED,
                        Addressee.city(),
                        f"逾期未审核的机构准入申请：{snapshot.facts.legal_name}",
                        None,
                    )
                ]
            ),
        )
        workflow.logger.info("review escalated", extra={"uscc": snapshot.uscc, "due": str(due)})

    # ------------------------------------------------------------------ monitoring

    @workflow.update
    async def add_professional(self, change: NewProfessional) -> AgencySnapshot:
        async with self._lock:
            self._check_add_professional(change)
            professional = change.professional
            facts = self._snapshot.facts
            amended = facts.model_copy(
                update={"professionals": [*facts.professionals, professional]}
            )
            conflicts = await self._claim(amended)
            if conflicts:
                await self._alert_affiliations(conflicts, amended)
                raise rejection(self._conflict_error(conflicts))
            self._snapshot.facts = amended
            self._snapshot.professional_ids = self._assign_ids(
                amended, self._snapshot.professional_ids
            )
            await self._commit(
                "professional.joined",
                f"{professional.name}（{professional.masked_id}）加入机构",
                actor=change.actor,
            )
            await self._reassess(f"{professional.name} 加入", change.actor)
            return self._snapshot

    @add_professional.validator
    def _validate_add_professional(self, change: NewProfessional) -> None:
        self._check_add_professional(change)

    def _check_add_professional(self, change: NewProfessional) -> None:
        self._check_amendment(change.actor)
        listed = {p.id_number for p in self._snapshot.facts.professionals}
        require(
            change.professional.id_number not in listed,
            Conflict(
                f"{change.professional.masked_id} is already listed; renew their certificates "
                "instead",
                code="agency.professional_already_listed",
            ),
        )

    @workflow.update
    async def remove_professional(self, change: ProfessionalLeaves) -> AgencySnapshot:
        async with self._lock:
            self._check_amendment(change.actor)
            leaving = self._professional(change.professional_id)
            facts = self._snapshot.facts
            office = facts.local_office
            if office is not None:
                stationed = [i for i in office.stationed_technicians if i != leaving.id_number]
                office = office.model_copy(update={"stationed_technicians": stationed})
            amended = facts.model_copy(
                update={
                    "professionals": [p for p in facts.professionals if p is not leaving],
                    "local_office": office,
                }
            )
            await self._claim(amended)
            self._snapshot.facts = amended
            await self._commit(
                "professional.left",
                f"{leaving.name}（{leaving.masked_id}）离开机构",
                actor=change.actor,
                inbox=InboxChanges(
                    withdraw=[
                        self._withdrawal(
                            *(
                                _certificate_item(change.professional_id, c)
                                for c in leaving.certificates
                            )
                        )
                    ]
                ),
            )
            await self._reassess(f"{leaving.name} 离开", change.actor)
            return self._snapshot

    @remove_professional.validator
    def _validate_remove_professional(self, change: ProfessionalLeaves) -> None:
        self._check_amendment(change.actor)
        self._professional(change.professional_id)

    @workflow.update
    async def renew_certificates(self, change: CertificatesRenewed) -> AgencySnapshot:
        async with self._lock:
            self._check_amendment(change.actor)
            before = self._professional(change.professional_id)
            after = before.model_copy(update={"certificates": list(change.certificates)})
            facts = self._snapshot.facts
            self._snapshot.facts = facts.model_copy(
                update={"professionals": [after if p is before else p for p in facts.professionals]}
            )
            await self._commit(
                "professional.certificates_renewed",
                f"{before.name} 的证书已更新",
                actor=change.actor,
                inbox=InboxChanges(
                    withdraw=[
                        self._withdrawal(
                            *(
                                _certificate_item(change.professional_id, c)
                                for c in before.certificates
                            )
                        )
                    ]
                ),
            )
            await self._reassess(f"{before.name} 的证书更新", change.actor)
            return self._snapshot

    @renew_certificates.validator
    def _validate_renew_certificates(self, change: CertificatesRenewed) -> None:
        self._check_amendment(change.actor)
        self._professional(change.professional_id)

    @workflow.update
    async def move_office(self, change: OfficeMoved) -> AgencySnapshot:
        async with self._lock:
            self._check_office(change)
            self._snapshot.facts = self._snapshot.facts.model_copy(
                update={"local_office": change.office}
            )
            self._snapshot.jurisdiction_code = self._snapshot.facts.jurisdiction_code
            await self._commit(
                "office.moved",
                f"本地办公场所变更为 {change.office.address}",
                actor=change.actor,
            )
            await self._reassess("办公场所变更", change.actor)
            return self._snapshot

    @move_office.validator
    def _validate_move_office(self, change: OfficeMoved) -> None:
        self._check_office(change)

    def _check_office(self, change: OfficeMoved) -> None:
        self._check_amendment(change.actor)
        listed = {p.id_number for p in self._snapshot.facts.professionals}
        if set(change.office.stationed_technicians) - listed:
            raise rejection(
                RuleViolations(
                    [
                        Violation(
                            code="agency.unknown_stationed_technician",
                            field="stationed_technicians",
                            message=(
                                "every stationed technician must be one of the agency's "
                                "professionals"
                            ),
                        )
                    ]
                )
            )

    @workflow.update
    async def change_workplace(self, change: WorkplaceChanged) -> AgencySnapshot:
        async with self._lock:
            self._check_amendment(change.actor)
            facts = self._snapshot.facts
            update: dict[str, object] = {"workplace_area_m2": change.workplace_area_m2}
            if change.registered_address:
                update["registered_address"] = change.registered_address
            self._snapshot.facts = facts.model_copy(update=update)
            await self._commit(
                "workplace.changed",
                f"办公场所面积变更为 {change.workplace_area_m2:g} m²",
                actor=change.actor,
            )
            await self._reassess("办公场所面积变更", change.actor)
            return self._snapshot

    @change_workplace.validator
    def _validate_change_workplace(self, change: WorkplaceChanged) -> None:
        self._check_amendment(change.actor)

    def _check_amendment(self, actor: Actor) -> None:
        require(
            actor.role is Role.AGENCY and actor.agency_uscc == self._state.uscc,
            Forbidden("only the agency itself may change its facts"),
        )
        status = self._snapshot.status
        require(
            status.is_admitted,
            Conflict(
                f"the agency is {status.label}: before admission, correct the application and "
                "submit it again instead",
                code="agency.not_admitted",
            ),
        )

    async def _reassess(self, reason: str, actor: Actor | None) -> None:
        """Re-run the admission checks and move the status as the rules say (R9)."""
        snapshot = self._snapshot
        violations = check_admission(snapshot.facts, self._rules, self._today())
        snapshot.violations = violations
        reasons = [v.message for v in violations]
        status = snapshot.status
        if status is AgencyStatus.ACTIVE and violations:
            due = workflow.now() + self._policy.agency_rectification_period
            snapshot.status = AgencyStatus.RECTIFICATION_REQUIRED
            snapshot.rectification_due_at = due
            await self._commit(
                "status.rectification_required",
                f"{reason}：机构不再符合准入条件，须于 {due.astimezone(CHINA_TZ):%Y-%m-%d} 前整改",
                actor=actor,
                reasons=reasons,
                inbox=InboxChanges(
                    send=[
                        self._message(
                            RECTIFICATION,
                            Addressee.agency(snapshot.uscc),
                            "机构不再符合准入条件：请限期整改",
                            due,
                        ),
                        self._message(
                            RECTIFICATION_NOTICE,
                            self._regulator(),
                            f"机构限期整改：{snapshot.facts.legal_name}",
                            due,
                        ),
                    ]
                ),
            )
        elif status is AgencyStatus.RECTIFICATION_REQUIRED and not violations:
            snapshot.status = AgencyStatus.ACTIVE
            snapshot.rectification_due_at = None
            await self._commit(
                "status.restored",
                f"{reason}：机构已恢复符合准入条件",
                actor=actor,
                inbox=InboxChanges(
                    withdraw=[self._withdrawal(RECTIFICATION, RECTIFICATION_NOTICE)]
                ),
            )
        elif (
            status is AgencyStatus.SUSPENDED
            and not violations
            and not self._state.reinstatement_offered
        ):
            self._state.reinstatement_offered = True
            await self._commit(
                "status.reinstatement_requested",
                f"{reason}：暂停执业的机构已符合准入条件，待监管部门恢复执业",
                actor=actor,
                inbox=InboxChanges(
                    send=[
                        self._message(
                            REINSTATEMENT,
                            self._regulator(),
                            f"审核恢复执业：{snapshot.facts.legal_name}",
                        )
                    ]
                ),
            )
        elif status is AgencyStatus.SUSPENDED and violations and self._state.reinstatement_offered:
            self._state.reinstatement_offered = False
            await self._commit(
                "status.reinstatement_withdrawn",
                f"{reason}：机构又不符合准入条件",
                actor=actor,
                reasons=reasons,
                inbox=InboxChanges(withdraw=[self._withdrawal(REINSTATEMENT)]),
            )

    async def _rectification_deadline_passed(self) -> None:
        snapshot = self._snapshot
        violations = check_admission(snapshot.facts, self._rules, self._today())
        if not violations:
            await self._reassess("整改期限届满", actor=None)
            return
        snapshot.status = AgencyStatus.SUSPENDED
        snapshot.rectification_due_at = None
        snapshot.violations = violations
        self._state.reinstatement_offered = False
        await self._commit(
            "status.suspended",
            "整改期限届满仍不符合准入条件：暂停执业，不得承接新项目",
            reasons=[v.message for v in violations],
            inbox=InboxChanges(
                withdraw=[self._withdrawal(RECTIFICATION, RECTIFICATION_NOTICE)],
                send=[
                    self._message(
                        SUSPENDED,
                        Addressee.agency(snapshot.uscc),
                        "机构已暂停执业：整改到位后由监管部门恢复执业",
                    )
                ],
            ),
        )

    @workflow.update
    async def reinstate(self, decision: Decision) -> AgencySnapshot:
        async with self._lock:
            self._check_reinstate(decision)
            snapshot = self._snapshot
            snapshot.status = AgencyStatus.ACTIVE
            snapshot.violations = []
            self._state.reinstatement_offered = False
            await self._commit(
                "status.reinstated",
                "监管部门恢复机构执业",
                actor=decision.actor,
                reasons=[decision.notes] if decision.notes else [],
                inbox=InboxChanges(withdraw=[self._withdrawal(REINSTATEMENT, SUSPENDED)]),
            )
            return snapshot

    @reinstate.validator
    def _validate_reinstate(self, decision: Decision) -> None:
        self._check_reinstate(decision)

    def _check_reinstate(self, decision: Decision) -> None:
        self._check_regulator(decision.actor)
        status = self._snapshot.status
        require(
            status is AgencyStatus.SUSPENDED,
            Conflict(
                f"only a suspended agency can be reinstated; this one is {status.label}",
                code="agency.not_suspended",
            ),
        )
        self._require_admissible()

    async def _remind_certificate(self, deadline: CertificateDeadline) -> None:
        professional, certificate = deadline.professional, deadline.certificate
        await self._commit(
            "certificate.expiring",
            f"{professional.name} 的{certificate.kind.label}证书 {certificate.number} "
            f"将于 {certificate.valid_until.isoformat()} 到期",
            inbox=InboxChanges(
                send=[
                    self._message(
                        _certificate_item(deadline.professional_id, certificate),
                        Addressee.agency(self._state.uscc),
                        f"证书即将到期：{professional.name} {certificate.kind.label} "
                        f"{certificate.number}",
                        deadline.expires_at,
                    )
                ]
            ),
        )

    # ------------------------------------------------------------------ regulators' records

    @workflow.update
    async def record_verification(self, verification: Verification) -> AgencySnapshot:
        async with self._lock:
            self._check_regulator(verification.actor)
            await self._commit(
                "verification.recorded",
                f"现场核查（{verification.verified_on.isoformat()}）："
                + ("符合" if verification.conforming else "不符合"),
                actor=verification.actor,
                reasons=[verification.findings],
            )
            return self._snapshot

    @record_verification.validator
    def _validate_verification(self, verification: Verification) -> None:
        self._check_regulator(verification.actor)

    @workflow.update
    async def record_interview(self, interview: Interview) -> AgencySnapshot:
        async with self._lock:
            self._check_regulator(interview.actor)
            await self._commit(
                f"supervision.{interview.kind.value}",
                f"{interview.kind.label}（{interview.held_on.isoformat()}）",
                actor=interview.actor,
                reasons=[interview.notes],
            )
            return self._snapshot

    @record_interview.validator
    def _validate_interview(self, interview: Interview) -> None:
        self._check_regulator(interview.actor)

    # ------------------------------------------------------------------ affiliation (挂靠)

    @workflow.signal
    async def affiliation_suspected(self, suspicion: AffiliationSuspected) -> None:
        async with self._lock:
            key = f"{suspicion.other_uscc}/{suspicion.id_number}"
            if self._state.snapshot is None or key in self._state.affiliation_alerts:
                return
            self._state.affiliation_alerts.append(key)
            masked = mask_id_number(suspicion.id_number)
            title = (
                f"疑似挂靠：{suspicion.professional_name}（{masked}）为"
                f"{self._snapshot.facts.legal_name}专职人员，又被{suspicion.other_legal_name}列为专职"
            )
            ours = self._regulator()
            theirs = (
                Addressee.county(suspicion.other_jurisdiction_code)
                if suspicion.other_jurisdiction_code
                else Addressee.city()
            )
            kind = f"affiliation.{suspicion.other_uscc}.{masked[-4:]}"
            messages = [self._message(kind, ours, title)]
            if theirs != ours:
                messages.append(self._message(f"{kind}.applicant", theirs, title))
            await self._commit(
                "affiliation.suspected",
                title,
                regulators_only=True,
                inbox=InboxChanges(send=messages),
            )

    async def _alert_affiliations(self, conflicts: list[ClaimConflict], facts: AgencyFacts) -> None:
        names = {p.id_number: p.name for p in facts.professionals}
        for conflict in conflicts:
            handle = workflow.get_external_workflow_handle(agency_workflow_id(conflict.other_uscc))
            await handle.signal(
                AgencyWorkflow.affiliation_suspected,
                AffiliationSuspected(
                    other_uscc=self._state.uscc,
                    other_legal_name=facts.legal_name,
                    other_jurisdiction_code=facts.jurisdiction_code,
                    id_number=conflict.id_number,
                    professional_name=names.get(conflict.id_number, ""),
                ),
            )

    def _conflict_error(self, conflicts: list[ClaimConflict]) -> Conflict:
        listed = "; ".join(
            f"{mask_id_number(c.id_number)} is full-time at {c.other_legal_name} ({c.other_uscc})"
            for c in conflicts
        )
        return Conflict(
            f"a person may be full-time at only one agency: {listed}. "
            "The regulators of both agencies have been told (possible 挂靠).",
            code="agency.full_time_elsewhere",
        )

    async def _claim(self, facts: AgencyFacts) -> list[ClaimConflict]:
        return await self._claim_ids(
            [p.id_number for p in facts.professionals if p.full_time], facts
        )

    async def _claim_ids(
        self, id_numbers: list[str], facts: AgencyFacts | None = None
    ) -> list[ClaimConflict]:
        facts = facts or self._snapshot.facts
        conflicts: list[ClaimConflict] = await workflow.execute_activity(
            AGENCY_CLAIM_FULL_TIME,
            FullTimeClaims(
                uscc=self._state.uscc,
                legal_name=facts.legal_name,
                jurisdiction_code=facts.jurisdiction_code,
                id_numbers=id_numbers,
            ),
            result_type=list[ClaimConflict],
            start_to_close_timeout=_RECORD_TIMEOUT,
        )
        return conflicts

    # ------------------------------------------------------------------ queries

    @workflow.query
    def state(self) -> AgencyState:
        return self._state

    # ------------------------------------------------------------------ helpers

    @property
    def _snapshot(self) -> AgencySnapshot:
        snapshot = self._state.snapshot
        if snapshot is None:
            raise rejection(NotFound("the agency has not applied", code="agency.not_found"))
        return snapshot

    def _today(self) -> dt.date:
        return workflow.now().astimezone(CHINA_TZ).date()

    def _regulator(self) -> Addressee:
        code = self._snapshot.jurisdiction_code
        return Addressee.county(code) if code else Addressee.city()

    def _check_regulator(self, actor: Actor) -> None:
        require_regulator(actor, self._snapshot.jurisdiction_code, "agency")

    def _professional(self, professional_id: str) -> Professional:
        by_id = {v: k for k, v in self._snapshot.professional_ids.items()}
        id_number = by_id.get(professional_id)
        for professional in self._snapshot.facts.professionals:
            if professional.id_number == id_number:
                return professional
        raise rejection(
            NotFound(
                f"no professional {professional_id} at this agency", code="agency.no_professional"
            )
        )

    def _assign_ids(self, facts: AgencyFacts, known: dict[str, str]) -> dict[str, str]:
        """Stable references for the listed professionals; a returning person keeps theirs."""
        ids = {}
        for professional in facts.professionals:
            if professional.id_number in known:
                ids[professional.id_number] = known[professional.id_number]
            else:
                ids[professional.id_number] = f"p{self._state.next_professional}"
                self._state.next_professional += 1
        return ids

    def _no_longer_admissible(self, violations: list[Violation]) -> Conflict:
        return Conflict(
            "the agency does not meet the admission rules now: "
            + "; ".join(v.message for v in violations),
            code="agency.not_admissible",
        )

    def _message(
        self, kind: str, addressee: Addressee, title: str, due_at: dt.datetime | None = None
    ) -> InboxMessage:
        return message(agency_resource(self._state.uscc), kind, addressee, title, due_at)

    def _withdrawal(self, *kinds: str) -> InboxWithdrawal:
        return withdrawal(agency_resource(self._state.uscc), *kinds)

    async def _commit(
        self,
        kind: str,
        summary: str,
        *,
        actor: Actor | None = None,
        reasons: list[str] | None = None,
        inbox: InboxChanges | None = None,
        regulators_only: bool = False,
    ) -> None:
        """Record the step: snapshot, timeline entry and inbox changes in one activity."""
        snapshot = self._snapshot
        snapshot.updated_at = workflow.now()
        self._state.seq += 1
        event = entry(
            agency_resource(self._state.uscc),
            self._state.seq,
            kind,
            summary,
            actor=actor,
            reasons=reasons,
            regulators_only=regulators_only,
        )
        await workflow.execute_activity(
            AGENCY_RECORD,
            AgencyRecord(
                workflow_id=workflow.info().workflow_id,
                seq=self._state.seq,
                snapshot=snapshot,
                event=event,
                inbox=inbox or InboxChanges(),
            ),
            start_to_close_timeout=_RECORD_TIMEOUT,
        )
        self._upsert_search_attributes(snapshot)
        self._timers_changed = True

    def _upsert_search_attributes(self, snapshot: AgencySnapshot) -> None:
        """Keep the Temporal UI's filters (county, agency, stage) current; write on change only."""
        values = (snapshot.uscc, snapshot.jurisdiction_code or CITY_CODE, snapshot.status.value)
        if values == self._search_values:
            return
        self._search_values = values
        workflow.upsert_search_attributes(
            [
                sa.AGENCY.value_set(values[0]),
                sa.COUNTY.value_set(values[1]),
                sa.STAGE.value_set(values[2]),
            ]
        )
