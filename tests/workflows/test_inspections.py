"""The quarterly full-coverage inspection (issue 12, point 2; R7, R14) on the time-skipping
server: a task for every agency active in the county, out-of-town ones serving it too; an
inspection with its decisions; a rectification re-checked; the uninspected sent to the city
at the quarter's end; the campaign closed once everything is done."""

import datetime as dt
from typing import Any

from sqlalchemy import Engine
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.settings import Settings
from agencyflow.domain.credit import CreditGrade, RecordedKind
from agencyflow.domain.inspections import (
    Checklist,
    InspectionDecisions,
    InspectionTarget,
    InterviewDecision,
    RectificationOrder,
    quarter_bounds,
    quarter_of,
)
from agencyflow.files import FileStore
from agencyflow.store import agencies, inspections
from agencyflow.store import credit as credit_store
from agencyflow.workflows.agency.credit import referral_resource
from agencyflow.workflows.agency.models import Decision
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from agencyflow.workflows.inspection.models import (
    CampaignInput,
    Inspection,
    QuarterInput,
    Recheck,
    campaign_workflow_id,
    task_resource,
)
from agencyflow.workflows.inspection.quarter import InspectionQuarterWorkflow
from agencyflow.workflows.inspection.workflow import InspectionCampaignWorkflow
from tests.factories import agency_snapshot, facts, fresh_agency, project_request, uscc
from tests.histories import keep_history
from tests.reading import open_items_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import CITY, COUNTY, OTHER_COUNTY, Agencies
from tests.workflows.project_helpers import Projects
from tests.workflows.temporal_helpers import refusal, server_today

HERE = "331102"
THERE = "331121"


def checklist(**failed: bool) -> Checklist:
    answers = dict.fromkeys(Checklist.model_fields, True)
    answers.update(failed)
    return Checklist.model_validate(answers)


def target(number: int, *, out_of_town: bool = False) -> InspectionTarget:
    return InspectionTarget(
        agency_uscc=uscc(number),
        agency_name=f"丽水安全技术服务有限公司{number}",
        out_of_town=out_of_town,
    )


async def _admitted(drive: Agencies, number: int, county: str = HERE, first: int = 1) -> None:
    application = facts(number, registered_county_code=county, first_professional=first)
    handle, _ = await drive.submit(application)
    regulator = COUNTY if county == HERE else OTHER_COUNTY
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=regulator))


