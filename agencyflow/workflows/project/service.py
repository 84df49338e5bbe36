"""The service itself (R4, R5): the plan, the visits and the hazards they find, the end.

A visit records what it found and re-inspected; the hazards found get workflows of their
own, and the hazards found earlier are told of the visit (re-inspected, or still open).
"""

import datetime as dt

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, RuleViolations, Violation
from agencyflow.domain.hazard import HazardLevel, ReinspectionOutcome
from agencyflow.domain.hazard_rules import hazard_violations
from agencyflow.domain.inbox import Addressee
from agencyflow.domain.project import ProjectStage, ServicePlan, Visit, VisitBase
from agencyflow.domain.project_rules import missing_consulting_content
from agencyflow.workflows import changes
from agencyflow.workflows.hazard.found import new_hazard
from agencyflow.workflows.hazard.models import VisitNotice
from agencyflow.workflows.steps import Context, done, require, tell

from .checks import check_agency, enterprise_name, progress_of, require_stage
from .filing import PLAN_SUBMIT
from .models import (
    HazardBrief,
    PlanSubmission,
    ProjectChange,
    ProjectState,
    ServiceEnd,
    VisitSubmission,
    project_resource,
)

REPORT_UPLOAD = "report.upload"


# ---------------------------------------------------------------------- the plan


def check_plan(state: ProjectState, submission: PlanSubmission) -> None:
    check_agency(state, submission.actor)
    require(
        state.visits.count == 0,
        Conflict(
            "the service plan comes before the first visit; visits have begun",
            code="project.plan_after_visits",
        ),
    )


def submit_plan(draft: ProjectState, submission: PlanSubmission, ctx: Context) -> ProjectChange:
    progress = progress_of(draft)
    replaced = progress.plan_submitted_at is not None
    progress.plan_submitted_at = ctx.now
    return ProjectChange(
        kind="plan.replaced" if replaced else "plan.submitted",
        summary="更新服务方案" if replaced else "提交服务方案",
        actor=submission.actor,
        plan=ServicePlan(summary=submission.summary, submitted_at=ctx.now),
        inbox=done(project_resource(draft.project_id), PLAN_SUBMIT),
    )


# ---------------------------------------------------------------------- visits


def visit_violations(
    state: ProjectState, submission: VisitSubmission, ctx: Context | None
) -> list[Violation]:
    """What is wrong with a visit. With a context, the rules of its content and dates too;
    without, only what depends on the project's state (checked again when it is recorded)."""
    visit = submission.visit
    violations: list[Violation] = []
    if ctx is not None:
        assert state.request is not None
        violations += [
            Violation(
                code="project.visitor_not_on_team",
                field=f"present.{index}",
                message=f"{pid} is not on this project's team",
            )
            for index, pid in enumerate(visit.present)
            if pid not in state.request.team
        ]
        if not state.request.contract.signed_on <= visit.visited_on <= ctx.today:
            violations.append(
                Violation(
                    code="project.visit_date",
                    field="visited_on",
                    message="a visit falls between the contract's signing and today",
                )
            )
        elif is_backdated(visit.visited_on, ctx) and not visit.late_reason.strip():
            days = ctx.policy.visit_record_within_days
            violations.append(
                Violation(
                    code="project.visit_backdated",
                    field="late_reason",
                    message=f"a visit is recorded within {days} days of its date; "
                    "say why this one is recorded later",
                )
            )
        for index, hazard in enumerate(visit.hazards):
            violations += hazard_violations(hazard, f"hazards.{index}", visit.visited_on, ctx.now)
    seen: set[str] = set()
    for index, reinspection in enumerate(visit.reinspections):
        problem = reinspection_problem(state, reinspection.hazard_id, seen)
        seen.add(reinspection.hazard_id)
        if problem:
            code, text = problem
            violations.append(
                Violation(code=code, field=f"reinspections.{index}.hazard_id", message=text)
            )
    return violations


def is_backdated(visited_on: dt.date, ctx: Context) -> bool:
    return (ctx.today - visited_on).days > ctx.policy.visit_record_within_days


def reinspection_problem(
    state: ProjectState, hazard_id: str, seen: set[str]
) -> tuple[str, str] | None:
    if hazard_id in seen:
        return "hazard.reinspected_twice", "a visit re-inspects a hazard once"
    brief = state.hazards.get(hazard_id)
    if brief is None:
        return "hazard.unknown", f"{hazard_id} is not a hazard of this project"
    if brief.level is HazardLevel.MAJOR:
        return (
            "hazard.major_needs_verification",
            "a major hazard is closed by the regulator's verification, not a re-inspection",
        )
    if not brief.open:
        return "hazard.closed", f"{hazard_id} is already closed"
    return None


def check_visit(state: ProjectState, submission: VisitSubmission, ctx: Context | None) -> None:
    check_agency(state, submission.actor)
    require_stage(state, ProjectStage.IN_SERVICE, "record a visit")
    violations = visit_violations(state, submission, ctx)
    if violations:
        raise RuleViolations(violations)


