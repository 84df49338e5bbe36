"""A hazard as a visit finds it: its first row and ledger entry, written with the visit."""

import datetime as dt
from dataclasses import dataclass

from agencyflow.domain.calendar import end_of_day
from agencyflow.domain.hazard import (
    HazardEntry,
    HazardLevel,
    HazardRecord,
    HazardReport,
    MajorHazardState,
)
from agencyflow.domain.hazard_rules import report_delay
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee, InboxMessage
from agencyflow.domain.project import CreditEvent, ProjectRequest
from agencyflow.workflows.steps import Context, credit_event, message

from .major import ACKNOWLEDGE
from .models import hazard_resource
from .rectification import rectify_item, where


@dataclass(frozen=True)
class FoundHazard:
    record: HazardRecord
    entry: HazardEntry
    """Its ``found`` ledger entry."""
    told: list[InboxMessage]
    """Who is told of it at once."""
    credit_events: list[CreditEvent]


def _hours(delay: dt.timedelta) -> str:
    return f"{delay / dt.timedelta(hours=1):.1f}".removesuffix(".0")


def _major(report: HazardReport, ctx: Context) -> MajorHazardState:
    """The 2-hour rule: how long after its discovery the major hazard reached us."""
    delay = report_delay(report, ctx.now)
    late = delay is not None and delay > ctx.policy.major_hazard_report_within
    return MajorHazardState(reported_after=delay, reported_late=late)


def new_hazard(
    hazard_id: str,
    report: HazardReport,
    *,
    project_id: str,
    agency_uscc: str,
    request: ProjectRequest,
    visit_id: str,
    actor: Actor,
    ctx: Context,
) -> FoundHazard:
    enterprise = request.enterprise
    record = HazardRecord(
        hazard_id=hazard_id,
        project_id=project_id,
        visit_id=visit_id,
        agency_uscc=agency_uscc,
        enterprise_uscc=enterprise.uscc,
        enterprise_name=enterprise.name,
        county_code=enterprise.county_code,
        report=report,
        found_at=ctx.now,
        deadline=end_of_day(report.rectification_deadline)
        if report.rectification_deadline
        else None,
        major=_major(report, ctx) if report.level is HazardLevel.MAJOR else None,
        seq=1,
    )
    summary = (
        f"{report.level.label}（{report.category.label}）：{report.location} {report.description}"
    )
    told = [rectify_item(record, "请按整改建议整改隐患")]
    credit_events = []
    if record.major is not None:
        title = f"重大事故隐患：{where(record)}"
        late = record.major.reported_after if record.major.reported_late else None
        if late is not None:
            allowed = ctx.policy.major_hazard_report_within
            lateness = f"超时报告：发现后 {_hours(late)} 小时才报告，应于 {_hours(allowed)} 小时内"
            summary = f"{summary}（{lateness}）"
            title = f"重大事故隐患（{lateness}）：{where(record)}"
            credit_events.append(
                credit_event(
                    agency_uscc,
                    f"{hazard_resource(hazard_id)}#reported_late",
                    "major_hazard.reported_late",
                    ctx.now,
                    {
                        "reported_after_minutes": int(late / dt.timedelta(minutes=1)),
                        "allowed_minutes": int(allowed / dt.timedelta(minutes=1)),
                    },
                    points=ctx.policy.credit_deductions.major_hazard_reported_late,
                )
            )
        # A major hazard reaches the county with the visit itself, in one transaction.
        told.append(
            message(
                hazard_resource(hazard_id),
                ACKNOWLEDGE,
                Addressee.county(record.county_code),
                title,
                record.found_at + ctx.policy.major_hazard_ack_within,
            )
        )
    entry = HazardEntry(
        hazard_id=hazard_id,
        seq=1,
        at=ctx.now,
        kind="found",
        summary=summary,
        actor=actor.label,
        actor_user_id=actor.user_id,
        data=report.model_dump(mode="json"),
    )
    return FoundHazard(record, entry, told, credit_events)
