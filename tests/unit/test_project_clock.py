"""What time does to a project, as plain functions over its state (R10)."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.project import (
    ProjectProgress,
    ProjectRequest,
    ProjectStage,
    StoredFile,
    SubmittedReport,
)
from agencyflow.workflows import changes
from agencyflow.workflows.project import clock, report, service
from agencyflow.workflows.project.models import ProjectState, ReportUpload, ServiceEnd
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


def _in_service() -> ProjectState:
    state = _reporting()
    assert state.progress is not None
    state.progress.stage = ProjectStage.IN_SERVICE
    state.progress.service_ended_on = None
    state.progress.report_due_at = None
    return state


def test_the_report_is_due_30_days_after_the_end_of_the_day_the_service_ended() -> None:
    # 1 Nov, China time: declared that morning or the next day, the same deadline, the end
    # of 1 Dec (R10 counts whole days; declaring promptly must not cost the agency hours).
    ended_on = dt.date(2026, 11, 1)
    due = dt.datetime(2026, 12, 2, tzinfo=CHINA_TZ)
    end = ServiceEnd(actor=agency_actor(1), ended_on=ended_on)
    for declared in (
        dt.datetime(2026, 11, 1, 10, tzinfo=CHINA_TZ),
        dt.datetime(2026, 11, 2, 9, tzinfo=CHINA_TZ),
    ):
        state = _in_service()
        change = service.end_service(state, end, _at(declared))
        assert state.progress is not None and state.progress.report_due_at == due, declared
        assert change.inbox.send[0].due_at == due


def test_a_project_started_before_the_change_keeps_its_deadline_from_the_moment_declared() -> None:
    declared = dt.datetime(2026, 11, 1, 10, tzinfo=CHINA_TZ)
    state = _in_service()
    before = Context(
        now=declared, policy=Policy(), changes=changes.ALL - {changes.REPORT_DUE_END_OF_DAY}
    )
    service.end_service(state, ServiceEnd(actor=agency_actor(1), ended_on=declared.date()), before)
    assert state.progress is not None
    assert state.progress.report_due_at == declared + dt.timedelta(days=30)


def test_a_deadline_shorter_than_a_day_runs_from_the_moment_declared() -> None:
    # Only a demo compresses R10's 30 days so; a period in seconds has no days to count.
    declared = dt.datetime(2026, 11, 1, 10, tzinfo=CHINA_TZ)
    state = _in_service()
    policy = Policy(report_deadline=dt.timedelta(seconds=30), report_reminders=())
    end = ServiceEnd(actor=agency_actor(1), ended_on=declared.date())
    service.end_service(state, end, Context(now=declared, policy=policy))
    assert state.progress is not None
    assert state.progress.report_due_at == declared + dt.timedelta(seconds=30)
