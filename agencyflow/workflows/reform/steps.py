"""The programme's steps: opened (its tasks seeded from policy), its service-type list kept,
each task given an owner, its evidence submitted by the county and signed off (销号) by the
city, or sent back; a task still open at its due date goes to the city's inbox, once.

Who: the county's regulators (or the city's) keep the list, name owners and submit
evidence; only a city regulator signs off, and never the one who submitted the evidence.
"""

import datetime as dt

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.errors import Conflict, Forbidden, NotFound, RuleViolations, Violation
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.reform import ReformTask, TaskEvidence, TaskStatus, seeded_tasks, unmet
from agencyflow.domain.regions import jurisdiction
from agencyflow.workflows.steps import (
    Context,
    done,
    message,
    require,
    require_reasons,
    require_regulator,
    tell,
)

from .models import (
    EvidenceSubmission,
    OwnerAssignment,
    ReformChange,
    ReformOpening,
    ReformState,
    ServiceTypesUpdate,
    SignOff,
    reform_resource,
)


def task_item(key: str) -> str:
    """The county's item for a task: open from the seeding until the task is closed."""
    return f"reform.task.{key}"


def sign_off_item(key: str) -> str:
    return f"reform.sign_off.{key}"


def overdue_item(key: str) -> str:
    return f"reform.overdue.{key}"


def resource_of(state: ReformState) -> str:
    assert state.county_code is not None and state.year is not None, "opened first"
    return reform_resource(state.county_code, state.year)


def _county_name(state: ReformState) -> str:
    assert state.county_code is not None
    return jurisdiction(state.county_code).name


def _day(moment: dt.datetime) -> str:
    """The due day as people say it: the last day the task may be done."""
    return (moment.astimezone(CHINA_TZ) - dt.timedelta(days=1)).date().isoformat()


def check_opening(state: ReformState, opening: ReformOpening) -> None:
    if opening.actor is not None:
        require_regulator(opening.actor, opening.county_code, "programme")
    require(
        not state.tasks,
        Conflict(
            f"the {opening.year} programme of {opening.county_code} is open already",
            code="reform.already_open",
        ),
    )


def open_programme(draft: ReformState, opening: ReformOpening, ctx: Context) -> ReformChange:
    draft.county_code, draft.year, draft.opened_at = opening.county_code, opening.year, ctx.now
    draft.tasks = seeded_tasks(ctx.policy.reform_tasks, opening.year)
    resource, county = resource_of(draft), Addressee.county(opening.county_code)
    return ReformChange(
        kind="reform.opened",
        summary=f"{_county_name(draft)}{opening.year}年改革任务清单：{len(draft.tasks)}项",
        actor=opening.actor,
        inbox=InboxChanges(
            send=[
                message(
                    resource,
                    task_item(t.key),
                    county,
                    f"改革任务：{t.title}（{_day(t.due_at)}前）",
                    t.due_at,
                )
                for t in draft.tasks
            ]
        ),
        tasks_changed=[t.key for t in draft.tasks],
        types_changed=True,
    )


def _check_open(state: ReformState, actor: Actor) -> None:
    require_regulator(actor, state.county_code, "programme")
    require(
        not state.finished,
        Conflict("every task of the programme is closed", code="reform.closed"),
    )


def task_of(state: ReformState, key: str) -> ReformTask:
    found = next((t for t in state.tasks if t.key == key), None)
    if found is None:
        raise NotFound(f"the programme has no task {key}", code="reform.task_not_found")
    return found


def _open_task(state: ReformState, actor: Actor, key: str) -> ReformTask:
    _check_open(state, actor)
    task = task_of(state, key)
    require(task.signed_off_at is None, Conflict("the task is closed", code="reform.task_closed"))
    return task


def check_types(state: ReformState, update: ServiceTypesUpdate) -> None:
    _check_open(state, update.actor)


def set_types(draft: ReformState, update: ServiceTypesUpdate) -> ReformChange:
    draft.types = update.types
    kinds = "、".join(t.service_type.label for t in update.types.types) or "无"
    return ReformChange(
        kind="reform.service_types",
        summary=f"服务类型清单：{kinds}；报告导则{len(update.types.guideline_codes())}项",
        actor=update.actor,
        types_changed=True,
    )


def check_owner(state: ReformState, assignment: OwnerAssignment) -> None:
    _open_task(state, assignment.actor, assignment.key)


def assign_owner(draft: ReformState, assignment: OwnerAssignment) -> ReformChange:
    task = task_of(draft, assignment.key)
    task.owner = assignment.owner
    return ReformChange(
        kind="reform.owner",
        summary=f"责任单位：{task.title} → {assignment.owner}",
        actor=assignment.actor,
        tasks_changed=[task.key],
    )


