"""A major hazard's ladder (重大事故隐患, R5): the county acknowledges within the policy's time
or the city is told; the regulator may supervise it (挂牌督办) with a deadline of its own,
and only the regulator's verification closes it."""

from datetime import timedelta

from agencyflow.domain.calendar import end_of_day
from agencyflow.domain.errors import Conflict
from agencyflow.domain.hazard import HazardRecord, HazardStatus, MajorHazardState
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.workflows.steps import (
    Context,
    done,
    message,
    require,
    require_reasons,
    require_regulator,
    tell,
    withdrawal,
)

from .models import Acknowledgement, HazardChange, HazardVerification, Supervision, hazard_resource
from .rectification import RECTIFY, VERIFY, check_open, rectify_item, where

ACKNOWLEDGE = "major_hazard.acknowledge"
ESCALATED = "major_hazard.escalated"
OVERDUE = "major_hazard.overdue"
SUPERVISION_OVERDUE = "major_hazard.supervision_overdue"
SUPERVISION_OVERDUE_CITY = "major_hazard.supervision_overdue.city"


def major_of(record: HazardRecord) -> MajorHazardState:
    assert record.major is not None, "only a major hazard climbs this ladder"
    return record.major


def _notes(notes: str) -> str:
    return f"：{notes}" if notes else ""


def check_regulator(
    record: HazardRecord, ack: Acknowledgement | Supervision | HazardVerification
) -> None:
    require_regulator(ack.actor, record.county_code, "hazard")


def check_acknowledge(record: HazardRecord, ack: Acknowledgement) -> None:
    check_regulator(record, ack)
    require(
        major_of(record).acknowledged_at is None,
        Conflict("the major hazard is already acknowledged", code="hazard.already_acknowledged"),
    )


def acknowledge(record: HazardRecord, ack: Acknowledgement, ctx: Context) -> HazardChange:
    major = major_of(record)
    major.acknowledged_at = ctx.now
    major.acknowledged_by = ack.actor.label
    return HazardChange(
        kind="acknowledged",
        summary="监管部门确认重大事故隐患" + _notes(ack.notes),
        actor=ack.actor,
        inbox=done(hazard_resource(record.hazard_id), ACKNOWLEDGE, ESCALATED),
    )


def escalate(record: HazardRecord, ctx: Context) -> HazardChange:
    """Unacknowledged in time: the city regulator is told."""
    major_of(record).escalated = True
    hours = ctx.policy.major_hazard_ack_within / timedelta(hours=1)
    title = f"重大事故隐患逾期未确认：{where(record)}"
    return HazardChange(
        kind="escalated",
        summary=f"县级应急管理部门 {hours:g} 小时内未确认，已上报市局",
        inbox=tell(hazard_resource(record.hazard_id), ESCALATED, Addressee.city(), title),
    )


def check_supervise(record: HazardRecord, supervision: Supervision, ctx: Context) -> None:
    check_regulator(record, supervision)
    check_open(record)
    require(
        major_of(record).acknowledged_at is not None,
        Conflict("acknowledge the major hazard first", code="hazard.not_acknowledged"),
    )
    require(
        supervision.deadline >= ctx.today,
        Conflict("a supervised deadline lies ahead", code="hazard.deadline_in_past"),
    )


def supervise(record: HazardRecord, supervision: Supervision) -> HazardChange:
    """The regulator's deadline replaces the agency's; missing it reaches county and city."""
    major_of(record).supervised_deadline = supervision.deadline
    record.deadline = end_of_day(supervision.deadline)
    record.overdue = False
    resource = hazard_resource(record.hazard_id)
    return HazardChange(
        kind="supervised",
        summary=f"挂牌督办，限 {supervision.deadline.isoformat()} 前整改完成"
        + _notes(supervision.notes),
        actor=supervision.actor,
        data={"deadline": supervision.deadline.isoformat()},
        inbox=done(resource, OVERDUE, SUPERVISION_OVERDUE, SUPERVISION_OVERDUE_CITY),
    )


def overdue(record: HazardRecord) -> HazardChange:
    """Past its deadline and still open; a supervised one is reported to county and city."""
    record.overdue = True
    major = record.major
    if major is None:
        return HazardChange(kind="overdue", summary="超过整改期限未整改")
    resource = hazard_resource(record.hazard_id)
    if major.supervised_deadline is None:
        # R5: a major hazard is the regulator's to follow; past the agency's deadline the
        # county is told, so that it can put it under supervision (挂牌督办).
        return HazardChange(
            kind="overdue",
            summary="重大事故隐患超过整改期限仍未销号，已告知县级应急管理部门",
            inbox=InboxChanges(
                send=[
                    message(
                        resource,
                        OVERDUE,
                        Addressee.county(record.county_code),
                        f"重大事故隐患逾期未整改，请挂牌督办：{where(record)}",
                    )
                ]
            ),
        )
    title = (
        f"挂牌督办的重大事故隐患逾期未销号（限 {major.supervised_deadline.isoformat()}）："
        f"{where(record)}"
    )
    return HazardChange(
        kind="overdue",
        summary="挂牌督办期限届满仍未销号，已告知县级应急管理部门和市局",
        inbox=InboxChanges(
            send=[
                message(resource, SUPERVISION_OVERDUE, Addressee.county(record.county_code), title),
                message(resource, SUPERVISION_OVERDUE_CITY, Addressee.city(), title),
            ]
        ),
    )


def check_verify(record: HazardRecord, verification: HazardVerification) -> None:
    check_regulator(record, verification)
    require(
        record.status is HazardStatus.EVIDENCE_SUBMITTED,
        Conflict(
            f"verification follows rectification evidence; the hazard is {record.status.label}",
            code="hazard.no_evidence",
        ),
    )
    if not verification.accepted:
        require_reasons(verification.reasons)


def verify(record: HazardRecord, verification: HazardVerification, ctx: Context) -> HazardChange:
    resource = hazard_resource(record.hazard_id)
    if verification.accepted:
        record.status = HazardStatus.CLOSED
        record.closed_at = ctx.now
        return HazardChange(
            kind="verified",
            summary="监管部门核查通过，重大事故隐患销号",
            actor=verification.actor,
            inbox=done(
                resource,
                VERIFY,
                ACKNOWLEDGE,
                ESCALATED,
                RECTIFY,
                OVERDUE,
                SUPERVISION_OVERDUE,
                SUPERVISION_OVERDUE_CITY,
            ),
        )
    record.status = HazardStatus.OPEN
    major_of(record).verification_reasons = list(verification.reasons)
    return HazardChange(
        kind="verification_rejected",
        summary="核查未通过：" + "；".join(verification.reasons),
        actor=verification.actor,
        data={"reasons": verification.reasons},
        inbox=InboxChanges(
            withdraw=[withdrawal(resource, VERIFY)],
            send=[rectify_item(record, "重大事故隐患核查未通过，请继续整改")],
        ),
    )
