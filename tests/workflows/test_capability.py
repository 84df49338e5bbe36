"""CapabilityTestWorkflow (R12): a session opened by a regulator of its county, results
recorded once per person, a close that warns each agency with failures publicly and ends
the workflow."""

import datetime as dt

from sqlalchemy import Engine

from agencyflow.domain.capability import ExamLevel, ExamResult, ExamSession
from agencyflow.store import capability
from agencyflow.workflows.capability.models import (
    CapabilityInput,
    ResultBatch,
    SessionClosing,
    SessionOpening,
    capability_resource,
    capability_workflow_id,
)
from agencyflow.workflows.capability.workflow import CapabilityTestWorkflow
from tests.factories import uscc
from tests.histories import keep_history
from tests.reading import open_items_of, timeline_kinds_of
from tests.workflows.agency_helpers import CITY, COUNTY, OTHER_COUNTY
from tests.workflows.driver import Driver
from tests.workflows.project_helpers import Projects
from tests.workflows.temporal_helpers import refusal

SESSION = ExamSession(
    session_id="LD-2026-1",
    held_on=dt.date(2026, 11, 20),
    level=ExamLevel.INTERMEDIATE,
    bank_edition="浙江省2026版",
    county_code="331102",
)


def _result(agency: int, pid: str, score: float, passed: bool) -> ExamResult:
    return ExamResult(agency_uscc=uscc(agency), professional_id=pid, score=score, passed=passed)


async def test_a_session_records_each_result_once_and_warns_at_its_close(
    projects: Projects, engine: Engine
) -> None:
    drive = Driver(projects.client, projects.task_queue, engine)
    handle = await drive.start_with(
        CapabilityTestWorkflow.run,
        CapabilityInput(session_id=SESSION.session_id),
        capability_workflow_id(SESSION.session_id),
        CapabilityTestWorkflow.open,
        SessionOpening(actor=COUNTY, session=SESSION),
    )
    again = SessionOpening(actor=COUNTY, session=SESSION)
    exists = await refusal(handle.execute_update(CapabilityTestWorkflow.open, again))
    assert exists.details[0]["code"] == "capability.session_exists"

    first = [_result(1, "p1", 92, True), _result(1, "p2", 41, False), _result(2, "p1", 55, False)]
    stranger = ResultBatch(actor=OTHER_COUNTY, results=first)
    out = await refusal(handle.execute_update(CapabilityTestWorkflow.record_results, stranger))
    assert out.details[0]["code"] == "auth.out_of_scope"
    await handle.execute_update(
        CapabilityTestWorkflow.record_results, ResultBatch(actor=COUNTY, results=first)
    )
    told = open_items_of(engine, capability_resource(SESSION.session_id))["capability.failed"]
    assert told.role == "agency"

    # The same results again are taken once; another result for the same person is refused.
    again_batch = ResultBatch(actor=CITY, results=[*first, _result(3, "p1", 70, True)])
    await handle.execute_update(CapabilityTestWorkflow.record_results, again_batch)
    changed = ResultBatch(actor=COUNTY, results=[_result(1, "p2", 61, True)])
    refused = await refusal(handle.execute_update(CapabilityTestWorkflow.record_results, changed))
    assert refused.details[0]["code"] == "capability.result_recorded"
    found = capability.get(engine, SESSION.session_id)
    assert found is not None and len(found[1]) == 4

    await handle.execute_update(CapabilityTestWorkflow.close, SessionClosing(actor=COUNTY))
    await handle.result()  # closed: the workflow has ended
    total, warnings = capability.warnings(engine, 10, 0)
    assert (total, sorted((w.agency_uscc, w.failed) for w in warnings)) == (
        2,
        [(uscc(1), 1), (uscc(2), 1)],
    )
    assert timeline_kinds_of(engine, capability_resource(SESSION.session_id)) == [
        "capability.opened",
        "capability.results_recorded",
        "capability.results_recorded",
        "capability.closed",
    ]
    await keep_history(projects.client, handle.id, "session-recorded-and-closed")


async def test_a_county_opens_sessions_of_its_own_county_only(
    projects: Projects, engine: Engine
) -> None:
    drive = Driver(projects.client, projects.task_queue, engine)
    elsewhere = SESSION.model_copy(update={"session_id": "QT-2026-1", "county_code": "331121"})
    attempt = drive.start_with(
        CapabilityTestWorkflow.run,
        CapabilityInput(session_id=elsewhere.session_id),
        capability_workflow_id(elsewhere.session_id),
        CapabilityTestWorkflow.open,
        SessionOpening(actor=COUNTY, session=elsewhere),
    )
    refused = await refusal(attempt)
    assert refused.details[0]["code"] == "auth.out_of_scope"
    assert capability.get(engine, elsewhere.session_id) is None
