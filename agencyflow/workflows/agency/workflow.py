"""`AgencyWorkflow`: one agency, from its application through admission to lifelong monitoring.

Updates (each validated before it reaches history, each answered once recorded):
``submit`` (agency), ``approve`` / ``return_application`` / ``reject`` / ``reinstate``
(regulators), ``add_professional`` / ``remove_professional`` / ``renew_certificates`` /
``move_office`` / ``change_workplace`` (agency, once admitted), ``record_verification`` /
``record_interview`` / ``record_credit_event`` (regulators), ``object_to_credit_event``
(agency) and ``decide_objection`` (regulators), ``decide_referral`` / ``decide_removal`` (the
city) and ``apply_for_removal`` (agency) for the seriously-untrustworthy list.
Signals: ``affiliation_suspected`` (from another agency's workflow), ``credit_event`` (from
its projects). Queries: ``state``.
Timers: the review deadline (escalation to the city), each certificate's reminder and
expiry, the rectification deadline (suspension), each credit event's end, each objection's
review deadline (escalation to the city), the listing's term.
"""

import datetime as dt
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import (
        ADMISSION_ASSESSMENT,
        ADMISSION_VERDICT,
        AGENCY_RECORD,
    )
    from agencyflow.domain.admission import AdmissionQuestion
    from agencyflow.domain.agency import AgencyFacts, ClaimConflict, FullTimeClaims
    from agencyflow.domain.errors import Violation
    from agencyflow.domain.inbox import InboxChanges
    from agencyflow.domain.project import CreditEvent
    from agencyflow.domain.records import AgencyRecord, RecordOutcome
    from agencyflow.domain.regions import CITY_CODE
    from agencyflow.workflows import changes
    from agencyflow.workflows import search_attributes as sa
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.recorder import (
        Recorder,
        taken,
        working_days_from_now,
    )
    from agencyflow.workflows.steps import Context

    from . import application, clock, credit, listing, monitoring, status, supervision
    from . import objection as objections
    from .application import snapshot_of
    from .models import (
        AffiliationSuspected,
        AgencyChange,
        AgencyInput,
        AgencyState,
        Assessment,
        AssessmentQuestion,
        CertificatesRenewed,
        CreditObjection,
        CreditRecording,
        Decision,
        Interview,
        NewProfessional,
        ObjectionDecision,
        OfficeMoved,
        ProfessionalLeaves,
        ReferralDecision,
        RemovalApplication,
        RemovalDecision,
        Submission,
        Verification,
        WorkplaceChanged,
        agency_resource,
        agency_workflow_id,
    )

Check = Callable[[AgencyState], None]
Apply = Callable[[AgencyState], AgencyChange]
Describe = Callable[[AgencyState], monitoring.Amendment]


