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

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.domain.errors import Violation
    from agencyflow.domain.project import CreditEvent
    from agencyflow.workflows import changes
    from agencyflow.workflows.memory import Ack
    from agencyflow.workflows.recorder import working_days_from_now

    from . import application, credit, listing, monitoring, status, supervision
    from . import objection as objections
    from .application import snapshot_of
    from .core import AgencyCore
    from .models import (
        AffiliationSuspected,
        AgencyChange,
        AgencyInput,
        AgencyState,
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
    )


@workflow.defn
class AgencyWorkflow(AgencyCore):
    @workflow.init
    def __init__(self, input: AgencyInput) -> None:
        super().__init__(input)

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
        if changes.VERIFICATION_CONSEQUENCES not in self._changes:
            return await self._regulators_record(supervision.record_verification(verification))

        async def admission(state: AgencyState) -> list[Violation]:
            return await self._admission_verdict(snapshot_of(state).facts)

        return await self._rec.prepared_step(
            lambda s: application.check_regulator(s, verification.actor),
            admission,
            lambda d, violations: supervision.verify(d, verification, violations, self._ctx()),
            self._adopt,
        )

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
