"""What routes that send commands to workflows share: their dependencies, one send, and the
scope check of the project or hazard a command is about."""

from typing import Annotated, Any, TypeVar

from fastapi import Header, Request
from temporalio.client import WithStartWorkflowOperation, WorkflowUpdateFailedError

from agencyflow.api.deps import EngineDep, SettingsDep, TemporalDep
from agencyflow.api.temporal_errors import (
    IDEMPOTENCY_KEY,
    execute_update,
    reaching_temporal,
    translated,
    update_id,
)
from agencyflow.domain.errors import AgencyflowError, Forbidden, NotFound
from agencyflow.domain.identity import Actor, Located, Role, may_see

L = TypeVar("L", bound=Located)


def in_scope(actor: Actor, found: L | None, what: str, key: str) -> L:
    """The project or hazard read for the caller, or the error `unseen` gives."""
    if found is None or not may_see(actor, found):
        raise unseen(actor, what, key, missing=found is None)
    return found


def unseen(actor: Actor, what: str, key: str, *, missing: bool) -> AgencyflowError:
    """Why the caller gets nothing. A caller confined to one agency, county or enterprise
    hears the same 403 for what is outside its scope and for what does not exist, so that
    asking cannot tell it which agencies, projects or hazards exist elsewhere; only a caller
    who would see the thing if it existed hears that it does not (404)."""
    if missing and _would_see(actor, key):
        return NotFound(f"no {what} {key}", code=f"{what}.not_found")
    return Forbidden(f"the {what} is outside your scope", code="auth.out_of_scope")


def _would_see(actor: Actor, key: str) -> bool:
    if actor.role in (Role.CITY_REGULATOR, Role.ADMIN):
        return True
    # Agencies', projects' and hazards' keys begin with the agency's USCC.
    return actor.agency_uscc is not None and key.startswith(actor.agency_uscc)


class Commands:
    """A route's request, database, settings and Temporal client, as one dependency."""

    def __init__(
        self,
        request: Request,
        engine: EngineDep,
        settings: SettingsDep,
        temporal: TemporalDep,
        idempotency_key: Annotated[
            str | None,
            Header(
                alias=IDEMPOTENCY_KEY,
                min_length=1,
                max_length=64,
                pattern=r"^[A-Za-z0-9._:-]+$",
                description="Your name for this command (e.g. a UUID): sent again, the "
                "command is acted on once and answers how it ended.",
            ),
        ] = None,
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
            update_id=await update_id(self.request, actor, arg, self.engine),
            seconds=self.settings.command_timeout_seconds,
        )

    async def start(
        self, update: Any, arg: Any, actor: Actor, start: WithStartWorkflowOperation[Any, Any]
    ) -> None:
        """Run the update on the workflow, starting it if it is not running; the same
        request again is not acted on twice."""
        command_id = await update_id(self.request, actor, arg, self.engine)
        try:
            async with reaching_temporal(self.settings.command_timeout_seconds):
                await self.temporal.execute_update_with_start_workflow(
                    update, arg, start_workflow_operation=start, id=command_id
                )
        except WorkflowUpdateFailedError as failure:
            raise translated(failure) from None

    def workflow_url(self, workflow_id: str) -> str:
        """The workflow's page in the Temporal UI."""
        settings = self.settings
        return (
            f"{settings.temporal_ui_url}/namespaces/{settings.temporal_namespace}"
            f"/workflows/{workflow_id}"
        )