def record_visit(draft: ProjectState, submission: VisitSubmission, ctx: Context) -> ProjectChange:
    report, actor = submission.visit, submission.actor
    assert draft.request is not None
    number = draft.visits.count + 1
    visit_id = f"v{number}"
    outcomes = {r.hazard_id: r for r in report.reinspections}
    # What earlier visits found and is still open hears of this visit (R5: continuity).
    notices = [
        VisitNotice(
            hazard_id=hazard_id,
            visit_id=visit_id,
            number=number,
            actor=actor,
            reinspection=outcomes.get(hazard_id),
        )
        for hazard_id, brief in draft.hazards.items()
        if brief.level is HazardLevel.GENERAL and brief.open
    ]
    change = ProjectChange(
        kind="visit.recorded",
        summary="",
        actor=actor,
        reasons=[text for text in (report.notes, report.late_reason) if text],
        notices=notices,
    )
    for hazard in report.hazards:
        hazard_id = f"{draft.project_id}-h{draft.next_hazard}"
        draft.next_hazard += 1
        found = new_hazard(
            hazard_id,
            hazard,
            project_id=draft.project_id,
            agency_uscc=draft.agency_uscc,
            request=draft.request,
            visit_id=visit_id,
            actor=actor,
            ctx=ctx,
        )
        draft.hazards[hazard_id] = HazardBrief(level=hazard.level)
        change.found.append(found.record)
        change.found_entries.append(found.entry)
        change.inbox.send.extend(found.told)
        change.credit_events.extend(found.credit_events)
    visit = Visit(
        **report.model_dump(include=set(VisitBase.model_fields)),
        visit_id=visit_id,
        recorded_at=ctx.now,
        hazard_ids=[record.hazard_id for record in change.found],
        reinspected=list(outcomes),
    )
    for hazard_id, reinspection in outcomes.items():
        if reinspection.outcome is ReinspectionOutcome.RECTIFIED:
            draft.hazards[hazard_id].open = False  # its workflow closes it on this notice
    tally = draft.visits
    tally.count = number
    tally.last_visited_on = max(filter(None, (tally.last_visited_on, visit.visited_on)))
    tally.activities += [a for a in visit.activities if a not in tally.activities]
    done = "、".join(a.label for a in visit.activities)
    change.visit = visit
    change.summary = (
        f"第 {number} 次服务（{visit.visited_on.isoformat()}"
        + ("，补录" if is_backdated(visit.visited_on, ctx) else "")
        + f"）：{done}"
        + (f"；发现隐患 {len(visit.hazard_ids)} 项" if visit.hazard_ids else "")
        + (f"；复查 {len(outcomes)} 项" if outcomes else "")
    )
    return change


# ---------------------------------------------------------------------- the end of the service


def check_end(state: ProjectState, end: ServiceEnd) -> None:
    check_agency(state, end.actor)
    require_stage(state, ProjectStage.IN_SERVICE, "declare the service ended")
    require(
        state.visits.count > 0,
        Conflict("no service visit has been recorded", code="project.no_visits"),
    )


def check_end_rules(state: ProjectState, end: ServiceEnd, ctx: Context) -> None:
    """The end falls after the last visit, and consulting has covered what R4 requires."""
    assert state.request is not None and state.visits.last_visited_on is not None
    violations = []
    last_visit = state.visits.last_visited_on
    if not last_visit <= end.ended_on <= ctx.today:
        violations.append(
            Violation(
                code="project.end_date",
                field="ended_on",
                message=f"the service ends between the last visit ({last_visit}) and today",
            )
        )
    covered = set(state.visits.activities)
    missing = missing_consulting_content(state.request.service_type, covered)
    if missing:
        violations.append(
            Violation(
                code="project.consulting_incomplete",
                field="visits",
                message=(
                    "safety-management consulting must include "
                    + "、".join(a.label for a in missing)
                    + " before it ends; service without them is paperwork only (R4)"
                ),
            )
        )
    if violations:
        raise RuleViolations(violations)


def end_service(draft: ProjectState, end: ServiceEnd, ctx: Context) -> ProjectChange:
    progress = progress_of(draft)
    progress.service_ended_on = end.ended_on
    # R10's "within 30 days after the service ends" is a period in days, which (Civil Code
    # art. 201) starts the day after: from the end of the declared day, China time, even
    # when the end is declared that day. A period shorter than a day (a demo compressing
    # time) runs from the moment declared, or from the day's end if that has passed.
    deadline = ctx.policy.report_deadline
    end_of_day = dt.datetime.combine(end.ended_on + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    in_days = deadline % dt.timedelta(days=1) == dt.timedelta(0)
    if in_days and changes.REPORT_DUE_END_OF_DAY in ctx.changes:
        due = end_of_day + deadline
    else:
        due = min(ctx.now, end_of_day) + deadline
    progress.report_due_at = due
    return ProjectChange(
        kind="service.ended",
        summary=f"服务活动结束（{end.ended_on.isoformat()}），服务报告须于 "
        f"{due.astimezone(CHINA_TZ):%Y-%m-%d %H:%M} 前上传",
        actor=end.actor,
        inbox=tell(
            project_resource(draft.project_id),
            REPORT_UPLOAD,
            Addressee.agency(draft.agency_uscc),
            f"上传服务报告：{enterprise_name(draft)}",
            due,
        ),
    )
