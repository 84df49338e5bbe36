"""Spot checks as their own workflow (issue 12, point 1) on the time-skipping server: the
half year's sample opens a check per drawn report, which falls overdue to the city, and is
examined and decided under four eyes, a failure deducting the points chosen."""

import datetime as dt
from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.domain.project import FailureReason, SpotCheckVerdict
from agencyflow.domain.spot_checks import SpotCheckOrigin, subject_of_project
from agencyflow.files import FileStore
from agencyflow.store import projects as project_store
from agencyflow.store import spot_checks
from agencyflow.worker import build_worker
from agencyflow.workflows.project.models import ReportUpload
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from agencyflow.workflows.spot_check.models import (
    Examination,
    Rectified,
    SamplingInput,
    SpotCheckInput,
    SpotCheckOpening,
    Verdict,
    spot_check_resource,
    spot_check_workflow_id,
)
from agencyflow.workflows.spot_check.sampling import SpotCheckSamplingWorkflow, last_half_year
from agencyflow.workflows.spot_check.workflow import SpotCheckWorkflow
from tests.factories import agency_snapshot, project_request
from tests.histories import keep_history
from tests.reading import open_items_of, timeline_kinds_of
from tests.waiting import eventually
from tests.workflows.agency_helpers import COUNTY, OTHER_COUNTY, agency_actor
from tests.workflows.project_helpers import Projects, credit_kinds
from tests.workflows.temporal_helpers import refusal, server_today
from tests.workflows.test_project import SECOND_COUNTY_OFFICER

AGENCY = 1


