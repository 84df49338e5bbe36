"""Driving `AgencyWorkflow` directly on a Temporal server, as the API does."""

from typing import Any

from sqlalchemy import Engine
from temporalio.client import WorkflowHandle

from agencyflow.config.limits import HistoryLimits
from agencyflow.config.policy import Policy
from agencyflow.domain.agency import AgencyFacts, AgencySnapshot
from agencyflow.domain.identity import Actor, Role
from agencyflow.store import agencies
from agencyflow.store.inbox import InboxItemRow
from agencyflow.workflows.agency.models import (
    AgencyInput,
    Submission,
    agency_resource,
    agency_workflow_id,
)
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.factories import uscc
from tests.reading import open_items_of, timeline_kinds_of
from tests.workflows.driver import Driver

COUNTY = Actor(user_id=2, name="莲都区应急管理局", role=Role.COUNTY_REGULATOR, county_code="331102")
OTHER_COUNTY = Actor(
    user_id=3, name="青田县应急管理局", role=Role.COUNTY_REGULATOR, county_code="331121"
)
CITY = Actor(user_id=4, name="市应急管理局", role=Role.CITY_REGULATOR)


def agency_actor(number: int = 1) -> Actor:
    return Actor(
        user_id=100 + number, name=f"机构{number}", role=Role.AGENCY, agency_uscc=uscc(number)
    )


Handle = WorkflowHandle[AgencyWorkflow, None]


class Agencies(Driver):
    """Drives agencies as the API does: commands as updates, answers read from SQL."""

    def snapshot(self, handle: Handle) -> AgencySnapshot:
        snapshot = agencies.get(self.engine, handle.id.removeprefix("agency-"))
        assert snapshot is not None
        return snapshot

    async def step(self, handle: Handle, update: Any, command: Any) -> AgencySnapshot:
        """Run the update; answer with the agency as the read model shows it after."""
        await handle.execute_update(update, command)
        return self.snapshot(handle)

    async def submit(
        self, application: dict[str, Any], *, limits: HistoryLimits | None = None
    ) -> tuple[Handle, AgencySnapshot]:
        """The agency's application, by the agency itself, under the default policy."""
        facts = AgencyFacts.model_validate(application)
        handle = await self.start_with(
            AgencyWorkflow.run,
            AgencyInput(uscc=facts.uscc, policy=Policy(), limits=limits or HistoryLimits()),
            agency_workflow_id(facts.uscc),
            AgencyWorkflow.submit,
            Submission(actor=agency_actor(int(facts.uscc[10:17])), facts=facts),
        )
        return handle, self.snapshot(handle)


def open_items(engine: Engine, uscc_: str) -> dict[str, InboxItemRow]:
    return open_items_of(engine, agency_resource(uscc_))


def timeline_kinds(engine: Engine, uscc_: str) -> list[str]:
    return timeline_kinds_of(engine, agency_resource(uscc_))
