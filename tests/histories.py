"""Recorded workflow histories: the workflow tests keep them, the replay test replays them.

Run the workflow tests with ``AGENCYFLOW_RECORD_HISTORIES=1`` to write (or rewrite) the
histories under ``tests/replay/``; see the README on changing a running workflow.
"""

import json
import os
from pathlib import Path

from temporalio.client import Client

REPLAY_DIR = Path(__file__).parent / "replay"


def recording() -> bool:
    return os.environ.get("AGENCYFLOW_RECORD_HISTORIES") == "1"


async def keep_history(client: Client, workflow_id: str, name: str) -> None:
    """Write every run of the workflow (runs continued as new included) under ``name``."""
    if not recording():
        return
    runs = [await client.get_workflow_handle(workflow_id).fetch_history()]
    while True:
        started = runs[0].events[0].workflow_execution_started_event_attributes
        if not started.continued_execution_run_id:
            break
        earlier = client.get_workflow_handle(workflow_id, run_id=started.continued_execution_run_id)
        runs.insert(0, await earlier.fetch_history())
    workflow_type = runs[0].events[0].workflow_execution_started_event_attributes.workflow_type.name
    folder = REPLAY_DIR / workflow_type
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob(f"{name}.run*.json"):
        path.unlink()
    for number, history in enumerate(runs, start=1):
        document = {"workflow_id": workflow_id, "history": json.loads(history.to_json())}
        path = folder / f"{name}.run{number}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