@pytest_asyncio.fixture
async def four_eyes(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[Projects]:
    """Projects and spot checks under a policy that wants four eyes on a verdict."""
    policy = settings.policy.model_copy(update={"spot_check_four_eyes": True})
    strict = settings.model_copy(update={"policy": policy})
    async with build_worker(time_skipping_env.client, strict, engine):
        yield Projects(
            time_skipping_env.client,
            strict.temporal_task_queue,
            FileStore(strict.files_dir),
            engine,
        )


async def _reported(projects: Projects, env: WorkflowEnvironment, contract: str) -> str:
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.in_service(agency, project_request(contract_number=contract))
    await projects.visit(handle, agency)
    await projects.end(handle, agency, await server_today(env))
    await handle.execute_update(
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    await eventually(lambda: projects.received(handle))
    return handle.id.removeprefix("project-")


async def test_a_half_years_sample_is_opened_falls_overdue_and_is_decided_under_four_eyes(
    four_eyes: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    reported = [await _reported(four_eyes, time_skipping_env, f"S-{n}") for n in range(3)]
    today = await server_today(time_skipping_env)
    period = f"{today.year}H{1 if today.month < 7 else 2}"

    sampling = await time_skipping_env.client.start_workflow(
        SpotCheckSamplingWorkflow.run,
        SamplingInput(period=period),
        id=f"sampling-{period}-{reported[0]}",
        task_queue=four_eyes.task_queue,
    )
    opened = await sampling.result()
    assert opened and set(opened) <= set(reported)  # one agency: at least one of its reports
    pid = opened[0]
    await eventually(lambda: spot_checks.get(engine, pid) is not None)
    [coverage] = spot_checks.coverage(engine, county_code="331102", period=period)
    assert (coverage.drawn, coverage.decided, coverage.overdue) == (len(opened), 0, 0)
    item = open_items_of(engine, spot_check_resource(pid))["spot_check.verdict"]
    assert (item.role, item.scope_id) == ("county_regulator", "331102")

    # A second run for the same half year opens nothing more.
    again = await time_skipping_env.client.execute_workflow(
        SpotCheckSamplingWorkflow.run,
        SamplingInput(period=period),
        id=f"sampling-again-{period}-{reported[0]}",
        task_queue=four_eyes.task_queue,
    )
    assert again == []

    # Undecided past its due date (60 days): the city is told.
    await time_skipping_env.sleep(dt.timedelta(days=61))
    await eventually(
        lambda: "spot_check.overdue" in open_items_of(engine, spot_check_resource(pid))
    )
    check = four_eyes.client.get_workflow_handle_for(
        SpotCheckWorkflow.run, spot_check_workflow_id(pid)
    )
    assert spot_checks.get(engine, pid).progress.overdue  # type: ignore[union-attr]

    elsewhere = await refusal(
        check.execute_update(
            SpotCheckWorkflow.examine, Examination(actor=OTHER_COUNTY, findings="x")
        )
    )
    assert elsewhere.type == "Forbidden"
    unexamined = await refusal(
        check.execute_update(
            SpotCheckWorkflow.decide, Verdict(actor=COUNTY, verdict=SpotCheckVerdict.PASS)
        )
    )
    assert unexamined.type == "Conflict"
    await check.execute_update(
        SpotCheckWorkflow.examine,
        Examination(actor=COUNTY, findings="隐患描述与现场照片不符，整改建议照搬模板"),
    )
    by_examiner = await refusal(
        check.execute_update(
            SpotCheckWorkflow.decide,
            Verdict(
                actor=COUNTY, verdict=SpotCheckVerdict.FAIL, reasons=[FailureReason.FALSE], points=8
            ),
        )
    )
    assert by_examiner.type == "Forbidden"
    no_reasons = await refusal(
        check.execute_update(
            SpotCheckWorkflow.decide,
            Verdict(actor=SECOND_COUNTY_OFFICER, verdict=SpotCheckVerdict.FAIL, points=8),
        )
    )
    assert no_reasons.type == "RuleViolations"
    await check.execute_update(
        SpotCheckWorkflow.decide,
        Verdict(
            actor=SECOND_COUNTY_OFFICER,
            verdict=SpotCheckVerdict.FAIL,
            reasons=[FailureReason.SERIOUSLY_INACCURATE],
            points=8,
        ),
    )
    await check.result()  # the check ends with its verdict
    decided = spot_checks.get(engine, pid)
    assert decided is not None and decided.progress.verdict is SpotCheckVerdict.FAIL
    assert open_items_of(engine, spot_check_resource(pid)) == {}
    assert credit_kinds(engine) == [
        (
            "spot_check.failed",
            8,
            {"reasons": ["seriously_inaccurate"], "professionals": ["p1", "p2"]},
        )
    ]
    assert timeline_kinds_of(engine, spot_check_resource(pid)) == [
        "spot_check.opened",
        "spot_check.overdue",
        "spot_check.examined",
        "spot_check.decided",
    ]
    [coverage] = spot_checks.coverage(engine, county_code="331102", period=period)
    assert (coverage.decided, coverage.overdue) == (1, 0)
    await keep_history(four_eyes.client, check.id, "sampled-overdue-failed")
    await keep_history(four_eyes.client, sampling.id, "sampled-half-year")


def test_the_half_year_sampled_is_the_one_just_ended() -> None:
    assert last_half_year(2027, 1) == "2026H2"
    assert last_half_year(2026, 7) == "2026H1"
    assert last_half_year(2026, 12) == "2026H1"


async def test_a_check_added_by_hand_orders_a_rectification_that_falls_overdue(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment, settings: Settings
) -> None:
    pid = await _reported(projects, time_skipping_env, "S-HAND")
    head = project_store.head(engine, pid)
    assert head is not None
    now = await time_skipping_env.get_current_time()
    subject = subject_of_project(head, SpotCheckOrigin.MANUAL, now + dt.timedelta(days=60))
    check = await projects.start_with(
        SpotCheckWorkflow.run,
        SpotCheckInput(project_id=pid, policy=settings.policy),
        spot_check_workflow_id(pid),
        SpotCheckWorkflow.open,
        SpotCheckOpening(actor=COUNTY, subject=subject),
    )
    await check.execute_update(
        SpotCheckWorkflow.examine, Examination(actor=COUNTY, findings="报告照搬模板")
    )
    today = await server_today(time_skipping_env)
    unfounded = await refusal(
        check.execute_update(
            SpotCheckWorkflow.decide,
            Verdict(
                actor=COUNTY,
                verdict=SpotCheckVerdict.FAIL,
                reasons=[FailureReason.PAPERWORK_ONLY],
                points=5,
                rectify_by=today,
                refer=True,
            ),
        )
    )
    assert unfounded.type == "RuleViolations"
    said = str(unfounded.details)
    assert "spot_check.rectification" in said and "spot_check.referral_unfounded" in said
    await check.execute_update(
        SpotCheckWorkflow.decide,
        Verdict(
            actor=COUNTY,
            verdict=SpotCheckVerdict.FAIL,
            reasons=[FailureReason.PAPERWORK_ONLY],
            points=5,
            rectify_by=today + dt.timedelta(days=1),
        ),
    )
    item = open_items_of(engine, spot_check_resource(pid))["spot_check.rectification"]
    assert (item.role, item.scope_id) == ("agency", head.agency_uscc)

    await time_skipping_env.sleep(dt.timedelta(days=3))
    await eventually(
        lambda: (
            "spot_check.rectification_overdue" in open_items_of(engine, spot_check_resource(pid))
        )
    )
    await check.execute_update(
        SpotCheckWorkflow.confirm_rectified, Rectified(actor=COUNTY, notes="已重新出具报告")
    )
    await check.result()  # settled: decided, and the rectification confirmed
    assert open_items_of(engine, spot_check_resource(pid)) == {}
    assert timeline_kinds_of(engine, spot_check_resource(pid)) == [
        "spot_check.opened",
        "spot_check.examined",
        "spot_check.decided",
        "spot_check.rectification_overdue",
        "spot_check.rectified",
    ]
    await keep_history(projects.client, check.id, "manual-rectification-overdue")