@workflow.defn
class AgencyWorkflow:
    @workflow.init
    def __init__(self, input: AgencyInput) -> None:
        self._policy = input.policy
        self._limits = input.limits
        state = input.state or AgencyState(uscc=input.uscc)
        self._rec = Recorder(state, AGENCY_RECORD, input.limits)
        self._suspicions: list[AffiliationSuspected] = list(state.pending)
        self._credit_in: list[CreditEvent] = list(state.credit_pending)
        self._changes = taken(changes.AGENCY)

    @property
    def _state(self) -> AgencyState:
        return self._rec.state

    @workflow.run
    async def run(self, input: AgencyInput) -> None:
        # Started by the first application's update: if that application is refused,
        # there is no agency to watch and the workflow ends without a trace in SQL.
        if not await self._rec.started(lambda state: state.snapshot is not None):
            return
        while not self._rec.history_is_long():
            await self._rec.sleep(self._next_due)
            async with self._rec.lock:
                await self._rec.due_steps(self._next_change, self._adopt)
        await self._rec.quiet()
        state = self._state.model_copy(
            update={"pending": self._suspicions, "credit_pending": self._credit_in}
        )
        workflow.continue_as_new(
            AgencyInput(uscc=state.uscc, policy=self._policy, limits=self._limits, state=state)
        )

    def _ctx(self) -> Context:
        return Context(now=workflow.now(), policy=self._policy, changes=self._changes)

    @property
    def _assessed_in_force(self) -> bool:
        """Assessed under the policy in force (a local activity, in the handler), rather than
        under the policy of its first application (in the validator)."""
        return changes.AGENCY_CURRENT_POLICY in self._changes

    def _next_due(self) -> dt.datetime | None:
        if self._suspicions or self._credit_in:
            return workflow.now()
        rules, state = self._policy.credit_rules(), self._state
        due = [
            clock.next_due(state, self._policy),
            credit.expiry_due(state, rules),
            objections.review_due(state),
            listing.listing_due(state),
        ]
        return min((at for at in due if at is not None), default=None)

    # ------------------------------------------------------------------ application and review

    @workflow.update
    async def submit(self, submission: Submission) -> Ack:
        async def assessed(_: AgencyState) -> dt.datetime:
            if self._assessed_in_force:
                application.meets_rules(await self._verdict(submission.facts))
            return await working_days_from_now(self._policy.agency_review_working_days)

        return await self._rec.prepared_step(
            lambda s: application.check_submission(s, submission),
            assessed,
            lambda d, due: application.submit(d, submission, self._ctx(), due),
            self._adopt,
        )

    @submit.validator
    def _validate_submit(self, submission: Submission) -> None:
        self._check(lambda s: application.check_submission(s, submission))
        if not self._assessed_in_force:
            self._check(lambda s: application.check_submission_rules(submission, self._ctx()))

    @workflow.update
    async def approve(self, decision: Decision) -> Ack:
        return await self._admitting(
            lambda s: application.check_review(s, decision),
            lambda d: application.approve(d, decision, self._ctx()),
        )

    @approve.validator
    def _validate_approve(self, decision: Decision) -> None:
        self._check(lambda s: application.check_review(s, decision))
        if not self._assessed_in_force:
            self._check(lambda s: application.check_admissible(s, self._ctx()))

    @workflow.update
    async def return_application(self, decision: Decision) -> Ack:
        return await self._step(
            lambda s: application.check_review(s, decision, reasons_required=True),
            lambda d: application.return_application(d, decision),
        )

    @return_application.validator
    def _validate_return(self, decision: Decision) -> None:
        self._check(lambda s: application.check_review(s, decision, reasons_required=True))

    @workflow.update
    async def reject(self, decision: Decision) -> Ack:
        return await self._step(
            lambda s: application.check_review(s, decision, reasons_required=True),
            lambda d: application.reject(d, decision),
        )

    @reject.validator
    def _validate_reject(self, decision: Decision) -> None:
        self._check(lambda s: application.check_review(s, decision, reasons_required=True))

    @workflow.update
    async def reinstate(self, decision: Decision) -> Ack:
        return await self._admitting(
            lambda s: self._check_reinstate(s, decision),
            lambda d: status.reinstate(d, decision),
        )

    @reinstate.validator
    def _validate_reinstate(self, decision: Decision) -> None:
        self._check(lambda s: self._check_reinstate(s, decision))
        if not self._assessed_in_force:
            self._check(lambda s: application.check_admissible(s, self._ctx()))

    @staticmethod
    def _check_reinstate(state: AgencyState, decision: Decision) -> None:
        application.check_regulator(state, decision.actor)
        status.check_reinstate(state, decision)

    # ------------------------------------------------------------------ monitoring

    @workflow.update
    async def add_professional(self, change: NewProfessional) -> Ack:
        return await self._amend(
            lambda s: monitoring.check_add_professional(s, change),
            lambda s: monitoring.add_professional(s, change),
        )

    @add_professional.validator
    def _validate_add_professional(self, change: NewProfessional) -> None:
        self._check(lambda s: monitoring.check_add_professional(s, change))

    @workflow.update
    async def remove_professional(self, change: ProfessionalLeaves) -> Ack:
        return await self._amend(
            lambda s: monitoring.check_known_professional(s, change.actor, change.professional_id),
            lambda s: monitoring.remove_professional(s, change),
        )

    @remove_professional.validator
    def _validate_remove_professional(self, change: ProfessionalLeaves) -> None:
        self._check(
            lambda s: monitoring.check_known_professional(s, change.actor, change.professional_id)
        )

    @workflow.update
    async def renew_certificates(self, change: CertificatesRenewed) -> Ack:
        return await self._amend(
            lambda s: monitoring.check_known_professional(s, change.actor, change.professional_id),
            lambda s: monitoring.renew_certificates(s, change),
        )

    @renew_certificates.validator
    def _validate_renew_certificates(self, change: CertificatesRenewed) -> None:
        self._check(
            lambda s: monitoring.check_known_professional(s, change.actor, change.professional_id)
        )

    @workflow.update
    async def move_office(self, change: OfficeMoved) -> Ack:
        return await self._amend(
            lambda s: monitoring.check_office(s, change),
            lambda s: monitoring.move_office(s, change),
        )

    @move_office.validator
    def _validate_move_office(self, change: OfficeMoved) -> None:
        self._check(lambda s: monitoring.check_office(s, change))

    @workflow.update
    async def change_workplace(self, change: WorkplaceChanged) -> Ack:
        return await self._amend(
            lambda s: monitoring.check_amendment(s, change.actor),
            lambda s: monitoring.change_workplace(s, change),
        )

    @change_workplace.validator
    def _validate_change_workplace(self, change: WorkplaceChanged) -> None:
        self._check(lambda s: monitoring.check_amendment(s, change.actor))

    # ------------------------------------------------------------------ regulators' records

    @workflow.update
    async def record_verification(self, verification: Verification) -> Ack:
        return await self._regulators_record(supervision.record_verification(verification))

    @record_verification.validator
    def _validate_verification(self, verification: Verification) -> None:
        self._check(lambda s: application.check_regulator(s, verification.actor))

    @workflow.update
    async def record_interview(self, interview: Interview) -> Ack:
        return await self._regulators_record(supervision.record_interview(interview))

    @record_interview.validator
    def _validate_interview(self, interview: Interview) -> None:
        self._check(lambda s: application.check_regulator(s, interview.actor))

    async def _regulators_record(self, change: AgencyChange) -> Ack:
        assert change.actor is not None
        actor = change.actor
        return await self._step(lambda s: application.check_regulator(s, actor), lambda _: change)

    @workflow.signal
    def affiliation_suspected(self, suspicion: AffiliationSuspected) -> None:
        """Taken by the timer loop, so that one whose record fails is tried again."""
        self._suspicions.append(suspicion)
        self._rec.wake()

    @workflow.update
    async def record_credit_event(self, recording: CreditRecording) -> Ack:
        return await self._step(
            lambda s: credit.check_recording(s, recording),
            lambda d: credit.record(d, recording, self._policy.credit_rules(), self._ctx()),
        )

    @record_credit_event.validator
    def _validate_credit_event(self, recording: CreditRecording) -> None:
        self._check(lambda s: credit.check_recording(s, recording))

    @workflow.update
    async def object_to_credit_event(self, objection: CreditObjection) -> Ack:
        days = self._policy.credit_objection_review_working_days
        return await self._rec.prepared_step(
            lambda s: objections.check_objection(s, objection),
            lambda _: working_days_from_now(days),
            lambda d, due: objections.object_to(d, objection, self._ctx(), due),
            self._adopt,
        )

    @object_to_credit_event.validator
    def _validate_objection(self, objection: CreditObjection) -> None:
        self._check(lambda s: objections.check_objection(s, objection))
        self._check(lambda s: objections.check_in_time(s, objection, self._ctx()))

    @workflow.update
    async def decide_objection(self, decision: ObjectionDecision) -> Ack:
        return await self._step(
            lambda s: objections.check_decision(s, decision),
            lambda d: objections.decide(d, decision, self._policy.credit_rules(), self._ctx()),
        )

    @decide_objection.validator
    def _validate_objection_decision(self, decision: ObjectionDecision) -> None:
        self._check(lambda s: objections.check_decision(s, decision))

    @workflow.update
    async def decide_referral(self, decision: ReferralDecision) -> Ack:
        return await self._step(
            lambda s: listing.check_referral_decision(s, decision),
            lambda d: listing.decide_referral(d, decision, self._ctx()),
        )

    @decide_referral.validator
    def _validate_referral_decision(self, decision: ReferralDecision) -> None:
        self._check(lambda s: listing.check_referral_decision(s, decision))

    @workflow.update
    async def apply_for_removal(self, application: RemovalApplication) -> Ack:
        return await self._step(
            lambda s: listing.check_removal_application(s, application, workflow.now()),
            lambda d: listing.apply_for_removal(d, application, self._ctx()),
        )

    @apply_for_removal.validator
    def _validate_removal_application(self, application: RemovalApplication) -> None:
        self._check(lambda s: listing.check_removal_application(s, application, workflow.now()))

    @workflow.update
    async def decide_removal(self, decision: RemovalDecision) -> Ack:
        return await self._step(
            lambda s: listing.check_removal_decision(s, decision),
            lambda d: listing.decide_removal(d, decision, self._ctx()),
        )

    @decide_removal.validator
    def _validate_removal_decision(self, decision: RemovalDecision) -> None:
        self._check(lambda s: listing.check_removal_decision(s, decision))

    @workflow.signal
    def credit_event(self, event: CreditEvent) -> None:
        """From a project of this agency, once recorded; taken by the timer loop."""
        self._credit_in.append(event)
        self._rec.wake()

    @workflow.query
    def state(self) -> AgencyState:
        return self._state

    # ------------------------------------------------------------------ taking steps

    def _check(self, check: Check) -> None:
        self._rec.check(check)

    async def _step(self, check: Check, apply: Apply) -> Ack:
        return await self._rec.step(check, apply, self._adopt)

    async def _admitting(self, check: Check, apply: Apply) -> Ack:
        """A step that admits the agency (approval, reinstatement): the rules must hold today."""
        if not self._assessed_in_force:
            return await self._step(check, apply)

        async def admissible(state: AgencyState) -> None:
            violations = await self._verdict(snapshot_of(state).facts)
            if violations:
                raise application.not_admissible(violations)

        return await self._rec.prepared_step(check, admissible, lambda d, _: apply(d), self._adopt)

    async def _amend(self, check: Check, describe: Describe) -> Ack:
        """A change of the agency's facts, with the rules' verdict on the facts it leads to."""

        async def assessed(state: AgencyState) -> tuple[monitoring.Amendment, list[Violation]]:
            amendment = describe(state)
            return amendment, await self._verdict(amendment.facts)

        return await self._rec.prepared_step(
            check,
            assessed,
            lambda d, verdict: monitoring.amend(d, *verdict, self._ctx()),
            self._adopt,
        )

    async def _next_change(self, draft: AgencyState) -> AgencyChange | None:
        """Suspicions raised by other agencies, then what time has made due."""
        while self._suspicions:
            suspicion = self._suspicions[0]
            known = supervision.affiliation_key(suspicion) in draft.affiliation_alerts
            if draft.snapshot is not None and not known:
                return supervision.affiliation_suspected(draft, suspicion)
            self._suspicions.pop(0)
        if change := self._credit_change(draft):
            return change
        clock.forget_replaced_certificates(draft, self._policy)
        due = clock.first_due(draft, self._policy, workflow.now())
        if due is None:
            return None
        facts = snapshot_of(draft).facts
        verdict = await self._verdict(facts) if due.needs_verdict else []
        return self._timed_step(draft, due, verdict)

    def _credit_change(self, draft: AgencyState) -> AgencyChange | None:
        """Credit events from its projects, events whose window has ended, objections
        unanswered in time, a listing at its term."""
        ctx = self._ctx()
        change = credit.next_change(draft, self._credit_in, self._policy.credit_rules(), ctx)
        return change or objections.escalate_due(draft, ctx.now) or listing.end_due(draft, ctx)

    def _timed_step(
        self, draft: AgencyState, due: clock.Due, verdict: list[Violation]
    ) -> AgencyChange:
        ctx = self._ctx()
        if due.kind == "review":
            return application.escalate_review(draft, ctx)
        if due.kind == "rectification":
            return status.rectification_deadline_passed(draft, verdict, ctx)
        assert due.deadline is not None
        if due.kind == "reminder":
            return status.remind_certificate(draft, due.deadline)
        return status.certificate_expired(draft, due.deadline, verdict, ctx)

    async def _adopt(self, draft: AgencyState, change: AgencyChange) -> Ack:
        """Record the change (and the status change it brought); only then is it the state."""
        now = workflow.now()
        snapshot = snapshot_of(draft)
        snapshot.updated_at = now
        snapshot.objections = list(draft.objections)
        changes = [change, *([change.then] if change.then else [])]
        first = self._rec.numbers(draft, len(changes))
        facts, resource = snapshot.facts, agency_resource(draft.uscc)
        outcome = await self._rec.write(
            AgencyRecord(
                workflow_id=workflow.info().workflow_id,
                seq=draft.seq,
                progress=snapshot.progress(),
                facts=facts if change.facts_changed else None,
                professional_ids=snapshot.professional_ids if change.facts_changed else None,
                claims=FullTimeClaims(
                    uscc=draft.uscc,
                    legal_name=facts.legal_name,
                    jurisdiction_code=facts.jurisdiction_code,
                    id_numbers=change.claims,
                )
                if change.claims is not None
                else None,
                events=[c.entry(resource, first + i, now) for i, c in enumerate(changes)],
                inbox=sum((c.inbox for c in changes), InboxChanges()),
                credit_events=[e for c in changes for e in c.credit_events],
                revoked=change.revoked,
            ),
            RecordOutcome,
        )
        if outcome is not None and outcome.conflicts:
            await self._alert_affiliations(outcome.conflicts, facts)
            raise supervision.full_time_elsewhere(outcome.conflicts)
        self._rec.state = draft
        if change.kind == "affiliation.suspected":
            self._suspicions.pop(0)
        if change.kind == "credit.event":
            self._credit_in.pop(0)
        self._search_attributes()
        return Ack(seq=draft.seq)

    async def _alert_affiliations(self, conflicts: list[ClaimConflict], facts: AgencyFacts) -> None:
        names = {p.id_number: p.name for p in facts.professionals}
        for conflict in conflicts:
            handle = workflow.get_external_workflow_handle(agency_workflow_id(conflict.other_uscc))
            try:
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
            except FailureError:
                workflow.logger.warning("agency %s could not be told", conflict.other_uscc)

    async def _verdict(self, facts: AgencyFacts) -> list[Violation]:
        """The admission rules' verdict, recorded in the history: replay reads it back, so a
        later change to the rules reaches this agency at its next step, never its past.

        The verdict is under the policy in force, which becomes the agency's: an agency lives
        for decades, and its admission is judged by today's thresholds at each assessment,
        not by those of its first application. Deadlines already set keep their dates."""
        if self._assessed_in_force:
            assessment: Assessment = await workflow.execute_local_activity(
                ADMISSION_ASSESSMENT,
                AssessmentQuestion(facts=facts, today=self._ctx().today),
                result_type=Assessment,
                start_to_close_timeout=timedelta(seconds=10),
            )
            self._policy = assessment.policy
            return assessment.violations
        violations: list[Violation] = await workflow.execute_local_activity(
            ADMISSION_VERDICT,
            AdmissionQuestion(
                facts=facts, rules=self._policy.admission_rules(), today=self._ctx().today
            ),
            result_type=list[Violation],
            start_to_close_timeout=timedelta(seconds=10),
        )
        return violations

    def _search_attributes(self) -> None:
        snapshot = snapshot_of(self._state)
        self._rec.search_attributes(
            [
                sa.AGENCY.value_set(snapshot.uscc),
                sa.COUNTY.value_set(snapshot.jurisdiction_code or CITY_CODE),
                sa.STAGE.value_set(snapshot.status.value),
            ]
        )
