"""An admitted agency to record credit against, as the credit and listing tests need it."""

from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.credit import RecordedKind
from agencyflow.domain.project import CreditEvent
from agencyflow.store import agencies
from agencyflow.store import credit as credit_store
from agencyflow.workflows.agency.models import CreditRecording, Decision
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.factories import facts, fresh_agency
from tests.workflows.agency_helpers import COUNTY, Agencies, Handle
from tests.workflows.project_helpers import Projects


async def admitted(projects: Projects, settings: Settings, engine: Engine) -> Handle:
    drive = Agencies(projects.client, settings.temporal_task_queue, engine)
    handle, _ = await drive.submit(facts(fresh_agency()))
    await handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
    return handle


def agency_of(engine: Engine, handle: Handle) -> AgencySnapshot:
    found = agencies.get(engine, handle.id.removeprefix("agency-"))
    assert found is not None
    return found


def recording(kind: RecordedKind, reference: str = "丽应急-1") -> CreditRecording:
    return CreditRecording(actor=COUNTY, kind=kind, reference=reference, reason="查实")


async def recorded(handle: Handle, engine: Engine, kind: RecordedKind) -> CreditEvent:
    """The county records a deduction of this kind; the agency's one event."""
    await handle.execute_update(AgencyWorkflow.record_credit_event, recording(kind))
    (event,) = credit_store.of_agency(engine, handle.id.removeprefix("agency-"))
    return event
