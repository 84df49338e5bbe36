"""What the test drivers of each workflow share: the client, the task queue and the read
model, and the one call that starts a workflow with its first update, as the API makes it."""

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy


class Driver:
    def __init__(self, client: Client, task_queue: str, engine: Engine) -> None:
        self.client = client
        self.task_queue = task_queue
        self.engine = engine

    async def start_with(
        self, run: Any, input: BaseModel, workflow_id: str, update: Any, command: BaseModel
    ) -> Any:
        """The workflow's handle, started (or found running) by its first update."""
        start = WithStartWorkflowOperation(
            run,
            input,
            id=workflow_id,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=self.task_queue,
        )
        await self.client.execute_update_with_start_workflow(
            update, command, start_workflow_operation=start
        )
        return await start.workflow_handle()
