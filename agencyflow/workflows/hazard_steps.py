"""Changing a hazard inside a workflow: every change is a new ledger entry."""

import datetime as dt
from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
    from agencyflow.domain.hazard import (
        Correction,
        HazardEntry,
        HazardLevel,
        HazardRecord,
        HazardReport,
        HazardStatus,
        MajorHazardState,
        RectificationEvidence,
    )
    from agencyflow.domain.hazard_rules import end_of_day
    from agencyflow.domain.identity import Actor, Role
    from agencyflow.domain.project import ProjectSnapshot
    from agencyflow.domain.timeline import SYSTEM_ACTOR

    from .rejections import rejection
    from .steps import require


def append(
    record: HazardRecord,
    kind: str,
    summary: str,
    *,
    actor: Actor | None = None,
    data: dict[str, Any] | None = None,
    corrects_seq: int | None = None,
) -> HazardEntry:
    """The next ledger entry of the hazard; the record's sequence moves on with it."""
    record.seq += 1
    return HazardEntry(
        hazard_id=record.hazard_id,
        seq=record.seq,
        at=workflow.now(),
        kind=kind,
        summary=summary,
        actor=actor.label if actor else SYSTEM_ACTOR,
        actor_user_id=actor.user_id if actor else None,
        data=data or {},
        corrects_seq=corrects_seq,
    )


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
) -> HazardEntry:
    record.status = HazardStatus.EVIDENCE_SUBMITTED
    record.evidence = evidence
    return append(
        record,
        "evidence",
        f"提交整改材料（{evidence.rectified_on.isoformat()} 整改）：{evidence.description}",
        actor=actor,
        data=evidence.model_dump(mode="json"),
    )


def check_correction(record: HazardRecord, actor: Actor, correction: Correction) -> None:
    require(
        actor.role is Role.AGENCY and actor.agency_uscc == record.agency_uscc,
        Forbidden("only the agency that recorded the hazard corrects it", code="auth.out_of_scope"),
    )
    if correction.corrects_seq > record.seq:
        raise rejection(
            NotFound(
                f"the hazard has no entry {correction.corrects_seq} to correct",
                code="hazard.no_such_entry",
            )
        )
    if not correction.changes():
        raise rejection(
            RuleViolations(
                [
                    Violation(
                        code="hazard.empty_correction",
                        field="correction",
                        message="a correction changes at least one fact",
                    )
                ]
            )
        )


def correct(record: HazardRecord, correction: Correction, actor: Actor) -> HazardEntry:
    """Apply the corrected facts; the corrected entry stays in the ledger as it was."""
    changes = correction.changes()
    record.report = record.report.model_copy(update=changes)
    if correction.rectification_deadline is not None:
        record.deadline = end_of_day(correction.rectification_deadline)
        record.overdue = workflow.now() >= record.deadline and record.is_open
    return append(
        record,
        "correction",
        f"更正第 {correction.corrects_seq} 条记录：{correction.reason}",
        actor=actor,
        data={k: str(v) for k, v in changes.items()},
        corrects_seq=correction.corrects_seq,
    )


def new_hazard(
    hazard_id: str,
    report: HazardReport,
    *,
    project: ProjectSnapshot,
    visit_id: str,
    actor: Actor,
) -> tuple[HazardRecord, HazardEntry]:
    """A hazard found on a visit, with the ledger entry that records it."""
    record = HazardRecord(
        hazard_id=hazard_id,
        project_id=project.project_id,
        visit_id=visit_id,
        agency_uscc=project.agency_uscc,
        enterprise_uscc=project.enterprise_uscc,
        enterprise_name=project.request.enterprise.name,
        county_code=project.county_code,
        report=report,
        found_at=workflow.now(),
        deadline=end_of_day(report.rectification_deadline)
        if report.rectification_deadline
        else None,
        major=MajorHazardState() if report.level is HazardLevel.MAJOR else None,
    )
    found = append(
        record,
        "found",
        f"{report.level.label}（{report.category.label}）：{report.location} {report.description}",
        actor=actor,
        data=report.model_dump(mode="json"),
    )
    return record, found


def long_unrectified_at(record: HazardRecord, after: timedelta) -> dt.datetime | None:
    """When an open general hazard becomes long unrectified (久拖不改) by time."""
    return record.deadline + after if record.deadline is not None else None
