"""Hazards on the time-skipping server: rectification, long unrectified, major escalation (R5)."""

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.domain.hazard import (
    HazardStatus,
    RectificationEvidence,
    Reinspection,
    ReinspectionOutcome,
)
from agencyflow.domain.identity import Actor, Role
from agencyflow.domain.project import SpotCheckVerdict
from agencyflow.store import hazards as hazard_store
from agencyflow.workflows.hazard.models import (
    Acknowledgement,
    HazardEvidence,
    HazardReinspection,
    HazardVerification,
    Supervision,
    hazard_workflow_id,
)
from agencyflow.workflows.hazard.workflow import HazardWorkflow
from agencyflow.workflows.project.models import (
    ReportUpload,
    SpotCheckDecision,
    SpotCheckOpening,
)
from agencyflow.workflows.project.workflow import ServiceProjectWorkflow
from tests.factories import PHOTO, agency_snapshot, hazard, project_request, uscc
from tests.histories import keep_history
from tests.waiting import eventually
from tests.workflows.agency_helpers import CITY, COUNTY, agency_actor
from tests.workflows.project_helpers import Handle, Projects, hazard_items
from tests.workflows.temporal_helpers import refusal, server_today

AGENCY = 1
ENTERPRISE = 900
OWNER = Actor(user_id=9, name="企业安全员", role=Role.ENTERPRISE, enterprise_uscc=uscc(ENTERPRISE))


async def _found(projects: Projects, **report: Any) -> tuple[str, Handle]:
    """The one hazard (``hazard(**report)``) that a visit of a project in service found."""
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.in_service(agency, project_request(ENTERPRISE))
    visited = await projects.visit(handle, agency, hazards=[hazard(**report)])
    [hazard_id] = visited.visits[0].hazard_ids
    return hazard_id, handle


def _ledger_kinds(hazard_id: str, engine: Engine) -> list[str]:
    return [entry.kind for entry in hazard_store.entries_of(engine, [hazard_id])]


EVIDENCE = RectificationEvidence(
    after_photos=[PHOTO], description="已更换光电保护装置", rectified_on=dt.date(2026, 11, 27)
)


async def test_a_general_hazard_is_rectified_evidenced_and_closed_by_reinspection(
    projects: Projects, engine: Engine
) -> None:
    hazard_id, handle = await _found(projects)
    agency = agency_snapshot(AGENCY)
    record = hazard_store.get(engine, hazard_id)
    assert record is not None and record.status is HazardStatus.OPEN
    rectify = hazard_items(engine, hazard_id)["hazard.rectify"]
    assert (rectify.role, rectify.scope_id) == ("enterprise", uscc(ENTERPRISE))

    await projects.hazard(hazard_id).execute_update(
        HazardWorkflow.submit_evidence,
        HazardEvidence(actor=OWNER, hazard_id=hazard_id, evidence=EVIDENCE),
    )
    assert set(hazard_items(engine, hazard_id)) == {"hazard.reinspect"}
    await projects.visit(
        handle,
        agency,
        "re_inspection",
        reinspections=[{"hazard_id": hazard_id, "outcome": "rectified", "after_photos": [PHOTO]}],
    )
    # The visit tells the hazard's workflow, which records the re-inspection and closes.
    await eventually(lambda: _status(engine, hazard_id) is HazardStatus.CLOSED)
    assert hazard_items(engine, hazard_id) == {}
    assert _ledger_kinds(hazard_id, engine) == ["found", "evidence", "reinspection"]
    await projects.hazard(hazard_id).result()  # its workflow has ended
    state = await handle.query(ServiceProjectWorkflow.state)
    assert not state.hazards[hazard_id].open  # and the project knows
    await keep_history(projects.client, f"hazard-{hazard_id}", "general-rectified")


async def test_a_hazard_closed_outside_a_visit_is_not_reinspected_by_a_later_visit(
    projects: Projects, engine: Engine
) -> None:
    hazard_id, handle = await _found(projects)
    agency = agency_snapshot(AGENCY)
    await projects.hazard(hazard_id).execute_update(
        HazardWorkflow.reinspect,
        HazardReinspection(
            actor=agency_actor(AGENCY),
            reinspection=Reinspection(
                hazard_id=hazard_id, outcome=ReinspectionOutcome.RECTIFIED, after_photos=[PHOTO]
            ),
        ),
    )
    assert _status(engine, hazard_id) is HazardStatus.CLOSED

    async def project_knows() -> bool:
        state = await handle.query(ServiceProjectWorkflow.state)
        return not state.hazards[hazard_id].open

    await eventually(project_knows)
    error = await refusal(
        projects.visit(
            handle,
            agency,
            "re_inspection",
            reinspections=[{"hazard_id": hazard_id, "outcome": "rectified"}],
        )
    )
    assert [v["code"] for v in error.details[0]["violations"]] == ["hazard.closed"]
    assert _ledger_kinds(hazard_id, engine) == ["found", "reinspection"]


