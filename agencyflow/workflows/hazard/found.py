"""A hazard as a visit finds it: its first row and ledger entry, written with the visit."""

from agencyflow.domain.hazard import (
    HazardEntry,
    HazardLevel,
    HazardRecord,
    HazardReport,
    MajorHazardState,
)
from agencyflow.domain.hazard_rules import end_of_day
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee, InboxMessage
from agencyflow.domain.project import ProjectRequest
from agencyflow.workflows.steps import Context, message

from .major import ACKNOWLEDGE
from .models import hazard_resource
from .rectification import rectify_item, where


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
) -> tuple[HazardRecord, HazardEntry, list[InboxMessage]]:
    """The hazard, its ``found`` entry, and who is told of it at once."""
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
        major=MajorHazardState() if report.level is HazardLevel.MAJOR else None,
        seq=1,
    )
    found = HazardEntry(
        hazard_id=hazard_id,
        seq=1,
        at=ctx.now,
        kind="found",
        summary=f"{report.level.label}（{report.category.label}）：{report.location} "
        f"{report.description}",
        actor=actor.label,
        actor_user_id=actor.user_id,
        data=report.model_dump(mode="json"),
    )
    told = [rectify_item(record, "请按整改建议整改隐患")]
    if record.major is not None:
        # A major hazard reaches the county with the visit itself, in one transaction.
        told.append(
            message(
                hazard_resource(hazard_id),
                ACKNOWLEDGE,
                Addressee.county(record.county_code),
                f"重大事故隐患：{where(record)}",
                record.found_at + ctx.policy.major_hazard_ack_within,
            )
        )
    return record, found, told
