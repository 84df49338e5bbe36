"""ServiceProjectWorkflow on the time-skipping server: contract to closure (R3, R4, R6, R10)."""

import datetime as dt

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencyStatus
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.project import FailureReason, ProjectStage, SpotCheckVerdict
from agencyflow.store import projects as project_store
from agencyflow.workflows.project.models import (
    FilingDecision,
    PlanSubmission,
    Refiling,
    ReportUpload,
    SpotCheckDecision,
    SpotCheckOpening,
)
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import agency_snapshot, project_request
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import CITY, COUNTY, OTHER_COUNTY, agency_actor
from tests.workflows.project_helpers import (
    Handle,
    Projects,
    credit_kinds,
    open_items,
    timeline_kinds,
)
from tests.workflows.temporal_helpers import refusal, server_today

AGENCY = 1
SECOND_COUNTY_OFFICER = Actor(
    user_id=5, name="莲都区应急管理局二科", role=Role.COUNTY_REGULATOR, county_code="331102"
)


async def test_on_time_path_closes_after_the_spot_check_window(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, created = await projects.create(agency, project_request())
    pid = created.project_id
    assert created.stage is ProjectStage.FILING
    assert [s.name for s in created.notification.staff] == ["专业人员1", "专业人员2"]
    assert set(open_items(engine, pid)) == {"filing.review", "plan.submit"}
    assert open_items(engine, pid)["filing.review"].scope_id == "331102"

    await handle.execute_update(
        ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=COUNTY)
    )
    planned = await projects.step(
        handle,
        ServiceProjectWorkflow.submit_plan,
        PlanSubmission(actor=agency_actor(AGENCY), summary="方案"),
    )
    assert planned.stage is ProjectStage.IN_SERVICE
    assert open_items(engine, pid) == {}
    await projects.visit(handle, agency, "inspection")
    today = await server_today(time_skipping_env)
    ended = await projects.end(handle, agency, today)
    assert ended.stage is ProjectStage.REPORTING
    # Declared on its own day, the 30 days still run from the end of that day.
    assert ended.report_due_at == dt.datetime.combine(
        today + dt.timedelta(days=1), dt.time(), CHINA_TZ
    ) + dt.timedelta(days=30)
    assert open_items(engine, pid)["report.upload"].due_at == ended.report_due_at

    await time_skipping_env.sleep(dt.timedelta(days=5))
    uploaded = await projects.step(
        handle,
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    assert uploaded.stage is ProjectStage.SPOT_CHECK
    assert uploaded.report is not None and uploaded.report.days_late == 0
    assert open_items(engine, pid) == {}
    await eventually(lambda: projects.received(handle))
    assert (projects.snapshot(handle).report.receipt_number or "").startswith("ZJAQ-")  # type: ignore[union-attr]

    await time_skipping_env.sleep(dt.timedelta(days=31))
    await handle.result()
    closed = project_store.get(engine, pid)
    assert closed is not None and closed.stage is ProjectStage.CLOSED
    assert timeline_kinds(engine, pid) == [
        "project.created",
        "filing.acknowledged",
        "plan.submitted",
        "visit.recorded",
        "service.ended",
        "report.uploaded",
        "report.received",
        "project.closed",
    ]
    assert credit_kinds(engine) == []
    await keep_history(projects.client, handle.id, "on-time")


async def test_late_path_reminds_at_20_and_27_and_is_overdue_at_30(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    today = await server_today(time_skipping_env)
    # Ended three days ago: the 30 days run from the end of that day.
    handle, ended = await projects.ended(
        agency_snapshot(AGENCY), today - dt.timedelta(days=5), today - dt.timedelta(days=3)
    )
    pid = ended.project_id
    due = ended.report_due_at
    assert due == dt.datetime.combine(
        today - dt.timedelta(days=2), dt.time(), CHINA_TZ
    ) + dt.timedelta(days=30)
    now = await time_skipping_env.get_current_time()

    await time_skipping_env.sleep(due - dt.timedelta(days=10) - now + dt.timedelta(minutes=1))
    await eventually(lambda: "report.reminder.1" in open_items(engine, pid))
    assert "report.reminder.2" not in open_items(engine, pid)
    await time_skipping_env.sleep(dt.timedelta(days=7))
    await eventually(lambda: "report.reminder.2" in open_items(engine, pid))
    assert "report.overdue" not in open_items(engine, pid)
    await time_skipping_env.sleep(dt.timedelta(days=3))
    await eventually(lambda: "report.overdue" in open_items(engine, pid))
    overdue = open_items(engine, pid)["report.overdue"]
    assert (overdue.role, overdue.scope_id) == ("county_regulator", "331102")
    assert credit_kinds(engine) == []  # settled once, when the report arrives
    snapshot = project_store.get(engine, pid)
    assert snapshot is not None and snapshot.report_overdue
    _, listed = project_store.search(
        engine, overdue=True, county_code="331102", limit=500, offset=0
    )
    assert pid in {head.project_id for head in listed}

    await time_skipping_env.sleep(dt.timedelta(days=5))
    late = await projects.step(
        handle,
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    assert late.report is not None and late.report.days_late == 6
    assert credit_kinds(engine) == [("report.late", 2, {"days_late": 6})]
    assert open_items(engine, pid) == {}
    # Uploaded, it no longer counts among the overdue reports; its lateness stays recorded.
    uploaded = project_store.get(engine, pid)
    assert uploaded is not None and uploaded.overdue and not uploaded.report_overdue
    _, listed = project_store.search(
        engine, overdue=True, county_code="331102", limit=500, offset=0
    )
    assert pid not in {head.project_id for head in listed}
    assert pid in {h.project_id for h in project_store.search(engine, limit=500, offset=0)[1]}
    assert "report.overdue" in timeline_kinds(engine, pid)
    await keep_history(projects.client, handle.id, "late-with-reminders")


async def test_a_report_missing_60_days_past_its_deadline_costs_the_larger_deduction_once(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    today = await server_today(time_skipping_env)
    handle, ended = await projects.ended(agency_snapshot(AGENCY), today, today)
    pid = ended.project_id
    serious = ended.report_due_at + Policy().report_late_serious_after
    now = await time_skipping_env.get_current_time()

    await time_skipping_env.sleep(serious - now - dt.timedelta(hours=1))
    await eventually(lambda: "report.overdue" in timeline_kinds(engine, pid))
    assert credit_kinds(engine) == []
    await time_skipping_env.sleep(dt.timedelta(hours=2))
    await eventually(lambda: "report.seriously_late" in timeline_kinds(engine, pid))
    assert credit_kinds(engine) == [("report.late", 5, {"days_late": 60})]

    await time_skipping_env.sleep(dt.timedelta(days=3))
    late = await projects.step(
        handle,
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    assert late.report is not None and late.report.days_late == 64  # 63 days and an hour
    assert credit_kinds(engine) == [("report.late", 5, {"days_late": 60})]
    await keep_history(projects.client, handle.id, "seriously-late")


async def test_filing_returned_then_refiled_then_acknowledged(
    projects: Projects, engine: Engine
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, created = await projects.create(agency, project_request())
    pid = created.project_id
    no_reason = await refusal(
        handle.execute_update(ServiceProjectWorkflow.return_filing, FilingDecision(actor=COUNTY))
    )
    assert no_reason.type == "RuleViolations"
    returned = await projects.step(
        handle,
        ServiceProjectWorkflow.return_filing,
        FilingDecision(actor=COUNTY, reasons=["服务人员名单与实际不符"]),
    )
    assert returned.filing_status.value == "returned"
    assert set(open_items(engine, pid)) == {"filing.correct", "plan.submit"}

    refiled = await projects.step(
        handle,
        ServiceProjectWorkflow.refile,
        Refiling(actor=agency_actor(AGENCY), agency=agency, team=["p1", "p3"], note="更正人员"),
    )
    assert refiled.notification.revision == 2
    assert [s.professional_id for s in refiled.notification.staff] == ["p1", "p3"]
    assert set(open_items(engine, pid)) == {"filing.review", "plan.submit"}
    acknowledged = await projects.step(
        handle, ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=COUNTY)
    )
    assert acknowledged.filing_status.value == "acknowledged"
    await keep_history(projects.client, handle.id, "filing-returned-refiled")


async def test_unacknowledged_filing_escalates_to_the_city(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle, created = await projects.create(agency_snapshot(AGENCY), project_request())
    assert created.filing_due_at is not None
    await time_skipping_env.sleep(
        created.filing_due_at - await time_skipping_env.get_current_time() + dt.timedelta(minutes=1)
    )
    await eventually(lambda: "filing.escalated" in open_items(engine, created.project_id))
    escalated = open_items(engine, created.project_id)["filing.escalated"]
    assert escalated.scope_kind == "city"
    await handle.execute_update(
        ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=CITY)
    )
    assert set(open_items(engine, created.project_id)) == {"plan.submit"}
    await keep_history(projects.client, handle.id, "filing-escalated")


async def test_consulting_cannot_end_without_system_inspection_training_and_drill(
    projects: Projects, time_skipping_env: WorkflowEnvironment
) -> None:
    agency = agency_snapshot(AGENCY)
    request = project_request(service_type="safety_management_consulting")
    handle, _ = await projects.in_service(agency, request)
    await projects.visit(handle, agency, "inspection", "re_inspection")
    today = await server_today(time_skipping_env)
    error = await refusal(projects.end(handle, agency, today))
    [violation] = error.details[0]["violations"]
    assert violation["code"] == "project.consulting_incomplete"
    for missing in ("安全管理体系建设", "安全培训", "应急演练"):
        assert missing in violation["message"]
    assert "全面检查" not in violation["message"]

    await projects.visit(handle, agency, "system_building", "training")
    await projects.visit(handle, agency, "emergency_drill")
    ended = await projects.end(handle, agency, today)
    assert ended.stage is ProjectStage.REPORTING
    await keep_history(projects.client, handle.id, "consulting-completed")


async def _reported(
    projects: Projects, time_skipping_env: WorkflowEnvironment, policy: Policy | None = None
):  # type: ignore[no-untyped-def]
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.in_service(agency, project_request(), policy=policy)
    await projects.visit(handle, agency)
    await projects.end(handle, agency, await server_today(time_skipping_env))
    await handle.execute_update(
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    await eventually(lambda: projects.received(handle))
    return handle, projects.snapshot(handle)


async def _in_spot_check(
    projects: Projects, time_skipping_env: WorkflowEnvironment, policy: Policy | None = None
) -> Handle:
    """A reported project whose report the county has opened a spot check of."""
    handle, _ = await _reported(projects, time_skipping_env, policy)
    await handle.execute_update(
        ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=COUNTY)
    )
    return handle


async def test_spot_check_pass_closes_the_project(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle, snapshot = await _reported(projects, time_skipping_env)
    outside = await refusal(
        handle.execute_update(
            ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=OTHER_COUNTY)
        )
    )
    assert outside.type == "Forbidden"
    await handle.execute_update(
        ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=COUNTY)
    )
    twice = await refusal(
        handle.execute_update(
            ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=COUNTY)
        )
    )
    assert twice.type == "Conflict"
    closed = await projects.step(
        handle,
        ServiceProjectWorkflow.decide_spot_check,
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.PASS),
    )
    assert closed.stage is ProjectStage.CLOSED
    assert closed.spot_check is not None and closed.spot_check.verdict is SpotCheckVerdict.PASS
    await handle.result()
    assert credit_kinds(engine) == []


async def test_spot_check_fail_records_a_credit_event_and_needs_reasons_and_points(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await _in_spot_check(projects, time_skipping_env)
    reasons = [FailureReason.PAPERWORK_ONLY]
    for wrong in (
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.FAIL, points=5),
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.FAIL, reasons=reasons),
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.FAIL, reasons=reasons, points=4),
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.FAIL, reasons=reasons, points=11),
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.PASS, points=5),
    ):
        refused = await refusal(
            handle.execute_update(ServiceProjectWorkflow.decide_spot_check, wrong)
        )
        assert refused.type == "RuleViolations"
    failed = await projects.step(
        handle,
        ServiceProjectWorkflow.decide_spot_check,
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.FAIL, reasons=reasons, points=8),
    )
    assert failed.stage is ProjectStage.CLOSED
    # Attributed to the team, who signed the report: it counts against their stars.
    failed = {"reasons": ["paperwork_only"], "professionals": ["p1", "p2"]}
    assert credit_kinds(engine) == [("spot_check.failed", 8, failed)]
    await keep_history(projects.client, handle.id, "spot-check-failed")


