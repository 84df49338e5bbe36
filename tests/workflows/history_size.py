"""How large a project's history grows: one project played visit by visit, then measured.

Shared by the test that holds the limits and by ``bench/history.py``, which prints them.
"""

import datetime as dt
from dataclasses import dataclass

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from agencyflow.domain.calendar import CHINA_TZ
from tests.factories import agency_snapshot, hazard, project_request
from tests.workflows.project_helpers import Handle, Projects

TEXT = "二号车间冲压机光电保护装置失效，未设置防护罩，操作人员未佩戴防护用品。" * 4
"""About 160 characters: a hazard described as an agency really writes it."""


@dataclass
class HistorySizes:
    visits: list[int]
    """The largest single event recorded for each visit, in bytes."""
    runs: list[int]
    """Each run's whole history, in bytes (the project continues as new when it grows)."""

    @property
    def total(self) -> int:
        return sum(self.runs)


async def play(
    projects: Projects, visits: int, hazards_per_visit: int, *, left_open: bool = False
) -> Handle:
    """One project with ``visits`` visits of ``hazards_per_visit`` hazards each. Each visit
    re-inspects what the one before found (rectified), as agencies do; ``left_open``: none
    is ever rectified, so every visit tells every hazard so far (the worst case)."""
    agency = agency_snapshot(1)
    handle, _ = await projects.in_service(agency, project_request())
    today = dt.datetime.now(CHINA_TZ).date()
    previous: list[str] = []
    for _ in range(visits):
        found = [
            hazard(location=f"车间{n}", description=TEXT, suggestion=TEXT)
            for n in range(hazards_per_visit)
        ]
        rectified = (
            []
            if left_open
            else [{"hazard_id": hazard_id, "outcome": "rectified"} for hazard_id in previous]
        )
        visited = await projects.visit(
            handle, agency, on=today, hazards=found, reinspections=rectified
        )
        previous = visited.visits[-1].hazard_ids
    return handle


async def _runs(client: Client, workflow_id: str) -> list[list[HistoryEvent]]:
    runs = [list((await client.get_workflow_handle(workflow_id).fetch_history()).events)]
    while True:
        started = runs[0][0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            return runs
        earlier = client.get_workflow_handle(workflow_id, run_id=started.continued_execution_run_id)
        runs.insert(0, list((await earlier.fetch_history()).events))


async def measure(client: Client, workflow_id: str) -> HistorySizes:
    """The largest event of each ``record_visit`` update, and each run's size."""
    runs = await _runs(client, workflow_id)
    visits: list[int] = []
    for events in runs:
        open_visit: str | None = None
        for event in events:
            if event.HasField("workflow_execution_update_accepted_event_attributes"):
                accepted = event.workflow_execution_update_accepted_event_attributes
                name = accepted.accepted_request.input.name
                open_visit = accepted.protocol_instance_id if name == "record_visit" else None
                if open_visit:
                    visits.append(0)
            if open_visit:
                visits[-1] = max(visits[-1], event.ByteSize())
            if event.HasField("workflow_execution_update_completed_event_attributes"):
                open_visit = None
    return HistorySizes(visits=visits, runs=[sum(e.ByteSize() for e in run) for run in runs])