def check_evidence(state: ReformState, submission: EvidenceSubmission, ctx: Context) -> None:
    task = _open_task(state, submission.actor, submission.key)
    require(
        task.evidence is None,
        Conflict("the task's evidence awaits the city's sign-off", code="reform.awaiting_sign_off"),
    )
    problem = unmet(task.requires, state.types, ctx.policy.reform_min_guidelines)
    if problem is not None:
        raise RuleViolations([problem])


def submit_evidence(
    draft: ReformState, submission: EvidenceSubmission, ctx: Context
) -> ReformChange:
    task, actor = task_of(draft, submission.key), submission.actor
    task.evidence = TaskEvidence(
        files=list(submission.evidence.files),
        note=submission.evidence.note,
        submitted_by=actor.label,
        submitted_by_user_id=actor.user_id,
        submitted_at=ctx.now,
    )
    task.returned = []
    return ReformChange(
        kind="reform.evidence",
        summary=f"提交销号材料：{task.title}（{len(task.evidence.files)}份）",
        actor=actor,
        reasons=[submission.evidence.note] if submission.evidence.note else [],
        inbox=tell(
            resource_of(draft),
            sign_off_item(task.key),
            Addressee.city(),
            f"待销号：{_county_name(draft)}{task.title}",
        ),
        tasks_changed=[task.key],
    )


def check_sign_off(state: ReformState, sign_off: SignOff, ctx: Context) -> None:
    task = _open_task(state, sign_off.actor, sign_off.key)
    require(
        sign_off.actor.role is Role.CITY_REGULATOR,
        Forbidden("only a city regulator signs a task off", code="reform.sign_off_by_city"),
    )
    if task.evidence is None:
        raise RuleViolations(
            [
                Violation(
                    code="reform.evidence_required",
                    field="evidence",
                    message="a task is closed on its evidence: the county submits it first "
                    "(POST …/evidence, at least one file)",
                )
            ]
        )
    require(
        task.evidence.submitted_by_user_id != sign_off.actor.user_id,
        Forbidden(
            "four-eyes rule: whoever submitted the evidence does not sign it off",
            code="reform.four_eyes",
        ),
    )
    if not sign_off.accepted:
        require_reasons(sign_off.reasons)
        return
    problem = unmet(task.requires, state.types, ctx.policy.reform_min_guidelines)
    if problem is not None:
        raise RuleViolations([problem])


def sign_off(draft: ReformState, decision: SignOff, ctx: Context) -> ReformChange:
    task, resource = task_of(draft, decision.key), resource_of(draft)
    if not decision.accepted:
        task.evidence, task.returned = None, list(decision.reasons)
        return ReformChange(
            kind="reform.returned",
            summary=f"销号材料退回：{task.title}",
            actor=decision.actor,
            reasons=list(decision.reasons),
            inbox=done(resource, sign_off_item(task.key)),
            tasks_changed=[task.key],
        )
    task.signed_off_by, task.signed_off_at = decision.actor.label, ctx.now
    return ReformChange(
        kind="reform.closed_out",
        summary=f"销号：{task.title}",
        actor=decision.actor,
        inbox=done(resource, task_item(task.key), sign_off_item(task.key), overdue_item(task.key)),
        tasks_changed=[task.key],
    )


def _falls_overdue(task: ReformTask) -> bool:
    """Open, and not yet reported: a task whose evidence is in waits on the city, not the
    county, so it is not the county's lateness."""
    return task.status is TaskStatus.OPEN and not task.overdue


def overdue_at(state: ReformState) -> dt.datetime | None:
    """When the next task falls overdue, if one still can."""
    return min((t.due_at for t in state.tasks if _falls_overdue(t)), default=None)


def fall_overdue(draft: ReformState, now: dt.datetime) -> ReformChange | None:
    """The first task whose due date has passed open goes to the city's inbox."""
    task = next((t for t in draft.tasks if _falls_overdue(t) and t.due_at <= now), None)
    if task is None:
        return None
    task.overdue = True
    return ReformChange(
        kind="reform.overdue",
        summary=f"改革任务逾期未销号，已报市应急管理局：{task.title}",
        inbox=tell(
            resource_of(draft),
            overdue_item(task.key),
            Addressee.city(),
            f"改革任务逾期：{_county_name(draft)}{task.title}（{_day(task.due_at)}到期）",
        ),
        tasks_changed=[task.key],
    )
