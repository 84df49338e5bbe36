"""An agency lives for decades: each re-assessment is under the policy in force, not under
the policy of its first application; deadlines already set keep their dates."""

import datetime as dt
import uuid

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from agencyflow.config.policy import Policy
from agencyflow.config.settings import Settings
from agencyflow.domain.agency import AgencySnapshot, AgencyStatus
from agencyflow.store import agencies
from agencyflow.worker import build_worker
from agencyflow.workflows.agency.models import Decision, WorkplaceChanged
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.factories import facts, fresh_agency, uscc
from tests.workflows.agency_helpers import COUNTY, Agencies, Handle, agency_actor
from tests.workflows.temporal_helpers import refusal

STRICTER = Policy(
    admission_min_full_time_professionals=6, agency_rectification_period=dt.timedelta(days=10)
)


class Restarts:
    """The service's worker, restarted under another policy as an operator would: on the dev
    server, which hands a restarted worker its workflows at once."""

    def __init__(self, client: Client, settings: Settings, engine: Engine) -> None:
        self.client, self.settings, self.engine = client, settings, engine
        self.queue = f"policy-{uuid.uuid4().hex}"
        self.drive = Agencies(client, self.queue, engine)

    def worker(self, policy: Policy) -> Worker:
        settings = self.settings.model_copy(update={"policy": policy})
        return build_worker(self.client, settings, self.engine, task_queue=self.queue)


async def _new_workplace(drive: Agencies, handle: Handle, area_m2: float) -> AgencySnapshot:
    """An amendment by the agency: its facts re-assessed."""
    agency = int(handle.id.removeprefix("agency-")[10:17])
    return await drive.step(
        handle,
        AgencyWorkflow.change_workplace,
        WorkplaceChanged(actor=agency_actor(agency), workplace_area_m2=area_m2),
    )


async def test_an_admitted_agency_is_reassessed_under_the_policy_in_force(
    temporal: Client, api_settings: Settings, engine: Engine
) -> None:
    a, service = fresh_agency(), Restarts(temporal, api_settings, engine)
    drive = service.drive
    async with service.worker(Policy()):
        handle, _ = await drive.submit(facts(a))  # five full-time people: enough in 2026
        approved = await drive.step(handle, AgencyWorkflow.approve, Decision(actor=COUNTY))
        assert approved.status is AgencyStatus.ACTIVE

    # The city raises the threshold to six; the agency's next assessment applies it.
    async with service.worker(STRICTER):
        moved = await _new_workplace(drive, handle, 150)
        assert moved.status is AgencyStatus.RECTIFICATION_REQUIRED
        assert [v.code for v in moved.violations] == ["admission.too_few_professionals"]
        assert moved.updated_at is not None and moved.rectification_due_at is not None
        assert moved.rectification_due_at - moved.updated_at == dt.timedelta(days=10)
        due = moved.rectification_due_at

    # Later the period is lengthened: a deadline already set keeps its date.
    longer = STRICTER.model_copy(update={"agency_rectification_period": dt.timedelta(days=60)})
    async with service.worker(longer):
        again = await _new_workplace(drive, handle, 160)
        assert again.status is AgencyStatus.RECTIFICATION_REQUIRED
        assert again.rectification_due_at == due


async def test_an_application_is_approved_only_under_the_policy_in_force(
    temporal: Client, api_settings: Settings, engine: Engine
) -> None:
    a, service = fresh_agency(), Restarts(temporal, api_settings, engine)
    async with service.worker(Policy()):
        handle, _ = await service.drive.submit(facts(a))

    async with service.worker(STRICTER):
        refused = await refusal(
            handle.execute_update(AgencyWorkflow.approve, Decision(actor=COUNTY))
        )
        assert refused.type == "Conflict"
        assert "专职" in refused.message or "full-time" in refused.message
        shown = agencies.get(engine, uscc(a))
        assert shown is not None and shown.status is AgencyStatus.PENDING_REVIEW
