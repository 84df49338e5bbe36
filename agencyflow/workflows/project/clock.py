"""What time does to a project: the filing review's escalation, the report's reminders and
deadline, a hand-off that takes too long, and closure after the spot-check window."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.project import FilingStatus, ProjectProgress
from agencyflow.workflows.steps import Context

from . import filing, report, spot_check
from .models import ProjectChange, ProjectState

WINDOW_ENDED = "抽查期届满未被抽查，项目归档"


def _reminders(progress: ProjectProgress, policy: Policy) -> list[tuple[int, dt.datetime]]:
    assert progress.report_due_at is not None
    start = progress.report_due_at - policy.report_deadline
    return [(i, start + offset) for i, offset in enumerate(policy.report_reminders)]


def _filing_due(progress: ProjectProgress) -> dt.datetime | None:
    if progress.filing_status is FilingStatus.PENDING and not progress.filing_escalated:
        return progress.filing_due_at
    return None


def _handoff_alert_due(progress: ProjectProgress, policy: Policy) -> dt.datetime | None:
    uploaded = progress.report
    if uploaded is None or not uploaded.awaiting_receipt or progress.handoff_failing:
        return None
    return uploaded.uploaded_at + policy.platform_handoff_alert_after


def _window_closure_due(progress: ProjectProgress) -> dt.datetime | None:
    uploaded = progress.report
    if uploaded is None or uploaded.awaiting_receipt or progress.closed_at is not None:
        return None
    if progress.spot_check is not None:
        return None
    return progress.spot_check_window_ends_at


def next_due(state: ProjectState, ctx: Context) -> dt.datetime | None:
    """When time next changes something for this project; None: only people will."""
    progress, policy, now = state.progress, ctx.policy, ctx.now
    if progress is None or progress.closed_at is not None:
        return None
    due = [
        _filing_due(progress),
        report.serious_lateness_due(progress, ctx),
        _handoff_alert_due(progress, policy),
        _window_closure_due(progress),
        now if spot_check.closure_due(state) else None,
    ]
    if progress.report is None and progress.report_due_at is not None:
        due += [at for i, at in _reminders(progress, policy) if i not in state.reminders_sent]
        if not progress.overdue:
            due.append(progress.report_due_at)
    return min((at for at in due if at is not None), default=None)


def take_due(draft: ProjectState, ctx: Context) -> ProjectChange | None:
    """The first step that is due now, taken on the draft; None if nothing is."""
    progress = draft.progress
    if progress is None or progress.closed_at is not None:
        return None
    now, policy = ctx.now, ctx.policy
    filing_due = _filing_due(progress)
    if filing_due is not None and now >= filing_due:
        return filing.escalate(draft, ctx)
    if progress.report is None and progress.report_due_at is not None:
        for index, at in _reminders(progress, policy):
            if index not in draft.reminders_sent and now >= at:
                return report.remind(draft, index, ctx)
        if not progress.overdue and now >= progress.report_due_at:
            return report.overdue(draft, ctx)
        serious_due = report.serious_lateness_due(progress, ctx)
        if serious_due is not None and now >= serious_due:
            return report.seriously_late(draft, ctx)
    alert_due = _handoff_alert_due(progress, policy)
    if alert_due is not None and now >= alert_due:
        return report.handoff_failing(draft, ctx)
    why = spot_check.closure_due(draft)
    window_due = _window_closure_due(progress)
    if why is None and window_due is not None and now >= window_due:
        why = WINDOW_ENDED
    if why is not None:
        return spot_check.close(draft, why, ctx)
    return None