async def test_a_hazard_id_already_taken_does_not_fail_the_visit_that_found_it(
    projects: Projects, engine: Engine
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, created = await projects.in_service(agency, project_request(ENTERPRISE))
    taken = f"{created.project_id}-h1"
    # A workflow nobody runs holds the id the visit's hazard would get.
    squatter = await projects.client.start_workflow(
        "Squatter", id=hazard_workflow_id(taken), task_queue="nobody-serves-this"
    )

    visited = await asyncio.wait_for(projects.visit(handle, agency, hazards=[hazard()]), 10)

    assert visited.visits[0].hazard_ids == [taken]
    assert _ledger_kinds(taken, engine) == ["found"]  # recorded with the visit all the same
    await squatter.terminate()


async def test_a_general_hazard_overdue_by_30_days_is_long_unrectified(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    today = await server_today(time_skipping_env)
    hazard_id, _ = await _found(projects, deadline=today + dt.timedelta(days=5))

    await time_skipping_env.sleep(dt.timedelta(days=7))
    await eventually(lambda: _overdue(engine, hazard_id))
    assert "hazard.long_unrectified" not in hazard_items(engine, hazard_id)
    await time_skipping_env.sleep(dt.timedelta(days=30))
    await eventually(lambda: "hazard.long_unrectified" in hazard_items(engine, hazard_id))
    item = hazard_items(engine, hazard_id)["hazard.long_unrectified"]
    assert (item.role, item.scope_id) == ("county_regulator", "331102")
    assert _ledger_kinds(hazard_id, engine) == ["found", "overdue", "long_unrectified"]
    await keep_history(projects.client, f"hazard-{hazard_id}", "long-unrectified-by-time")


def _status(engine: Engine, hazard_id: str) -> HazardStatus | None:
    record = hazard_store.get(engine, hazard_id)
    return record.status if record else None


def _overdue(engine: Engine, hazard_id: str) -> bool:
    record = hazard_store.get(engine, hazard_id)
    return record is not None and record.overdue


async def test_a_general_hazard_open_at_two_consecutive_visits_is_long_unrectified(
    projects: Projects, engine: Engine
) -> None:
    hazard_id, handle = await _found(projects)
    agency = agency_snapshot(AGENCY)
    await projects.visit(
        handle,
        agency,
        "re_inspection",
        reinspections=[{"hazard_id": hazard_id, "outcome": "not_rectified"}],
    )
    await eventually(lambda: _ledger_kinds(hazard_id, engine)[-1:] == ["reinspection"])
    assert "hazard.long_unrectified" not in hazard_items(engine, hazard_id)
    await projects.visit(handle, agency)
    await eventually(lambda: "hazard.long_unrectified" in hazard_items(engine, hazard_id))
    record = hazard_store.get(engine, hazard_id)
    assert record is not None and record.long_unrectified and record.open_at_visits == 2
    assert _ledger_kinds(hazard_id, engine) == [
        "found",
        "reinspection",
        "still_open",
        "long_unrectified",
    ]
    await keep_history(projects.client, f"hazard-{hazard_id}", "long-unrectified-by-visits")


async def test_reinspecting_what_is_not_an_open_general_hazard_is_refused(
    projects: Projects,
) -> None:
    agency = agency_snapshot(AGENCY)
    handle, _ = await projects.in_service(agency, project_request(ENTERPRISE))
    visited = await projects.visit(handle, agency, hazards=[hazard(), hazard(level="major")])
    general, major = visited.visits[0].hazard_ids
    error = await refusal(
        projects.visit(
            handle,
            agency,
            reinspections=[
                {"hazard_id": major, "outcome": "rectified"},
                {"hazard_id": "nope", "outcome": "rectified"},
            ],
        )
    )
    codes = [v["code"] for v in error.details[0]["violations"]]
    assert codes == ["hazard.major_needs_verification", "hazard.unknown"]
    assert general != major


async def _major(projects: Projects) -> tuple[str, Handle]:
    return await _found(projects, level="major", category="dust_explosion")


async def test_a_major_hazard_reaches_the_county_at_once_and_is_acknowledged_in_time(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    hazard_id, _ = await _major(projects)
    notice = hazard_items(engine, hazard_id)["major_hazard.acknowledge"]
    assert (notice.role, notice.scope_id) == ("county_regulator", "331102")
    await time_skipping_env.sleep(dt.timedelta(hours=20))
    acknowledged = await projects.hazard_step(
        hazard_id, HazardWorkflow.acknowledge, Acknowledgement(actor=COUNTY)
    )
    assert acknowledged.major is not None and acknowledged.major.acknowledged_at is not None
    await time_skipping_env.sleep(dt.timedelta(hours=10))
    state = await projects.hazard(hazard_id).query(HazardWorkflow.state)
    assert state.record.major is not None and not state.record.major.escalated
    assert set(hazard_items(engine, hazard_id)) == {"hazard.rectify"}


async def test_an_unacknowledged_major_hazard_escalates_to_the_city(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    hazard_id, _ = await _major(projects)
    await time_skipping_env.sleep(dt.timedelta(hours=23))
    assert "major_hazard.escalated" not in hazard_items(engine, hazard_id)
    await time_skipping_env.sleep(dt.timedelta(hours=2))
    await eventually(lambda: "major_hazard.escalated" in hazard_items(engine, hazard_id))
    assert hazard_items(engine, hazard_id)["major_hazard.escalated"].scope_kind == "city"
    await projects.hazard(hazard_id).execute_update(
        HazardWorkflow.acknowledge, Acknowledgement(actor=CITY)
    )
    assert set(hazard_items(engine, hazard_id)) == {"hazard.rectify"}
    assert _ledger_kinds(hazard_id, engine) == ["found", "escalated", "acknowledged"]
    await keep_history(projects.client, f"hazard-{hazard_id}", "major-escalated")


async def test_verification_rejected_then_accepted_closes_the_major_hazard(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    hazard_id, _ = await _major(projects)
    major = projects.hazard(hazard_id)
    await major.execute_update(HazardWorkflow.acknowledge, Acknowledgement(actor=COUNTY))
    today = await server_today(time_skipping_env)
    await major.execute_update(
        HazardWorkflow.supervise,
        Supervision(actor=COUNTY, deadline=today + dt.timedelta(days=20), notes="挂牌督办"),
    )
    too_early = await refusal(
        major.execute_update(HazardWorkflow.verify, HazardVerification(actor=COUNTY, accepted=True))
    )
    assert too_early.details[0]["code"] == "hazard.no_evidence"

    await major.execute_update(
        HazardWorkflow.submit_evidence,
        HazardEvidence(actor=OWNER, hazard_id=hazard_id, evidence=EVIDENCE),
    )
    assert set(hazard_items(engine, hazard_id)) == {"major_hazard.verify"}
    no_reason = await refusal(
        major.execute_update(
            HazardWorkflow.verify, HazardVerification(actor=COUNTY, accepted=False)
        )
    )
    assert no_reason.type == "RuleViolations"
    rejected = await projects.hazard_step(
        hazard_id,
        HazardWorkflow.verify,
        HazardVerification(actor=COUNTY, accepted=False, reasons=["除尘系统未接地"]),
    )
    assert rejected.status is HazardStatus.OPEN
    assert set(hazard_items(engine, hazard_id)) == {"hazard.rectify"}

    await major.execute_update(
        HazardWorkflow.submit_evidence,
        HazardEvidence(actor=agency_actor(AGENCY), hazard_id=hazard_id, evidence=EVIDENCE),
    )
    accepted = await projects.hazard_step(
        hazard_id, HazardWorkflow.verify, HazardVerification(actor=COUNTY, accepted=True)
    )
    assert accepted.status is HazardStatus.CLOSED
    await major.result()
    assert hazard_items(engine, hazard_id) == {}
    assert _ledger_kinds(hazard_id, engine) == [
        "found",
        "acknowledged",
        "supervised",
        "evidence",
        "verification_rejected",
        "evidence",
        "verified",
    ]
    await keep_history(projects.client, f"hazard-{hazard_id}", "major-verified")


async def test_a_major_hazard_outlives_the_closure_of_its_project(
    projects: Projects, engine: Engine, time_skipping_env: WorkflowEnvironment
) -> None:
    hazard_id, handle = await _major(projects)
    agency = agency_snapshot(AGENCY)
    await projects.end(handle, agency, await server_today(time_skipping_env))
    await handle.execute_update(
        ServiceProjectWorkflow.upload_report,
        ReportUpload(actor=agency_actor(AGENCY), file=projects.report()),
    )
    await eventually(lambda: projects.received(handle))
    await handle.execute_update(
        ServiceProjectWorkflow.open_spot_check, SpotCheckOpening(actor=COUNTY)
    )
    await handle.execute_update(
        ServiceProjectWorkflow.decide_spot_check,
        SpotCheckDecision(actor=COUNTY, verdict=SpotCheckVerdict.PASS),
    )
    await handle.result()  # the project workflow has ended

    major = projects.hazard(hazard_id)
    description = await major.describe()
    assert description.status is not None and description.status.name == "RUNNING"
    await major.execute_update(HazardWorkflow.acknowledge, Acknowledgement(actor=COUNTY))
    await major.execute_update(
        HazardWorkflow.submit_evidence,
        HazardEvidence(actor=OWNER, hazard_id=hazard_id, evidence=EVIDENCE),
    )
    closed = await projects.hazard_step(
        hazard_id, HazardWorkflow.verify, HazardVerification(actor=COUNTY, accepted=True)
    )
    assert closed.status is HazardStatus.CLOSED
    assert [r.hazard_id for r in hazard_store.search(engine, project_id=closed.project_id)] == [
        hazard_id
    ]
    await keep_history(projects.client, handle.id, "major-hazard-found")
