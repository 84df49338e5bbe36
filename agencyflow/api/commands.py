"""What routes that send commands to workflows share: their dependencies, one send, and the
scope check of the project or hazard a command is about."""

from typing import Any, TypeVar

from fastapi import Request

from agencyflow.api.deps import EngineDep, SettingsDep, TemporalDep
from agencyflow.api.temporal_errors import execute_update, update_id
from agencyflow.domain.errors import Forbidden, NotFound
from agencyflow.domain.identity import Actor, Located, may_see

L = TypeVar("L", bound=Located)


def in_scope(actor: Actor, found: L | None, what: str, key: str) -> L:
    """The project or hazard read for the caller: 404 if there is none, 403 if the caller's
    scope does not cover it."""
    if found is None:
        raise NotFound(f"no {what} {key}", code=f"{what}.not_found")
    if not may_see(actor, found):
        raise Forbidden(f"the {what} is outside your scope", code="auth.out_of_scope")
    return found


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
            handle,
            update,
            arg,
            update_id=update_id(self.request, actor, arg),
            seconds=self.settings.command_timeout_seconds,
        )

    def workflow_url(self, workflow_id: str) -> str:
        """The workflow's page in the Temporal UI."""
        settings = self.settings
        return (
            f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
            f"/workflows/{workflow_id}"
        )