async def test_four_eyes_needs_a_second_regulator_for_the_verdict(
    projects: Projects, time_skipping_env: WorkflowEnvironment
) -> None:
    handle = await _in_spot_check(projects, time_skipping_env, Policy(spot_check_four_eyes=True))
    same = await refusal(
        handle.execute_update(
            ServiceProjectWorkflow.decide_spot_check,
            SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.PASS),
        )
    )
    assert same.details[0]["code"] == "spot_check.four_eyes"
    decided = await projects.step(
        handle,
        ServiceProjectWorkflow.decide_spot_check,
        SpotCheckDecision(actor=SECOND_COUNTY_OFFICER, verdict=SpotCheckVerdict.PASS),
    )
    assert decided.stage is ProjectStage.CLOSED


async def test_steps_out_of_order_are_refused_naming_the_stage(
    projects: Projects, time_skipping_env: WorkflowEnvironment
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.create(agency, project_request())
    cause = await refusal(projects.visit(handle, agency))
    assert (cause.type, cause.details[0]["code"]) == ("Conflict", "project.out_of_order")
    assert "执业告知" in str(cause)
    early_report = await refusal(
        handle.execute_update(
            ServiceProjectWorkflow.upload_report,
            ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
        )
    )
    assert early_report.details[0]["code"] == "project.out_of_order"
    await handle.execute_update(
        ServiceProjectWorkflow.acknowledge_filing, FilingDecision(actor=COUNTY)
    )
    no_plan = await refusal(projects.visit(handle, agency))
    assert "服务方案" in str(no_plan)


async def test_the_same_contract_again_is_the_same_project_and_other_terms_conflict(
    projects: Projects,
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, first = await projects.create(agency, project_request())
    again_handle, again = await projects.create(agency, project_request())
    assert again.project_id == first.project_id
    assert again_handle.id == handle.id
    other_terms = await refusal(projects.create(agency, project_request(fee_yuan=99999)))
    assert other_terms.details[0]["code"] == "project.contract_number_taken"


async def test_a_suspended_agency_starts_no_project(projects: Projects) -> None:
    agency = agency_snapshot(AGENCY, status=AgencyStatus.SUSPENDED)
    error = await refusal(projects.create(agency, project_request()))
    assert error.details[0]["code"] == "agency.cannot_start_projects"
