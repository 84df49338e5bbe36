"""Rectifying a hazard (R5): evidence, re-inspection, visits, corrections, lateness.

Every function here changes the hazard record it is given and returns the change; the
workflow appends it to the ledger as one entry, so nothing is ever overwritten.
"""

from agencyflow.domain.calendar import end_of_day
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.hazard import (
    Correction,
    HazardLevel,
    HazardRecord,
    HazardStatus,
    RectificationEvidence,
    Reinspection,
    ReinspectionOutcome,
)
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage
from agencyflow.workflows.steps import (
    Context,
    done,
    message,
    require,
    require_agency,
    tell,
    withdrawal,
)

from .models import HazardChange, VisitNotice, hazard_resource

RECTIFY = "hazard.rectify"
REINSPECT = "hazard.reinspect"
LONG_UNRECTIFIED = "hazard.long_unrectified"
VERIFY = "major_hazard.verify"


def where(record: HazardRecord) -> str:
    return f"{record.enterprise_name} {record.report.location}"


def rectify_item(record: HazardRecord, title: str) -> InboxMessage:
    """The enterprise's item: rectify by the deadline."""
    return message(
        hazard_resource(record.hazard_id),
        RECTIFY,
        Addressee.enterprise(record.enterprise_uscc),
        f"{title}：{record.report.location}",
        record.deadline,
    )


def check_open(record: HazardRecord) -> None:
    require(record.is_open, Conflict("the hazard is closed", code="hazard.closed"))


def check_evidence(record: HazardRecord, actor: Actor) -> None:
    """The enterprise itself, or the project's agency on its behalf, while the hazard is open."""
    require(
        (actor.role is Role.ENTERPRISE and actor.enterprise_uscc == record.enterprise_uscc)
        or (actor.role is Role.AGENCY and actor.agency_uscc == record.agency_uscc),
        Forbidden(
            "only the enterprise, or its agency on its behalf, submits rectification evidence",
            code="auth.out_of_scope",
        ),
    )
    require(
        record.status is HazardStatus.OPEN,
        Conflict(
            f"the hazard is {record.status.label}: evidence is for an open hazard",
            code="hazard.not_open",
        ),
    )


def submit_evidence(
    record: HazardRecord, evidence: RectificationEvidence, actor: Actor
) -> HazardChange:
    """Evidence goes to the agency to re-inspect, or for a major hazard to the regulator."""
    record.status = HazardStatus.EVIDENCE_SUBMITTED
    record.evidence = evidence
    resource = hazard_resource(record.hazard_id)
    if record.major is None:
        next_step = message(
            resource,
            REINSPECT,
            Addressee.agency(record.agency_uscc),
            f"复查隐患整改：{where(record)}",
        )
    else:
        next_step = message(
            resource,
            VERIFY,
            Addressee.county(record.county_code),
            f"核查重大事故隐患整改：{where(record)}",
        )
    return HazardChange(
        kind="evidence",
        summary=f"提交整改材料（{evidence.rectified_on.isoformat()} 整改）：{evidence.description}",
        actor=actor,
        data=evidence.model_dump(mode="json"),
        inbox=InboxChanges(withdraw=[withdrawal(resource, RECTIFY)], send=[next_step]),
    )


def check_reinspection(record: HazardRecord, actor: Actor) -> None:
    """The agency that found it re-inspects an open general hazard."""
    require_agency(
        actor, record.agency_uscc, "only the project's agency re-inspects", "auth.out_of_scope"
    )
    require(
        record.report.level is HazardLevel.GENERAL,
        Conflict(
            "a major hazard is closed by the regulator's verification, not a re-inspection",
            code="hazard.major_needs_verification",
        ),
    )
    require(record.is_open, Conflict(f"{record.hazard_id} is already closed", code="hazard.closed"))


def reinspect(
    record: HazardRecord, reinspection: Reinspection, actor: Actor, ctx: Context
) -> HazardChange:
    """The outcome goes in the ledger; a rectified general hazard closes."""
    resource = hazard_resource(record.hazard_id)
    if reinspection.outcome is ReinspectionOutcome.RECTIFIED:
        record.status = HazardStatus.CLOSED
        record.closed_at = ctx.now
        inbox = done(resource, RECTIFY, REINSPECT, LONG_UNRECTIFIED)
    else:
        record.status = HazardStatus.OPEN
        inbox = InboxChanges(
            withdraw=[withdrawal(resource, REINSPECT)],
            send=[rectify_item(record, "复查未通过，请继续整改")],
        )
    return HazardChange(
        kind="reinspection",
        summary=f"复查：{reinspection.outcome.label}"
        + (f"（{reinspection.notes}）" if reinspection.notes else ""),
        actor=actor,
        data=reinspection.model_dump(mode="json"),
        inbox=inbox,
    )


def note_visit(record: HazardRecord, notice: VisitNotice, ctx: Context) -> HazardChange | None:
    """A visit of the project re-inspected the hazard, or found it still open (R5: the ledger
    keeps the visit's word on it too). Each visit counts once; a closed hazard ignores it."""
    if notice.number <= record.last_visit_noted or not record.is_open:
        return None
    record.last_visit_noted = notice.number
    if notice.reinspection is not None:
        change = reinspect(record, notice.reinspection, notice.actor, ctx)
    else:
        change = HazardChange(kind="still_open", summary=f"第 {notice.number} 次服务时仍未整改")
    if record.is_open:
        record.open_at_visits += 1
    change.takes_notice = True
    return change


def check_correction(record: HazardRecord, actor: Actor, correction: Correction) -> None:
    require_agency(
        actor,
        record.agency_uscc,
        "only the agency that recorded the hazard corrects it",
        "auth.out_of_scope",
    )
    check_open(record)
    require(
        correction.corrects_seq <= record.seq,
        NotFound(
            f"the hazard has no entry {correction.corrects_seq} to correct",
            code="hazard.no_such_entry",
        ),
    )
    if not correction.changes():
        raise RuleViolations(
            [
                Violation(
                    code="hazard.empty_correction",
                    field="correction",
                    message="a correction changes at least one fact",
                )
            ]
        )


def correct(
    record: HazardRecord, correction: Correction, actor: Actor, ctx: Context
) -> HazardChange:
    """Apply the corrected facts; the corrected entry stays in the ledger as it was."""
    changes = correction.changes()
    record.report = record.report.model_copy(update=changes)
    if correction.rectification_deadline is not None:
        record.deadline = end_of_day(correction.rectification_deadline)
        record.overdue = ctx.now >= record.deadline and record.is_open
    return HazardChange(
        kind="correction",
        summary=f"更正第 {correction.corrects_seq} 条记录：{correction.reason}",
        actor=actor,
        data={k: str(v) for k, v in changes.items()},
        corrects_seq=correction.corrects_seq,
        report=record.report,
    )


def long_unrectified(record: HazardRecord, why: str) -> HazardChange:
    """久拖不改: the county regulator is told, with the hazard's history a click away."""
    record.long_unrectified = True
    county = Addressee.county(record.county_code)
    title = f"久拖不改隐患：{where(record)}（{why}）"
    return HazardChange(
        kind="long_unrectified",
        summary=f"久拖不改：{why}，已报告县级应急管理部门",
        inbox=tell(hazard_resource(record.hazard_id), LONG_UNRECTIFIED, county, title),
    )
