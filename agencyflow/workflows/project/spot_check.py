"""The regulator's spot check of the report (R10, R14), and the project's closure."""

from agencyflow.domain.errors import Conflict, Forbidden, RuleViolations
from agencyflow.domain.project import ProjectStage, SpotCheck, SpotCheckVerdict
from agencyflow.domain.spot_checks import missing_reasons, wrong_points
from agencyflow.workflows.steps import Context, credit_event, require

from .checks import check_regulator, progress_of, require_stage
from .models import (
    ProjectChange,
    ProjectState,
    SpotCheckDecision,
    SpotCheckOpening,
    project_resource,
)
from .report import awaiting_receipt


def check_open(state: ProjectState, opening: SpotCheckOpening) -> None:
    check_regulator(state, opening.actor)
    require_stage(state, ProjectStage.SPOT_CHECK, "open a spot check")
    # The regulator checks the report the platform holds: one the platform may still
    # refuse (and the agency replace) is not yet the project's report.
    require(
        not awaiting_receipt(state),
        Conflict(
            "the report has not yet reached the provincial platform; spot-check it once it has",
            code="spot_check.awaiting_receipt",
        ),
    )
    require(
        progress_of(state).spot_check is None,
        Conflict("the report is already being spot-checked", code="spot_check.already_open"),
    )


def open_check(draft: ProjectState, opening: SpotCheckOpening, ctx: Context) -> ProjectChange:
    actor = opening.actor
    progress_of(draft).spot_check = SpotCheck(
        opened_by_user_id=actor.user_id, opened_by=actor.label, opened_at=ctx.now
    )
    return ProjectChange(kind="spot_check.opened", summary="监管部门抽查服务报告", actor=actor)


def check_points(decision: SpotCheckDecision, ctx: Context) -> None:
    """The points deducted, within the policy's range. Checked before the decision is
    accepted (not on replay: decisions recorded before this check replay unchanged)."""
    deductions = ctx.policy.credit_deductions
    low, high = deductions.spot_check_failed_min, deductions.spot_check_failed_max
    if wrong := wrong_points(decision.verdict, decision.points, low, high):
        raise RuleViolations([wrong])


def check_decision(state: ProjectState, decision: SpotCheckDecision, ctx: Context) -> None:
    check_regulator(state, decision.actor)
    progress = progress_of(state)
    check = progress.spot_check
    require(
        check is not None and check.verdict is None and progress.closed_at is None,
        Conflict("no spot check is awaiting a verdict", code="spot_check.not_open"),
    )
    assert check is not None
    if ctx.policy.spot_check_four_eyes:
        require(
            decision.actor.user_id != check.opened_by_user_id,
            Forbidden(
                "four-eyes rule: the verdict must come from another regulator than the one "
                "who opened the spot check",
                code="spot_check.four_eyes",
            ),
        )
    if missing := missing_reasons(decision.verdict, decision.reasons):
        raise RuleViolations([missing])


def decide(draft: ProjectState, decision: SpotCheckDecision, ctx: Context) -> ProjectChange:
    """The verdict; the project closes right after (see `closure_due`)."""
    check = progress_of(draft).spot_check
    assert check is not None
    check.verdict = decision.verdict
    check.reasons = list(decision.reasons)
    check.notes = decision.notes
    check.decided_by = decision.actor.label
    check.decided_at = ctx.now
    failed = decision.verdict is SpotCheckVerdict.FAIL
    resource = project_resource(draft.project_id)
    return ProjectChange(
        kind="spot_check.decided",
        summary=f"抽查结论：{decision.verdict.label}"
        + ("（" + "、".join(r.label for r in decision.reasons) + "）" if failed else ""),
        actor=decision.actor,
        reasons=[decision.notes] if decision.notes else [],
        credit_events=[
            credit_event(
                draft.agency_uscc,
                f"{resource}#spot_check",
                "spot_check.failed",
                ctx.now,
                {
                    "reasons": [r.value for r in decision.reasons],
                    # The team signed the report: the failure counts against their stars.
                    "professionals": list(draft.request.team) if draft.request else [],
                },
                points=decision.points,
            )
        ]
        if failed
        else [],
    )


def closure_due(state: ProjectState) -> str | None:
    """Why the project may close now, if it may: a verdict, or a window that ended unchecked.

    A project whose report the platform has not yet received stays open until it has.
    """
    progress = state.progress
    if progress is None or progress.closed_at is not None or progress.report is None:
        return None
    if progress.report.awaiting_receipt:
        return None
    check = progress.spot_check
    if check is not None and check.verdict is not None:
        return f"抽查结论为{check.verdict.label}，项目归档"
    return None


def close(draft: ProjectState, why: str, ctx: Context) -> ProjectChange:
    progress_of(draft).closed_at = ctx.now
    return ProjectChange(kind="project.closed", summary=why + "，纳入企业一企一档")
