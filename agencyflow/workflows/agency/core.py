"""What `AgencyWorkflow` stands on: its context, the steps it takes (each checked, applied to
a draft and recorded before it counts), the steps time makes due, and the record itself.

The workflow's module holds its handlers and its loop; this one how a step is taken.
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
    from agencyflow.workflows.recorder import Recorder, taken
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
        agency_resource,
        agency_workflow_id,
    )

Check = Callable[[AgencyState], None]
Apply = Callable[[AgencyState], AgencyChange]
Describe = Callable[[AgencyState], monitoring.Amendment]


class AgencyCore:
    """The state and the step machinery of `AgencyWorkflow`, which adds the handlers."""

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
                files=change.files,
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
                    "affiliation_suspected",  # the signal of `AgencyWorkflow`
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
        """The rules' verdict on the agency: the admission rules', and an on-site
        verification's open finding (once `changes.VERIFICATION_CONSEQUENCES` is taken)."""
        findings = (
            supervision.finding_violations(self._state)
            if changes.VERIFICATION_CONSEQUENCES in self._changes
            else []
        )
        return [*await self._admission_verdict(facts), *findings]

    async def _admission_verdict(self, facts: AgencyFacts) -> list[Violation]:
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
