"""A project's history stays small however long it runs (DESIGN: workflows that last for years).

Each step's record carries what the step changed, never the project so far, and the
project continues as new as its history grows; so the 40th visit costs what the first did.
"""

from sqlalchemy import Engine

from agencyflow.domain.hazard import HazardStatus
from agencyflow.store import hazards as hazard_store
from tests.waiting import eventually
from tests.workflows.history_size import measure, play
from tests.workflows.project_helpers import Projects

MB = 1_000_000
OPEN = HazardStatus.OPEN


async def test_forty_visits_of_five_hazards_keep_every_history_small(
    projects: Projects, engine: Engine
) -> None:
    handle = await play(projects, visits=40, hazards_per_visit=5)
    sizes = await measure(projects.client, handle.id)
    assert len(sizes.visits) == 40
    assert sizes.visits[-1] <= 2 * sizes.visits[0]
    assert max(sizes.runs) < 2 * MB
    snapshot = projects.snapshot(handle)
    assert len(snapshot.visits) == 40
    found = hazard_store.search(engine, project_id=snapshot.project_id)
    assert len(found) == 200

    def still_open() -> int:
        return len(hazard_store.search(engine, project_id=snapshot.project_id, status=OPEN))

    await eventually(lambda: still_open() == 5)  # each visit closed what the one before found
