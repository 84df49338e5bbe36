"""The seriously-untrustworthy list (严重失信名单, R8) as the agency's workflow keeps it: the
city decides each referral, the agency may ask for early removal after the policy's months,
the city decides that too, and the listing ends by itself at its term."""

import datetime as dt

from agencyflow.domain.errors import Conflict, Forbidden, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.untrustworthy import (
    Referral,
    RemovalRequest,
    is_listed,
    listing,
    may_request_removal,
)
from agencyflow.workflows.steps import Context, done, message, require, require_agency

from .application import regulator_of, snapshot_of
from .credit import UNTRUSTWORTHY_REFERRAL as REFERRAL
from .credit import referral_resource, rescored
from .models import (
    AgencyChange,
    AgencyState,
    ReferralDecision,
    RemovalApplication,
    RemovalDecision,
    agency_resource,
)

REMOVAL = "untrustworthy.removal"
LISTED = "untrustworthy.listed"
ENDED = "untrustworthy.ended"


def listing_resource(uscc: str) -> str:
    return f"{agency_resource(uscc)}#untrustworthy"


def _require_city(actor: Actor) -> None:
    require(
        actor.role is Role.CITY_REGULATOR,
        Forbidden("only the city regulator decides on the list", code="auth.role_not_allowed"),
    )


def _withdrawn(uscc: str, referrals: list[Referral]) -> InboxChanges:
    return sum(
        (done(referral_resource(uscc, r.reference), REFERRAL) for r in referrals),
        InboxChanges(),
    )


def check_referral_decision(state: AgencyState, decision: ReferralDecision) -> None:
    _require_city(decision.actor)
    require(
        bool(snapshot_of(state).referrals),
        Conflict("no referral of this agency awaits a decision", code="untrustworthy.no_referral"),
    )
    if decision.list_agency and decision.decision_number is None:
        raise RuleViolations(
            [
                Violation(
                    code="untrustworthy.decision_number_required",
                    field="decision_number",
                    message="listing needs the number of the city's decision",
                )
            ]
        )


def decide_referral(draft: AgencyState, decision: ReferralDecision, ctx: Context) -> AgencyChange:
    """Every open referral is decided at once: the decision is about the agency."""
    snapshot = snapshot_of(draft)
    referrals, snapshot.referrals = snapshot.referrals, []
    inbox = _withdrawn(draft.uscc, referrals)
    if not decision.list_agency:
        return AgencyChange(
            kind="untrustworthy.declined",
            summary="市局决定不列入严重失信名单",
            actor=decision.actor,
            reasons=decision.reasons,
            inbox=inbox,
        )
    assert decision.decision_number is not None
    # A new finding while listed starts the term again, from this decision.
    snapshot.listing = listing(
        [r.source for r in referrals],
        decision.decision_number,
        decision.reasons,
        ctx.now,
        ctx.policy.listing_rules(),
    )
    title = (
        f"{snapshot.facts.legal_name}列入严重失信名单（{decision.decision_number}），"
        f"至 {snapshot.listing.ends_at.date().isoformat()}"
    )
    resource = listing_resource(draft.uscc)
    inbox.send += [
        message(resource, LISTED, Addressee.agency(draft.uscc), title),
        message(resource, LISTED, regulator_of(snapshot), title),
    ]
    change = AgencyChange(
        kind="untrustworthy.listed",
        summary=title,
        actor=decision.actor,
        reasons=decision.reasons,
        inbox=inbox,
    )
    change.then = rescored(draft, ctx.policy.credit_rules(), ctx)
    return change


def drop_referral(draft: AgencyState, source: str) -> InboxChanges:
    """A revoked veto takes its undecided referral with it."""
    snapshot = snapshot_of(draft)
    gone = [r for r in snapshot.referrals if r.source == source]
    snapshot.referrals = [r for r in snapshot.referrals if r.source != source]
    return _withdrawn(draft.uscc, gone)


def check_removal_application(
    state: AgencyState, application: RemovalApplication, now: dt.datetime
) -> None:
    require_agency(application.actor, state.uscc, "only the agency itself may ask")
    found = snapshot_of(state).listing
    require(
        found is not None and is_listed(found, now),
        Conflict("the agency is not on the list", code="untrustworthy.not_listed"),
    )
    assert found is not None
    require(
        found.removal is None,
        Conflict("a request for removal awaits the city", code="untrustworthy.removal_pending"),
    )
    require(
        may_request_removal(found, now),
        Conflict(
            f"early removal may be asked for from {found.removal_from.date().isoformat()}",
            code="untrustworthy.removal_too_early",
        ),
    )


def apply_for_removal(
    draft: AgencyState, application: RemovalApplication, ctx: Context
) -> AgencyChange:
    snapshot = snapshot_of(draft)
    assert snapshot.listing is not None
    snapshot.listing.removal = RemovalRequest(
        requested_at=ctx.now, reasons=application.reasons, files=list(application.files)
    )
    return AgencyChange(
        kind="untrustworthy.removal_requested",
        summary="申请信用修复，提前移出严重失信名单"
        + (f"，附证明材料 {len(application.files)} 份" if application.files else ""),
        actor=application.actor,
        reasons=application.reasons,
        files=list(application.files),
        inbox=InboxChanges(
            send=[
                message(
                    listing_resource(draft.uscc),
                    REMOVAL,
                    Addressee.city(),
                    f"信用修复申请待决定：{snapshot.facts.legal_name}",
                )
            ]
        ),
    )


def check_removal_decision(state: AgencyState, decision: RemovalDecision) -> None:
    _require_city(decision.actor)
    found = snapshot_of(state).listing
    require(
        found is not None and found.removal is not None,
        Conflict("no request for removal awaits a decision", code="untrustworthy.no_removal"),
    )


def decide_removal(draft: AgencyState, decision: RemovalDecision, ctx: Context) -> AgencyChange:
    snapshot = snapshot_of(draft)
    assert snapshot.listing is not None
    resource = listing_resource(draft.uscc)
    if not decision.remove:
        snapshot.listing.removal = None
        title = "信用修复申请未获准许，仍在严重失信名单"
        return AgencyChange(
            kind="untrustworthy.removal_refused",
            summary=title,
            actor=decision.actor,
            reasons=decision.reasons,
            inbox=done(resource, REMOVAL)
            + InboxChanges(send=[message(resource, ENDED, Addressee.agency(draft.uscc), title)]),
        )
    change = _ended(draft, "信用修复，提前移出严重失信名单", ctx)
    change.actor, change.reasons = decision.actor, decision.reasons
    return change


def listing_due(state: AgencyState) -> dt.datetime | None:
    found = state.snapshot.listing if state.snapshot else None
    return found.ends_at if found else None


def end_due(draft: AgencyState, ctx: Context) -> AgencyChange | None:
    """The listing ends by itself at its term."""
    due = listing_due(draft)
    if due is None or ctx.now < due:
        return None
    return _ended(draft, "严重失信名单期满，移出名单", ctx)


def _ended(draft: AgencyState, summary: str, ctx: Context) -> AgencyChange:
    snapshot = snapshot_of(draft)
    snapshot.listing = None
    resource = listing_resource(draft.uscc)
    change = AgencyChange(
        kind="untrustworthy.ended",
        summary=summary,
        inbox=done(resource, REMOVAL, LISTED)
        + InboxChanges(
            send=[
                message(resource, ENDED, Addressee.agency(draft.uscc), summary),
                message(resource, ENDED, regulator_of(snapshot), summary),
            ]
        ),
    )
    change.then = rescored(draft, ctx.policy.credit_rules(), ctx)
    return change
