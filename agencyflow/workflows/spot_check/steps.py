"""A spot check's steps: opened (by the sample or a regulator), examined, decided; overdue
when its due date passes without a verdict (the city is told). Four-eyes by policy: the
verdict comes from another regulator than the one who examined the report."""

import datetime as dt

from agencyflow.domain.calendar import end_of_day
from agencyflow.domain.errors import Conflict, Forbidden, RuleViolations
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.project import SpotCheckVerdict
from agencyflow.domain.spot_checks import (
    SpotCheckProgress,
    SpotCheckSubject,
    missing_reasons,
    wrong_follow_up,
    wrong_points,
)
from agencyflow.workflows.steps import (
    Context,
    credit_event,
    done,
    message,
    require,
    require_regulator,
    tell,
)

from .models import (
    Examination,
    Rectified,
    SpotCheckChange,
    SpotCheckOpening,
    SpotCheckState,
    Verdict,
    spot_check_resource,
)

VERDICT_ITEM = "spot_check.verdict"
OVERDUE_ITEM = "spot_check.overdue"
RECTIFICATION_ITEM = "spot_check.rectification"
RECTIFICATION_OVERDUE_ITEM = "spot_check.rectification_overdue"


def subject_of(state: SpotCheckState) -> SpotCheckSubject:
    assert state.subject is not None, "a spot check's steps come after its opening"
    return state.subject


def progress_of(state: SpotCheckState) -> SpotCheckProgress:
    assert state.progress is not None, "a spot check's steps come after its opening"
    return state.progress


def check_opening(state: SpotCheckState, opening: SpotCheckOpening) -> None:
    if opening.actor is not None:
        require_regulator(opening.actor, opening.subject.county_code, "report")
    require(
        state.subject is None,
        Conflict("the report is already being spot-checked", code="spot_check.already_open"),
    )


def open_check(draft: SpotCheckState, opening: SpotCheckOpening, ctx: Context) -> SpotCheckChange:
    subject = opening.subject
    draft.subject, draft.progress = subject, SpotCheckProgress(opened_at=ctx.now)
    period = f"（{subject.period}）" if subject.period else ""
    return SpotCheckChange(
        kind="spot_check.opened",
        summary=f"{subject.origin.label}{period}：{subject.agency_name}为{subject.enterprise_name}"
        f"出具的{subject.service_type.label}报告",
        actor=opening.actor,
        inbox=tell(
            spot_check_resource(subject.project_id),
            VERDICT_ITEM,
            Addressee.county(subject.county_code),
            f"抽查服务报告：{subject.agency_name} → {subject.enterprise_name}",
            subject.due_at,
        ),
    )


def _check_open(state: SpotCheckState, actor: Actor) -> None:
    require_regulator(actor, subject_of(state).county_code, "spot check")
    require(
        progress_of(state).verdict is None,
        Conflict("the spot check has its verdict already", code="spot_check.not_open"),
    )


def check_examination(state: SpotCheckState, examination: Examination) -> None:
    _check_open(state, examination.actor)


def examine(draft: SpotCheckState, examination: Examination, ctx: Context) -> SpotCheckChange:
    progress = progress_of(draft)
    progress.examined_by_user_id = examination.actor.user_id
    progress.examined_by = examination.actor.label
    progress.examined_at = ctx.now
    progress.findings = examination.findings
    return SpotCheckChange(
        kind="spot_check.examined",
        summary="审查服务报告",
        actor=examination.actor,
        reasons=[examination.findings],
    )


def check_verdict(state: SpotCheckState, verdict: Verdict, ctx: Context) -> None:
    _check_open(state, verdict.actor)
    progress = progress_of(state)
    require(
        progress.examined_by_user_id is not None,
        Conflict(
            "examine the report first: the findings come before the verdict",
            code="spot_check.not_examined",
        ),
    )
    if ctx.policy.spot_check_four_eyes:
        require(
            verdict.actor.user_id != progress.examined_by_user_id,
            Forbidden(
                "four-eyes rule: the verdict must come from another regulator than the one "
                "who examined the report",
                code="spot_check.four_eyes",
            ),
        )
    deductions = ctx.policy.credit_deductions
    problems = [
        problem
        for problem in (
            missing_reasons(verdict.verdict, verdict.reasons),
            wrong_points(
                verdict.verdict,
                verdict.points,
                deductions.spot_check_failed_min,
                deductions.spot_check_failed_max,
            ),
        )
        if problem is not None
    ]
    problems.extend(
        wrong_follow_up(
            verdict.verdict, verdict.reasons, verdict.rectify_by, verdict.refer, ctx.today
        )
    )
    if problems:
        raise RuleViolations(problems)


