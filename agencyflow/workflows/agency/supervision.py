"""What regulators record of an agency (R7, R9, R14), and suspected affiliations (挂靠)."""

from agencyflow.domain.agency import ClaimConflict
from agencyflow.domain.errors import Conflict, Violation
from agencyflow.domain.id_numbers import mask_id_number
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.workflows.steps import Context, message

from .application import regulator_of, snapshot_of
from .models import (
    AffiliationSuspected,
    AgencyChange,
    AgencyState,
    Interview,
    Verification,
    agency_resource,
)
from .status import reassess


def record_verification(verification: Verification) -> AgencyChange:
    """An on-site verification (现场核查)."""
    return AgencyChange(
        kind="verification.recorded",
        summary=f"现场核查（{verification.verified_on.isoformat()}）："
        + ("符合" if verification.conforming else "不符合"),
        actor=verification.actor,
        reasons=[verification.findings],
    )


def record_interview(interview: Interview) -> AgencyChange:
    """A warning (警示) or an interview (约谈)."""
    return AgencyChange(
        kind=f"supervision.{interview.kind.value}",
        summary=f"{interview.kind.label}（{interview.held_on.isoformat()}）",
        actor=interview.actor,
        reasons=[interview.notes],
    )


def affiliation_key(suspicion: AffiliationSuspected) -> str:
    return f"{suspicion.other_uscc}/{suspicion.id_number}"


def affiliation_suspected(draft: AgencyState, suspicion: AffiliationSuspected) -> AgencyChange:
    """Another agency listed one of ours as full-time: both regulators hear of it."""
    snapshot = snapshot_of(draft)
    draft.affiliation_alerts.append(affiliation_key(suspicion))
    masked = mask_id_number(suspicion.id_number)
    title = (
        f"疑似挂靠：{suspicion.professional_name}（{masked}）为"
        f"{snapshot.facts.legal_name}专职人员，又被{suspicion.other_legal_name}列为专职"
    )
    ours = regulator_of(snapshot)
    theirs = (
        Addressee.county(suspicion.other_jurisdiction_code)
        if suspicion.other_jurisdiction_code
        else Addressee.city()
    )
    resource = agency_resource(draft.uscc)
    kind = f"affiliation.{suspicion.other_uscc}.{masked[-4:]}"
    messages = [message(resource, kind, ours, title)]
    if theirs != ours:
        messages.append(message(resource, f"{kind}.applicant", theirs, title))
    return AgencyChange(
        kind="affiliation.suspected",
        summary=title,
        regulators_only=True,
        inbox=InboxChanges(send=messages),
    )


def full_time_elsewhere(conflicts: list[ClaimConflict]) -> Conflict:
    """The refusal names the people, masked, never the other agency: whoever submits an ID
    number must not learn where that person works. The regulators hear the whole of it."""
    listed = ", ".join(mask_id_number(c.id_number) for c in conflicts)
    return Conflict(
        f"a person may be full-time at only one agency, and {listed} already is at another; "
        "the regulators have been told (possible 挂靠).",
        code="agency.full_time_elsewhere",
    )


FINDING = "verification.nonconforming"


def finding_violations(state: AgencyState) -> list[Violation]:
    """An open finding of an on-site verification, as the rules' verdict counts it."""
    if state.open_finding is None:
        return []
    return [Violation(code=FINDING, field="", message=f"现场核查不符合：{state.open_finding}")]


def verify(
    draft: AgencyState, verification: Verification, admission: list[Violation], ctx: Context
) -> AgencyChange:
    """An on-site verification with its consequence (R9): a non-conforming one puts the
    agency under rectification (suspension follows if the deadline passes unmet); a
    conforming one clears the finding, restoring the agency if nothing else is wrong."""
    draft.open_finding = None if verification.conforming else verification.findings
    snapshot_of(draft).last_verified_on = verification.verified_on
    change = record_verification(verification)
    change.then = reassess(
        draft, "现场核查", verification.actor, [*admission, *finding_violations(draft)], ctx
    )
    return change
