"""Admission (准入, R2, R6): the application, the county's review, its escalation."""

import datetime as dt

from agencyflow.domain.admission import check_admission
from agencyflow.domain.agency import AgencySnapshot, AgencyStatus
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee
from agencyflow.workflows.steps import (
    Context,
    done,
    require,
    require_agency,
    require_reasons,
    require_regulator,
    tell,
)

from .models import AgencyChange, AgencyState, Decision, Submission, agency_resource

REVIEW = "application.review"
ESCALATED = "application.escalated"
RETURNED = "application.returned"


def snapshot_of(state: AgencyState) -> AgencySnapshot:
    if state.snapshot is None:
        raise NotFound("the agency has not applied", code="agency.not_found")
    return state.snapshot


def regulator_of(snapshot: AgencySnapshot) -> Addressee:
    code = snapshot.jurisdiction_code
    return Addressee.county(code) if code else Addressee.city()


def check_regulator(state: AgencyState, actor: Actor) -> None:
    require_regulator(actor, snapshot_of(state).jurisdiction_code, "agency")


def not_admissible(violations: list[Violation]) -> Conflict:
    return Conflict(
        "the agency does not meet the admission rules now: "
        + "; ".join(v.message for v in violations),
        code="agency.not_admissible",
    )


def assign_ids(state: AgencyState, id_numbers: list[str]) -> dict[str, str]:
    """Stable references for the listed people; a returning person keeps theirs."""
    known = state.snapshot.professional_ids if state.snapshot else {}
    ids = {}
    for id_number in id_numbers:
        if id_number in known:
            ids[id_number] = known[id_number]
        else:
            ids[id_number] = f"p{state.next_professional}"
            state.next_professional += 1
    return ids


# ---------------------------------------------------------------------- the application


def check_submission(state: AgencyState, submission: Submission) -> None:
    actor, facts = submission.actor, submission.facts
    require_agency(actor, state.uscc, "only the agency itself may submit its application")
    require(facts.uscc == state.uscc, Forbidden("the application's USCC is not the agency's own"))
    status = state.snapshot.status if state.snapshot else None
    require(
        status in (None, AgencyStatus.RETURNED, AgencyStatus.REJECTED),
        Conflict(
            f"the agency has already applied and is {status.label if status else ''}; "
            "an application may be submitted again only after a return or a rejection",
            code="agency.already_applied",
        ),
    )


def check_submission_rules(submission: Submission, ctx: Context) -> None:
    """The admission rules (R2, R6), all at once; checked before the application is accepted."""
    meets_rules(check_admission(submission.facts, ctx.policy.admission_rules(), ctx.today))


def meets_rules(violations: list[Violation]) -> None:
    """An application is accepted only with every admission rule met, each miss named."""
    if violations:
        raise RuleViolations(violations)


def submit(
    draft: AgencyState, submission: Submission, ctx: Context, review_due: dt.datetime
) -> AgencyChange:
    facts, previous = submission.facts, draft.snapshot
    ids = assign_ids(draft, [p.id_number for p in facts.professionals])
    draft.snapshot = AgencySnapshot(
        uscc=draft.uscc,
        status=AgencyStatus.PENDING_REVIEW,
        facts=facts,
        professional_ids=ids,
        jurisdiction_code=facts.jurisdiction_code,
        submitted_at=ctx.now,
        review_due_at=review_due,
        updated_at=ctx.now,
    )
    resource, title = agency_resource(draft.uscc), f"审核机构准入申请：{facts.legal_name}"
    return AgencyChange(
        kind="application.resubmitted" if previous else "application.submitted",
        summary=f"{facts.legal_name} 提交准入申请" + ("（补正后重新提交）" if previous else ""),
        actor=submission.actor,
        facts_changed=True,
        claims=[p.id_number for p in facts.professionals if p.full_time],
        inbox=done(resource, RETURNED)
        + tell(resource, REVIEW, regulator_of(draft.snapshot), title, review_due),
    )


# ---------------------------------------------------------------------- the county's review


def check_review(state: AgencyState, decision: Decision, *, reasons_required: bool = False) -> None:
    check_regulator(state, decision.actor)
    status = snapshot_of(state).status
    require(
        status is AgencyStatus.PENDING_REVIEW,
        Conflict(
            f"the application is not awaiting review: the agency is {status.label}",
            code="agency.not_pending_review",
        ),
    )
    if reasons_required:
        require_reasons(decision.reasons)


def check_admissible(state: AgencyState, ctx: Context) -> None:
    """Approval and reinstatement need the rules met today; checked before either is accepted."""
    snapshot = snapshot_of(state)
    violations = check_admission(snapshot.facts, ctx.policy.admission_rules(), ctx.today)
    if violations:
        raise not_admissible(violations)


def approve(draft: AgencyState, decision: Decision, ctx: Context) -> AgencyChange:
    snapshot = snapshot_of(draft)
    snapshot.status = AgencyStatus.ACTIVE
    snapshot.admitted_at = ctx.now
    snapshot.violations = []
    return AgencyChange(
        kind="application.approved",
        summary="准入申请审核通过，机构正常执业",
        actor=decision.actor,
        reasons=[decision.notes] if decision.notes else [],
        inbox=done(agency_resource(draft.uscc), REVIEW, ESCALATED),
    )


def return_application(draft: AgencyState, decision: Decision) -> AgencyChange:
    snapshot = snapshot_of(draft)
    snapshot.status = AgencyStatus.RETURNED
    snapshot.returned_reasons = list(decision.reasons)
    resource = agency_resource(draft.uscc)
    return AgencyChange(
        kind="application.returned",
        summary="准入申请被退回补正",
        actor=decision.actor,
        reasons=decision.reasons,
        inbox=done(resource, REVIEW, ESCALATED)
        + tell(
            resource,
            RETURNED,
            Addressee.agency(draft.uscc),
            "准入申请被退回：请按退回理由补正后重新提交",
        ),
    )


def reject(draft: AgencyState, decision: Decision) -> AgencyChange:
    """Not admitted; a rejected agency employs nobody full-time here, so its claims go."""
    snapshot_of(draft).status = AgencyStatus.REJECTED
    return AgencyChange(
        kind="application.rejected",
        summary="准入申请不予通过",
        actor=decision.actor,
        reasons=decision.reasons,
        claims=[],
        inbox=done(agency_resource(draft.uscc), REVIEW, ESCALATED),
    )


def escalate_review(draft: AgencyState, ctx: Context) -> AgencyChange:
    """Unanswered within the policy's working days: the city is told."""
    snapshot = snapshot_of(draft)
    snapshot.review_escalated = True
    days = ctx.policy.agency_review_working_days
    title = f"逾期未审核的机构准入申请：{snapshot.facts.legal_name}"
    return AgencyChange(
        kind="application.escalated",
        summary=f"县级应急管理部门未在 {days} 个工作日内审核，已提交市局",
        inbox=tell(agency_resource(draft.uscc), ESCALATED, Addressee.city(), title),
    )