def decide(draft: SpotCheckState, verdict: Verdict, ctx: Context) -> SpotCheckChange:
    subject, progress = subject_of(draft), progress_of(draft)
    progress.verdict, progress.reasons = verdict.verdict, list(verdict.reasons)
    progress.points, progress.decided_by, progress.decided_at = (
        verdict.points,
        verdict.actor.label,
        ctx.now,
    )
    failed = verdict.verdict is SpotCheckVerdict.FAIL
    resource = spot_check_resource(subject.project_id)
    inbox = done(resource, VERDICT_ITEM, OVERDUE_ITEM)
    said = [f"抽查结论：{verdict.verdict.label}"]
    if failed:
        said[0] += "（" + "、".join(r.label for r in verdict.reasons) + "）"
    events = []
    if failed:
        events.append(
            credit_event(
                subject.agency_uscc,
                # The report's one spot check, however it was opened: never two deductions.
                f"projects/{subject.project_id}#spot_check",
                "spot_check.failed",
                ctx.now,
                {"reasons": [r.value for r in verdict.reasons], "professionals": subject.team},
                points=verdict.points,
            )
        )
    if verdict.rectify_by is not None:
        progress.rectify_by = verdict.rectify_by
        progress.rectification_due_at = end_of_day(verdict.rectify_by)
        inbox = InboxChanges(
            withdraw=inbox.withdraw,
            send=[
                message(
                    resource,
                    RECTIFICATION_ITEM,
                    Addressee.agency(subject.agency_uscc),
                    f"抽查不合格，限期整改服务报告：{subject.enterprise_name}",
                    progress.rectification_due_at,
                )
            ],
        )
        said.append(f"责令整改，{verdict.rectify_by.isoformat()} 前重新出具报告")
    if verdict.refer:
        progress.referred = True
        events.append(
            credit_event(
                subject.agency_uscc,
                f"projects/{subject.project_id}#spot_check.false_report",
                "false_report",
                ctx.now,
                {"reference": f"spot-check-{subject.project_id}", "reasons": ["false"]},
                points=0,
            )
        )
        said.append("出具虚假报告，一票否决，移送市应急管理局认定严重失信")
    return SpotCheckChange(
        kind="spot_check.decided",
        summary="；".join(said),
        actor=verdict.actor,
        reasons=[verdict.notes] if verdict.notes else [],
        inbox=inbox,
        credit_events=events,
    )


def check_rectified(state: SpotCheckState, rectified: Rectified) -> None:
    require_regulator(rectified.actor, subject_of(state).county_code, "spot check")
    require(
        progress_of(state).rectifying,
        Conflict("no rectification of this report awaits", code="spot_check.no_rectification"),
    )


def confirm_rectified(draft: SpotCheckState, rectified: Rectified, ctx: Context) -> SpotCheckChange:
    progress_of(draft).rectified_at = ctx.now
    resource = spot_check_resource(subject_of(draft).project_id)
    return SpotCheckChange(
        kind="spot_check.rectified",
        summary="服务报告已整改，监管部门确认",
        actor=rectified.actor,
        reasons=[rectified.notes],
        inbox=done(resource, RECTIFICATION_ITEM, RECTIFICATION_OVERDUE_ITEM),
    )


def settled(state: SpotCheckState) -> bool:
    """Decided, and any rectification ordered confirmed."""
    progress = state.progress
    return progress is not None and progress.verdict is not None and not progress.rectifying


def overdue_at(state: SpotCheckState) -> dt.datetime | None:
    """When the check falls overdue (no verdict by its due date), or its rectification
    does (not confirmed by its deadline); None when neither can happen any more."""
    if state.subject is None or state.progress is None:
        return None
    progress = state.progress
    if progress.verdict is None:
        return None if progress.overdue else state.subject.due_at
    if progress.rectifying and not progress.rectification_overdue:
        return progress.rectification_due_at
    return None


def fall_overdue(draft: SpotCheckState) -> SpotCheckChange:
    subject, progress = subject_of(draft), progress_of(draft)
    resource = spot_check_resource(subject.project_id)
    if progress.verdict is not None:
        progress.rectification_overdue = True
        return SpotCheckChange(
            kind="spot_check.rectification_overdue",
            summary="整改期限已过，未确认整改",
            inbox=tell(
                resource,
                RECTIFICATION_OVERDUE_ITEM,
                Addressee.county(subject.county_code),
                f"抽查整改逾期：{subject.agency_name} → {subject.enterprise_name}",
            ),
        )
    progress.overdue = True
    return SpotCheckChange(
        kind="spot_check.overdue",
        summary="抽查逾期未作结论，已报市应急管理局",
        inbox=tell(
            resource,
            OVERDUE_ITEM,
            Addressee.city(),
            f"抽查逾期未结：{subject.agency_name} → {subject.enterprise_name}",
        ),
    )
