"""Every recorded history replays on today's workflow code (DESIGN: versioned from day one).

A change that running workflows would see fails here until it is guarded by
``workflow.patched`` (see the README: "Changing a running workflow").
"""

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowHistory

from agencyflow.worker import WORKFLOWS, build_replayer
from tests.histories import REPLAY_DIR

HISTORIES = sorted(REPLAY_DIR.glob("*/*.json"))


def test_every_workflow_type_has_recorded_histories() -> None:
    recorded = {path.parent.name for path in HISTORIES}
    assert recorded == {workflow.__name__ for workflow in WORKFLOWS}


def test_histories_include_runs_continued_as_new() -> None:
    continued = {path.parent.name for path in HISTORIES if ".run2." in path.name}
    assert {"ServiceProjectWorkflow", "HazardWorkflow", "AgencyWorkflow"} <= continued


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


@pytest.mark.parametrize(
    "document",
    [_load(path) for path in HISTORIES],
    ids=[f"{path.parent.name}/{path.stem}" for path in HISTORIES],
)
async def test_recorded_history_replays(document: dict[str, Any]) -> None:
    history = WorkflowHistory.from_json(document["workflow_id"], document["history"])
    result = await build_replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, result.replay_failure
