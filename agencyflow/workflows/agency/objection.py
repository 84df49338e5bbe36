"""An objection (异议) to a credit event (R8): the agency objects within the policy's working
days, once per event; the county regulator revokes the event or lets it stand within its
own working days, or the city is told; a revoked event counts for nothing from then on."""

import datetime as dt

from agencyflow.domain.calendar import working_days_deadline
from agencyflow.domain.credit import CreditRules, OpenObjection
from agencyflow.domain.errors import Conflict
from agencyflow.domain.inbox import Addressee
from agencyflow.domain.project import CreditEvent
from agencyflow.workflows.steps import Context, done, require, require_agency, tell

from .application import check_regulator, regulator_of, snapshot_of
from .credit import rescored
from .listing import drop_referral
from .models import (
    AgencyChange,
    AgencyState,
    CreditObjection,
    ObjectionDecision,
    agency_resource,
)

REVIEW = "credit.objection"
ESCALATED = "credit.objection.escalated"


def objection_resource(uscc: str, number: int) -> str:
    return f"{agency_resource(uscc)}/objections/{number}"


def _counted(state: AgencyState, source: str) -> CreditEvent:
    event = next((e for e in state.credit if e.source == source), None)
    require(
        event is not None,
        Conflict(
            "only an event that counts against the agency now may be objected to",
            code="credit.not_objectable",
        ),
    )
    assert event is not None
    return event


def check_objection(state: AgencyState, objection: CreditObjection) -> None:
    require_agency(objection.actor, state.uscc, "only the agency itself may object")
    _counted(state, objection.source)
    require(
        objection.source not in state.objected,
        Conflict("the agency has objected to this event already", code="credit.already_objected"),
    )


def check_in_time(state: AgencyState, objection: CreditObjection, ctx: Context) -> None:
    """Within the policy's working days of the event. The calendar is read here, in the
    validator, which never runs on replay."""
    event = _counted(state, objection.source)
    days = ctx.policy.credit_objection_working_days
    require(
        ctx.now < working_days_deadline(event.occurred_at, days),
        Conflict(
            f"an objection comes within {days} working days of the event",
            code="credit.objection_too_late",
        ),
    )


def object_to(
    draft: AgencyState, objection: CreditObjection, ctx: Context, review_due: dt.datetime
) -> AgencyChange:
    number = draft.next_objection
    draft.next_objection += 1
    draft.objected.append(objection.source)
    draft.objections.append(
        OpenObjection(
            source=objection.source, number=number, objected_at=ctx.now, review_due_at=review_due
        )
    )
    snapshot = snapshot_of(draft)
    return AgencyChange(
        kind="credit.objected",
        summary=f"对信用事件提出异议（{objection.source}）"
        + (f"，附证明材料 {len(objection.files)} 份" if objection.files else ""),
        actor=objection.actor,
        reasons=objection.reasons,
        files=list(objection.files),
        inbox=tell(
            objection_resource(draft.uscc, number),
            REVIEW,
            regulator_of(snapshot),
            f"信用事件异议待处理：{snapshot.facts.legal_name}",
            review_due,
        ),
    )


def _open(state: AgencyState, source: str) -> OpenObjection:
    found = next((o for o in state.objections if o.source == source), None)
    require(
        found is not None,
        Conflict("no objection to this event awaits an answer", code="credit.no_objection"),
    )
    assert found is not None
    return found


def check_decision(state: AgencyState, decision: ObjectionDecision) -> None:
    check_regulator(state, decision.actor)
    _open(state, decision.source)


def decide(
    draft: AgencyState, decision: ObjectionDecision, rules: CreditRules, ctx: Context
) -> AgencyChange:
    objection = _open(draft, decision.source)
    draft.objections.remove(objection)
    resource = objection_resource(draft.uscc, objection.number)
    change = AgencyChange(
        kind="credit.objection_decided",
        summary=("异议成立，撤销信用事件" if decision.revoke else "异议不成立，信用事件维持")
        + f"（{decision.source}）",
        actor=decision.actor,
        reasons=decision.reasons,
        inbox=done(resource, REVIEW, ESCALATED),
    )
    if decision.revoke:
        draft.credit = [e for e in draft.credit if e.source != decision.source]
        change.revoked = [decision.source]
        change.inbox += drop_referral(draft, decision.source)
        change.then = rescored(draft, rules, ctx)
    return change


def review_due(state: AgencyState) -> dt.datetime | None:
    return min((o.review_due_at for o in state.objections if not o.escalated), default=None)


def escalate_due(draft: AgencyState, now: dt.datetime) -> AgencyChange | None:
    """An objection unanswered in the regulator's working days goes to the city."""
    for objection in draft.objections:
        if not objection.escalated and now >= objection.review_due_at:
            objection.escalated = True
            snapshot = snapshot_of(draft)
            return AgencyChange(
                kind="credit.objection_escalated",
                summary=f"信用事件异议逾期未处理，已提交市局（{objection.source}）",
                inbox=tell(
                    objection_resource(draft.uscc, objection.number),
                    ESCALATED,
                    Addressee.city(),
                    f"信用事件异议逾期未处理：{snapshot.facts.legal_name}",
                ),
            )
    return None
