"""What routes that send commands to workflows share: their dependencies and one send."""

from typing import Any

from fastapi import Request

from agencyflow.api.deps import EngineDep, SettingsDep, TemporalDep
from agencyflow.api.temporal_errors import execute_update, update_id
from agencyflow.domain.identity import Actor


class Commands:
    """A route's request, database, settings and Temporal client, as one dependency."""

    def __init__(
        self, request: Request, engine: EngineDep, settings: SettingsDep, temporal: TemporalDep
    ) -> None:
        self.request = request
        self.engine = engine
        self.settings = settings
        self.temporal = temporal

    async def send(self, workflow_id: str, update: Any, arg: Any, actor: Actor) -> Any:
        """Run the update on the workflow; the same request again is not acted on twice."""
        handle = self.temporal.get_workflow_handle(workflow_id)
        return await execute_update(
            handle, update, arg, update_id=update_id(self.request, actor, arg)
        )

    def workflow_url(self, workflow_id: str) -> str:
        """The workflow's page in the Temporal UI."""
        settings = self.settings
        return (
            f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
            f"/workflows/{workflow_id}"
        )
