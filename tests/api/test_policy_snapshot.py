"""Policy is snapshotted into each workflow: a changed setting applies to new projects only."""

import datetime as dt

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.config.policy import Policy
from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from tests.api.test_projects import Office, _visit
from tests.factories import bearer, facts, fresh_agency
from tests.serving import serving


def _due(response: httpx.Response) -> dt.datetime:
    return dt.datetime.fromisoformat(response.json()["project"]["report_due_at"])


async def _ended(api: httpx.AsyncClient, office: Office, pid: str) -> httpx.Response:
    visited = await _visit(api, office, pid)
    assert visited.status_code == 201, visited.text
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    return await api.post(
        f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": today}
    )


async def _in_service(api: httpx.AsyncClient, office: Office, number: str) -> str:
    created = await api.post(
        "/projects", headers=bearer(office.agency), json=office.request(contract_number=number)
    )
    assert created.status_code == 201, created.text
    pid: str = created.json()["project"]["project_id"]
    await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
    await api.post(f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"})
    return pid


async def test_a_running_project_keeps_the_deadlines_it_started_with(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    office = Office(engine, fresh_agency())
    async with serving(api_settings, engine, temporal) as api:
        applied = await api.post(
            "/agencies", headers=bearer(office.agency), json=facts(office.number)
        )
        assert applied.status_code == 201, applied.text
        await api.post(f"/agencies/{office.uscc}/approve", headers=bearer(office.county), json={})
        running = await _in_service(api, office, "LS-2026-OLD")

    # A new release with a shorter report deadline: API and worker restart with it.
    shorter = api_settings.model_copy(
        update={"policy": Policy(report_deadline=dt.timedelta(days=10), report_reminders=())}
    )
    async with serving(shorter, engine, temporal) as api:
        old = await _ended(api, office, running)
        assert old.status_code == 200, old.text
        newer = await _ended(api, office, await _in_service(api, office, "LS-2026-NEW"))
        assert newer.status_code == 200, newer.text

    # The days run from the end of the day the service ended (declared today, China time).
    ended_on = dt.date.fromisoformat(old.json()["project"]["service_ended_on"])
    end_of_day = dt.datetime.combine(ended_on + dt.timedelta(days=1), dt.time(), CHINA_TZ)
    days = dt.timedelta(days=1)
    assert _due(old) == end_of_day + 30 * days  # the policy it started under
    assert _due(newer) == end_of_day + 10 * days  # the new one
