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
from agencyflow.workflows.project import clock, report
from agencyflow.workflows.project.models import ProjectState, ReportUpload
from agencyflow.workflows.steps import Context
from tests.factories import project_request
from tests.workflows.agency_helpers import agency_actor

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


def _at(moment: dt.datetime) -> Context:
    return Context(now=moment, policy=Policy())


def _take(state: ProjectState, at: dt.datetime) -> str | None:
    change = clock.take_due(state, _at(at))
    return change.kind if change else None


def test_reminders_at_20_and_27_days_then_overdue_at_30() -> None:
    state = _reporting()
    start = DUE - dt.timedelta(days=30)
    assert clock.next_due(state, _at(start)) == start + dt.timedelta(days=20)
    assert _take(state, start + dt.timedelta(days=19)) is None
    assert _take(state, start + dt.timedelta(days=20)) == "report.reminded"
    assert clock.next_due(state, _at(start)) == start + dt.timedelta(days=27)
    assert _take(state, start + dt.timedelta(days=27)) == "report.reminded"
    assert state.reminders_sent == [0, 1]
    assert _take(state, DUE) == "report.overdue"
    assert state.progress is not None and state.progress.overdue
    # Now it waits for the agency, and for the moment the lateness turns serious.
    assert clock.next_due(state, _at(DUE)) == DUE + dt.timedelta(days=60)


def test_an_uploaded_report_waits_for_its_receipt_before_the_window_closes_it() -> None:
    state, policy = _reporting(), Policy()
    uploaded = DUE - dt.timedelta(days=5)
    assert state.progress is not None
    state.progress.report = SubmittedReport(file=REPORT, uploaded_at=uploaded)
    state.progress.spot_check_window_ends_at = uploaded + policy.spot_check_window
    # Awaiting the receipt: the admin's alert is what comes next, not the closure.
    assert clock.next_due(state, _at(uploaded)) == uploaded + dt.timedelta(hours=6)
    assert _take(state, uploaded + dt.timedelta(days=40)) == "report.handoff_failing"
    assert _take(state, uploaded + dt.timedelta(days=41)) is None
    state.progress.report.receipt_number = "ZJ-1"
    assert clock.next_due(state, _at(uploaded)) == uploaded + dt.timedelta(days=30)
    assert _take(state, uploaded + dt.timedelta(days=41)) == "project.closed"
    assert state.progress.closed_at is not None
    assert clock.next_due(state, _at(uploaded)) is None


def _upload(state: ProjectState, at: dt.datetime) -> list[tuple[str, int | None]]:
    upload = ReportUpload(actor=agency_actor(1), file=REPORT)
    change = report.upload_report(state, upload, _at(at))
    return [(event.kind, event.points) for event in change.credit_events]


def _reminded() -> ProjectState:
    state = _reporting()
    state.reminders_sent = [0, 1]
    return state


def _overdue() -> ProjectState:
    state = _reminded()
    assert _take(state, DUE) == "report.overdue"
    return state


def test_a_late_report_is_one_credit_event_settled_when_it_arrives() -> None:
    state = _reminded()
    change = clock.take_due(state, _at(DUE))
    assert change is not None and change.kind == "report.overdue"
    assert change.credit_events == []  # the overdue moment deducts nothing by itself
    assert _upload(state, DUE + dt.timedelta(days=10)) == [("report.late", 2)]


def test_a_report_arriving_60_days_late_costs_the_larger_deduction() -> None:
    assert _upload(_overdue(), DUE + dt.timedelta(days=61)) == [("report.late", 5)]


def test_a_report_on_time_costs_nothing() -> None:
    assert _upload(_reporting(), DUE - dt.timedelta(days=1)) == []


def test_a_report_settled_as_seriously_late_is_not_settled_again_on_upload() -> None:
    state = _overdue()
    assert _take(state, DUE + dt.timedelta(days=60)) == "report.seriously_late"
    assert clock.next_due(state, _at(DUE + dt.timedelta(days=60))) is None
    assert _upload(state, DUE + dt.timedelta(days=70)) == []


def test_a_run_started_before_the_change_keeps_its_timers() -> None:
    state = _overdue()
    before = Context(now=DUE, policy=Policy(), changes=frozenset())
    assert clock.next_due(state, before) is None  # no serious-lateness timer in its history
