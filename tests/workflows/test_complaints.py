"""A complaint's clock (issue 13, begun; R13) on the time-skipping server: the acceptance
deadline, the 60-day investigation with its reminders, one extension of at most 30 days
(a second refused), escalation to the city, and the outcome with its credit event and
reward."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.complaints import (
    ComplaintOutcome,
    ComplaintStage,
    ComplaintSubject,
    Report,
    complaint_resource,
)
from agencyflow.store import complaints
from agencyflow.store import credit as credit_store
from agencyflow.workflows.agency.models import Decision
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from agencyflow.workflows.complaint.models import (
    Acceptance,
    ComplaintInput,
    Extension,
    Merge,
    Outcome,
    Refusal,
    RewardApproval,
    RewardPayment,
    complaint_workflow_id,
)
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow
from agencyflow.workflows.recorder import TIMER_RETRY_AFTER
from tests.factories import facts, fresh_agency, uscc
from tests.histories import keep_history
from tests.reading import open_items_of, timeline_kinds_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import CITY, COUNTY, OTHER_COUNTY, Agencies
from tests.workflows.temporal_helpers import refusal, server_today
from tests.workflows.test_recording import records_failed, unwritable

Handle = WorkflowHandle[ComplaintWorkflow, None]


async def _filed(
    env: WorkflowEnvironment,
    settings: Settings,
    engine: Engine,
    number: int,
    code: str,
    reporter_ref: str = "r-1",
) -> Handle:
    filing = ComplaintSubject(
        code=code,
        agency_uscc=uscc(number),
        agency_name=f"丽水安全技术服务有限公司{number}",
        county_code="331102",
        account="出具的隐患排查报告与现场不符，照片系翻拍",
        reporter_ref=reporter_ref,
        filed_at=await env.get_current_time(),
    )
    handle: Handle = await env.client.start_workflow(
        ComplaintWorkflow.run,
        ComplaintInput(code=code, policy=settings.policy, filing=filing),
        id=complaint_workflow_id(code),
        task_queue=settings.temporal_task_queue,
    )
    await eventually(lambda: complaints.get(engine, code) is not None)
    return handle


def _items(engine: Engine, code: str) -> dict[str, object]:
    return dict(open_items_of(engine, complaint_resource(code)))


async def test_a_complaint_late_at_every_step_is_escalated_extended_once_and_found_true(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    number = fresh_agency()
    agency, _ = await agencies_.submit(facts(number))
    await agency.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    code = f"C{number}"
    handle = await _filed(time_skipping_env, settings, engine, number, code)
    item = open_items_of(engine, complaint_resource(code))["complaint.acceptance"]
    assert (item.role, item.scope_id) == ("county_regulator", "331102")

    # Five working days pass unanswered: the city is told.
    await time_skipping_env.sleep(dt.timedelta(days=10))
    await eventually(lambda: "complaint.acceptance_overdue" in _items(engine, code))
    elsewhere = await refusal(
        handle.execute_update(ComplaintWorkflow.accept, Acceptance(actor=OTHER_COUNTY))
    )
    assert elsewhere.type == "Forbidden"
    await handle.execute_update(ComplaintWorkflow.accept, Acceptance(actor=COUNTY))
    assert set(_items(engine, code)) == {"complaint.investigation"}

    # Reminders at 30 and 50 days; one extension, of at most 30 days.
    await time_skipping_env.sleep(dt.timedelta(days=31))
    await eventually(lambda: "complaint.reminder" in _items(engine, code))
    too_long = await refusal(
        handle.execute_update(
            ComplaintWorkflow.extend, Extension(actor=COUNTY, days=31, reason="需调取省平台数据")
        )
    )
    assert too_long.type == "RuleViolations"
    await handle.execute_update(
        ComplaintWorkflow.extend, Extension(actor=COUNTY, days=30, reason="需调取省平台数据")
    )
    again = await refusal(
        handle.execute_update(
            ComplaintWorkflow.extend, Extension(actor=COUNTY, days=5, reason="再延")
        )
    )
    assert again.type == "Conflict"
    # Past the 60 days but within the extension: nobody is told yet; past 90, the city.
    await time_skipping_env.sleep(dt.timedelta(days=30))
    assert "complaint.investigation_overdue" not in _items(engine, code)
    await time_skipping_env.sleep(dt.timedelta(days=30))
    await eventually(lambda: "complaint.investigation_overdue" in _items(engine, code))

    await handle.execute_update(
        ComplaintWorkflow.decide,
        Outcome(
            actor=CITY,
            outcome=ComplaintOutcome.TRUE,
            findings="现场核实照片系翻拍",
            published="经查属实，已依法处理",
            fine_yuan=Decimal("100000"),
        ),
    )
    shown = complaints.get(engine, code)
    assert shown is not None and shown.progress.stage is ComplaintStage.DECIDED
    assert shown.progress.reward is not None
    assert shown.progress.reward.reward_yuan == Decimal("15000.00")
    assert shown.progress.reward_holder == code
    assert set(_items(engine, code)) == {"complaint.reward"}

    # The reward: approved, then paid; the complaint ends once it is paid.
    unapproved = await refusal(
        handle.execute_update(
            ComplaintWorkflow.pay_reward,
            RewardPayment(actor=CITY, paid_on=await server_today(time_skipping_env)),
        )
    )
    assert unapproved.type == "Conflict"
    await handle.execute_update(ComplaintWorkflow.approve_reward, RewardApproval(actor=CITY))
    # Today in China, as the workflow dates the approval; read after it.
    today = await server_today(time_skipping_env)
    ahead = await refusal(
        handle.execute_update(
            ComplaintWorkflow.pay_reward,
            RewardPayment(actor=CITY, paid_on=today + dt.timedelta(days=2)),
        )
    )
    assert ahead.type == "RuleViolations"
    await handle.execute_update(
        ComplaintWorkflow.pay_reward, RewardPayment(actor=CITY, paid_on=today)
    )
    await handle.result()
    shown = complaints.get(engine, code)
    assert shown is not None and shown.progress.reward_paid_on == today
    assert _items(engine, code) == {}
    [event] = credit_store.of_agency(engine, uscc(number))
    assert (event.kind, event.points) == ("complaint_found_true", 5)
    assert timeline_kinds_of(engine, complaint_resource(code)) == [
        "complaint.filed",
        "complaint.acceptance_overdue",
        "complaint.accepted",
        "complaint.reminded",
        "complaint.extended",
        "complaint.reminded",
        "complaint.investigation_overdue",
        "complaint.decided",
        "complaint.reward_approved",
        "complaint.reward_paid",
    ]
    await keep_history(time_skipping_env.client, handle.id, "late-extended-true-reward-paid")


async def test_a_refused_complaint_is_answered_with_its_reasons(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    code = f"C{fresh_agency()}"
    handle = await _filed(time_skipping_env, settings, engine, 1, code)
    await handle.execute_update(
        ComplaintWorkflow.refuse, Refusal(actor=COUNTY, reasons=["不属于安全生产服务机构"])
    )
    await handle.result()
    shown = complaints.get(engine, code)
    assert shown is not None and shown.progress.stage is ComplaintStage.REFUSED
    assert shown.progress.published == "不予受理：不属于安全生产服务机构"
    assert _items(engine, code) == {}
    await keep_history(time_skipping_env.client, handle.id, "refused")


async def test_a_later_report_merged_in_leaves_the_reward_to_the_first_reporter(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    number = fresh_agency()
    first_code, later_code = f"C{number}A", f"C{number}B"
    first = await _filed(time_skipping_env, settings, engine, number, first_code, "r-first")
    await time_skipping_env.sleep(dt.timedelta(hours=3))
    later = await _filed(time_skipping_env, settings, engine, number, later_code, "r-later")
    await later.execute_update(ComplaintWorkflow.accept, Acceptance(actor=COUNTY))

    # The regulator handles the matter on the later report, and merges the first into it.
    shown = complaints.get(engine, first_code)
    assert shown is not None
    report = Report(
        code=first_code, filed_at=shown.subject.filed_at, reporter_ref=shown.subject.reporter_ref
    )
    elsewhere = await refusal(
        later.execute_update(ComplaintWorkflow.merge, Merge(actor=OTHER_COUNTY, report=report))
    )
    assert elsewhere.type == "Forbidden"
    await later.execute_update(ComplaintWorkflow.merge, Merge(actor=COUNTY, report=report))
    again = await refusal(
        later.execute_update(ComplaintWorkflow.merge, Merge(actor=COUNTY, report=report))
    )
    assert again.type == "Conflict"

    # The merged report closes, its acceptance item withdrawn; its clock stops.
    await first.result()
    merged = complaints.get(engine, first_code)
    assert merged is not None and merged.progress.stage is ComplaintStage.MERGED
    assert merged.progress.merged_into == later_code
    assert _items(engine, first_code) == {}
    await time_skipping_env.sleep(dt.timedelta(days=10))
    assert "complaint.acceptance_overdue" not in _items(engine, first_code)

    await later.execute_update(
        ComplaintWorkflow.decide,
        Outcome(
            actor=COUNTY,
            outcome=ComplaintOutcome.PARTLY_TRUE,
            findings="部分报告未到现场",
            published="经查部分属实",
            fine_yuan=Decimal("4000000"),
        ),
    )
    answered = complaints.get(engine, later_code)
    assert answered is not None and answered.progress.reward is not None
    assert answered.progress.reward_holder == first_code
    assert answered.progress.reward.reward_yuan == Decimal("500000.00")
    assert answered.progress.reward.bound == "max"
    assert timeline_kinds_of(engine, complaint_resource(first_code)) == [
        "complaint.filed",
        "complaint.merged",
    ]
    await keep_history(time_skipping_env.client, first.id, "merged-away")
    await keep_history(time_skipping_env.client, later.id, "merged-in-decided")


async def test_a_merge_whose_record_fails_is_tried_again_though_nothing_else_is_due(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    number = fresh_agency()
    first_code, later_code = f"C{number}A", f"C{number}B"
    first = await _filed(time_skipping_env, settings, engine, number, first_code, "r-first")
    # Its acceptance escalated, the complaint waits for people only: no timer of its own.
    await time_skipping_env.sleep(dt.timedelta(days=10))
    await eventually(lambda: "complaint.acceptance_overdue" in _items(engine, first_code))

    with unwritable(engine, "timeline_event"):
        await first.signal(ComplaintWorkflow.merged_into, later_code)
        # Taken at once and once more straight after; both given up after their retries.
        await eventually(lambda: _at_least(first, 2), within=120)
        merging = complaints.get(engine, first_code)
        assert merging is not None and merging.progress.stage is ComplaintStage.FILED

    await time_skipping_env.sleep(TIMER_RETRY_AFTER * 2)
    await eventually(
        lambda: (
            (shown := complaints.get(engine, first_code)) is not None
            and shown.progress.stage is ComplaintStage.MERGED
        )
    )
    await first.result()
    assert timeline_kinds_of(engine, complaint_resource(first_code)) == [
        "complaint.filed",
        "complaint.acceptance_overdue",
        "complaint.merged",
    ]
    assert _items(engine, first_code) == {}
    await keep_history(time_skipping_env.client, first.id, "merged-after-failed-records")


async def _at_least(handle: Handle, failures: int) -> bool:
    return await records_failed(handle) >= failures