async def test_a_quarter_covers_every_active_agency_and_sends_the_uninspected_to_the_city(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    ours, visiting, waiting = fresh_agency(), fresh_agency(), fresh_agency()
    await _admitted(agencies_, ours)
    await _admitted(agencies_, visiting, THERE, first=10)
    await agencies_.submit(
        facts(waiting, first_professional=20)
    )  # not admitted: nothing to inspect
    projects = Projects(
        agencies_.client, settings.temporal_task_queue, FileStore(settings.files_dir), engine
    )
    await projects.create(agency_snapshot(visiting), project_request(county=HERE))

    today = await server_today(time_skipping_env)
    quarter = quarter_of(today)
    opened = await time_skipping_env.client.execute_workflow(
        InspectionQuarterWorkflow.run,
        QuarterInput(deployment=settings.temporal_task_queue, quarter=quarter),
        id=f"quarter-{quarter}-{ours}",
        task_queue=settings.temporal_task_queue,
    )
    assert (
        campaign_workflow_id(settings.temporal_task_queue, HERE, quarter) in opened
        and len(opened) == 10
    )
    await eventually(lambda: inspections.campaign(engine, HERE, quarter) is not None)
    await eventually(lambda: inspections.campaign(engine, THERE, quarter) is not None)

    _, here = inspections.search(
        engine, county_code=HERE, quarter=quarter, agency_uscc=None, status=None, limit=50, offset=0
    )
    assert {(v.task.agency_uscc, v.task.out_of_town) for v in here} == {
        (uscc(ours), False),
        (uscc(visiting), True),
    }
    _, there = inspections.search(
        engine,
        county_code=THERE,
        quarter=quarter,
        agency_uscc=None,
        status=None,
        limit=50,
        offset=0,
    )
    assert [(v.task.agency_uscc, v.task.out_of_town) for v in there] == [(uscc(visiting), False)]
    _, ends_at = quarter_bounds(quarter)
    due = open_items_of(engine, task_resource(HERE, quarter, uscc(ours)))["inspection.due"]
    assert (due.role, due.scope_id, due.due_at) == ("county_regulator", HERE, ends_at)

    # A second run for the same quarter opens nothing more.
    again = await time_skipping_env.client.execute_workflow(
        InspectionQuarterWorkflow.run,
        QuarterInput(deployment=settings.temporal_task_queue, quarter=quarter),
        id=f"quarter-again-{quarter}-{ours}",
        task_queue=settings.temporal_task_queue,
    )
    assert again == []

    campaign = time_skipping_env.client.get_workflow_handle_for(
        InspectionCampaignWorkflow.run,
        campaign_workflow_id(settings.temporal_task_queue, HERE, quarter),
    )
    # Read again: while the quarter's workflows ran, the server may have skipped ahead to a
    # timer of theirs, past midnight in China, and a deadline must lie after its today.
    today = await server_today(time_skipping_env)
    found = Inspection(
        actor=COUNTY,
        target=target(ours),
        inspected_on=today,
        checklist=checklist(archives=False, quality_control=False),
        findings="档案缺失三份，质量控制记录未签字",
        decisions=InspectionDecisions(
            rectification=RectificationOrder(
                deadline=today + dt.timedelta(days=1), requirements="补齐档案，完善质控签字"
            ),
            interview=InterviewDecision.INTERVIEW,
            credit=[RecordedKind.WORK_BEYOND_SCOPE],
        ),
    )
    elsewhere = await refusal(
        campaign.execute_update(
            InspectionCampaignWorkflow.inspect, found.model_copy(update={"actor": OTHER_COUNTY})
        )
    )
    assert elsewhere.type == "Forbidden"
    unfounded_veto = found.model_copy(
        update={"decisions": InspectionDecisions(credit=[RecordedKind.AFFILIATION])}
    )
    veto = await refusal(
        campaign.execute_update(InspectionCampaignWorkflow.inspect, unfounded_veto)
    )
    assert veto.type == "RuleViolations"
    assert "decisions.credit.0" in str(veto.details)

    await campaign.execute_update(InspectionCampaignWorkflow.inspect, found)
    twice = await refusal(campaign.execute_update(InspectionCampaignWorkflow.inspect, found))
    assert twice.type == "Conflict"
    items = open_items_of(engine, task_resource(HERE, quarter, uscc(ours)))
    assert "inspection.due" not in items and "inspection.recheck" in items
    (event,) = credit_store.of_agency(engine, uscc(ours))
    assert (event.kind, event.points) == ("work_beyond_scope", 10)
    await eventually(lambda: agencies.get(engine, uscc(ours)).credit_score == 90)  # type: ignore[union-attr]

    # The rectification's deadline passes without a re-check: the city is told.
    await time_skipping_env.sleep(dt.timedelta(days=2))
    await eventually(
        lambda: (
            "inspection.rectification_overdue"
            in open_items_of(engine, task_resource(HERE, quarter, uscc(ours)))
        )
    )
    await campaign.execute_update(
        InspectionCampaignWorkflow.recheck,
        Recheck(
            actor=COUNTY,
            agency_uscc=uscc(ours),
            rechecked_on=await server_today(time_skipping_env),
            conforming=True,
            notes="已补齐",
        ),
    )
    assert open_items_of(engine, task_resource(HERE, quarter, uscc(ours))) == {}

    # The quarter ends with the visiting agency uninspected: the city is told.
    left = ends_at - await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(max(left, dt.timedelta(0)) + dt.timedelta(hours=1))
    resource = task_resource(HERE, quarter, uscc(visiting))
    await eventually(lambda: "inspection.uninspected" in open_items_of(engine, resource))
    item = open_items_of(engine, resource)["inspection.uninspected"]
    assert (item.role, item.scope_id) == ("city_regulator", "331100")
    [coverage] = inspections.coverage(engine, county_code=HERE, quarter=quarter)
    assert (coverage.planned, coverage.done, coverage.overdue) == (2, 1, 1)

    # Inspected late: the city's item closes, and with everything done the campaign ends.
    await campaign.execute_update(
        InspectionCampaignWorkflow.inspect,
        Inspection(
            actor=CITY,
            target=target(visiting, out_of_town=True),
            inspected_on=await server_today(time_skipping_env),
            checklist=checklist(),
            findings="未发现问题",
        ),
    )
    assert open_items_of(engine, resource) == {}
    await campaign.result()
    [coverage] = inspections.coverage(engine, county_code=HERE, quarter=quarter)
    assert (coverage.planned, coverage.done, coverage.overdue, coverage.ended) == (2, 2, 0, True)
    view = inspections.get(engine, HERE, quarter, uscc(visiting))
    assert view is not None and view.task.result is not None and view.task.result.late
    await keep_history(time_skipping_env.client, campaign.id, "quarter")
    await keep_history(time_skipping_env.client, f"quarter-{quarter}-{ours}", "opened")


async def test_a_veto_found_on_inspection_refers_the_agency_to_the_city(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    number = fresh_agency()
    await _admitted(agencies_, number)
    quarter = quarter_of(await server_today(time_skipping_env))
    campaign = await time_skipping_env.client.start_workflow(
        InspectionCampaignWorkflow.run,
        CampaignInput(county_code=HERE, quarter=quarter),
        id=campaign_workflow_id(settings.temporal_task_queue, HERE, quarter),
        task_queue=settings.temporal_task_queue,
    )
    await eventually(lambda: inspections.campaign(engine, HERE, quarter) is not None)
    await campaign.execute_update(
        InspectionCampaignWorkflow.inspect,
        Inspection(
            actor=COUNTY,
            target=target(number),
            inspected_on=await server_today(time_skipping_env),
            checklist=checklist(no_affiliation=False),
            findings="两名专职人员社保由他处缴纳，实为挂靠",
            decisions=InspectionDecisions(credit=[RecordedKind.AFFILIATION]),
        ),
    )
    (event,) = credit_store.of_agency(engine, uscc(number))
    assert (event.kind, event.points) == ("affiliation", 0)
    referral = referral_resource(uscc(number), f"{HERE}-{quarter}")
    await eventually(lambda: "credit.untrustworthy_referral" in open_items_of(engine, referral))
    agency = agencies.get(engine, uscc(number))
    assert agency is not None and agency.credit_grade is CreditGrade.D
    assert [r.kind for r in agency.referrals] == ["affiliation"]


async def test_a_campaign_continued_as_new_keeps_its_tasks_and_its_quarter_end(
    agencies_: Agencies, settings: Settings, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    first, second = fresh_agency(), fresh_agency()
    await _admitted(agencies_, first)
    await _admitted(agencies_, second, first=10)
    quarter = quarter_of(await server_today(time_skipping_env))
    campaign = await time_skipping_env.client.start_workflow(
        InspectionCampaignWorkflow.run,
        CampaignInput(county_code=HERE, quarter=quarter, limits=HistoryLimits(max_events=10)),
        id=campaign_workflow_id(settings.temporal_task_queue, HERE, quarter),
        task_queue=settings.temporal_task_queue,
    )
    await eventually(lambda: inspections.campaign(engine, HERE, quarter) is not None)
    first_run = (await campaign.describe()).run_id
    inspection = Inspection(
        actor=COUNTY,
        target=target(first),
        inspected_on=await server_today(time_skipping_env),
        checklist=checklist(),
        findings="未发现问题",
    )
    await campaign.execute_update(InspectionCampaignWorkflow.inspect, inspection, id="first")
    await eventually(lambda: _run_changed(campaign, first_run))
    # The same update again is answered, not acted on; the inspection is still recorded.
    await campaign.execute_update(InspectionCampaignWorkflow.inspect, inspection, id="first")
    again = await refusal(campaign.execute_update(InspectionCampaignWorkflow.inspect, inspection))
    assert again.type == "Conflict"

    _, ends_at = quarter_bounds(quarter)
    left = ends_at - await time_skipping_env.get_current_time()
    await time_skipping_env.sleep(left + dt.timedelta(hours=1))
    resource = task_resource(HERE, quarter, uscc(second))
    await eventually(lambda: "inspection.uninspected" in open_items_of(engine, resource))
    assert open_items_of(engine, task_resource(HERE, quarter, uscc(first))) == {}


async def _run_changed(campaign: WorkflowHandle[Any, Any], run_id: str | None) -> bool:
    return (await campaign.describe()).run_id != run_id
