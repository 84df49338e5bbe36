"""What time does to a project, as plain functions over its state (R10)."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.project import (
    ProjectProgress,
    ProjectRequest,
    ProjectStage,
    StoredFile,
    SubmittedReport,
)
from agencyflow.workflows.project import clock
from agencyflow.workflows.project.models import ProjectState
from agencyflow.workflows.steps import Context
from tests.factories import project_request

DUE = dt.datetime(2026, 12, 31, 16, tzinfo=dt.UTC)
REPORT = StoredFile(sha256="c" * 64, size=10, filename="r.pdf", content_type="application/pdf")


def _reporting() -> ProjectState:
    return ProjectState(
        project_id="P",
        agency_uscc="A",
        agency_name="机构",
        request=ProjectRequest.model_validate(project_request()),
        progress=ProjectProgress(
            stage=ProjectStage.REPORTING,
            updated_at=DUE - dt.timedelta(days=30),
            service_ended_on=dt.date(2026, 12, 1),
            report_due_at=DUE,
        ),
    )


def _take(state: ProjectState, at: dt.datetime) -> str | None:
    change = clock.take_due(state, Context(now=at, policy=Policy()))
    return change.kind if change else None


def test_reminders_at_20_and_27_days_then_overdue_at_30() -> None:
    state, policy = _reporting(), Policy()
    start = DUE - dt.timedelta(days=30)
    assert clock.next_due(state, policy, start) == start + dt.timedelta(days=20)
    assert _take(state, start + dt.timedelta(days=19)) is None
    assert _take(state, start + dt.timedelta(days=20)) == "report.reminded"
    assert clock.next_due(state, policy, start) == start + dt.timedelta(days=27)
    assert _take(state, start + dt.timedelta(days=27)) == "report.reminded"
    assert state.reminders_sent == [0, 1]
    assert _take(state, DUE) == "report.overdue"
    assert state.progress is not None and state.progress.overdue
    assert clock.next_due(state, policy, DUE) is None  # now it waits for the agency


def test_an_uploaded_report_waits_for_its_receipt_before_the_window_closes_it() -> None:
    state, policy = _reporting(), Policy()
    uploaded = DUE - dt.timedelta(days=5)
    assert state.progress is not None
    state.progress.report = SubmittedReport(file=REPORT, uploaded_at=uploaded)
    state.progress.spot_check_window_ends_at = uploaded + policy.spot_check_window
    # Awaiting the receipt: the admin's alert is what comes next, not the closure.
    assert clock.next_due(state, policy, uploaded) == uploaded + dt.timedelta(hours=6)
    assert _take(state, uploaded + dt.timedelta(days=40)) == "report.handoff_failing"
    assert _take(state, uploaded + dt.timedelta(days=41)) is None
    state.progress.report.receipt_number = "ZJ-1"
    assert clock.next_due(state, policy, uploaded) == uploaded + dt.timedelta(days=30)
    assert _take(state, uploaded + dt.timedelta(days=41)) == "project.closed"
    assert state.progress.closed_at is not None
    assert clock.next_due(state, policy, uploaded) is None
