"""A worker killed between an application and its decision loses nothing."""

import datetime as dt
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.stack_process import child_environment
from agencyflow.store import agencies, projects
from tests.e2e.conftest import AGENCYFLOW
from tests.factories import bearer, facts, fresh_agency, project_request, uscc, user
from tests.serving import in_process_api
from tests.waiting import until_answered


@contextmanager
def worker_process(settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = child_environment(
        settings.data_dir,
        AGENCYFLOW_DATABASE_URL=settings.database_url,
        AGENCYFLOW_TEMPORAL_ADDRESS=settings.temporal_address,
        AGENCYFLOW_TEMPORAL_TASK_QUEUE=settings.temporal_task_queue,
    )
    with log.open("ab") as out:
        process = subprocess.Popen([str(AGENCYFLOW), "worker"], env=env, stdout=out, stderr=out)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _impatient(settings: Settings) -> Settings:
    """Commands that give up on a missing worker after a second (the default is 10 s)."""
    return settings.model_copy(update={"command_timeout_seconds": 1.0})


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.json()["detail"][0]["type"] == "temporal.unavailable"


async def test_killing_the_worker_mid_review_loses_nothing(
    api_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    number = fresh_agency()
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    log = tmp_path / "worker.log"
    # The worker runs in a process of its own, to be killed.
    async with (
        in_process_api(api_settings, engine, request_timeout=60) as api,
        in_process_api(_impatient(api_settings), engine) as impatient,
    ):
        with worker_process(api_settings, log) as first:
            applied = await api.post("/agencies", headers=bearer(agency), json=facts(number))
            assert applied.status_code == 201, applied.text
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)

        # The regulator decides while no worker runs: answered 503 within the command
        # timeout, and the same request again, once a worker is back, is acted on once.
        approve = f"/agencies/{uscc(number)}/approve"
        headers = {**bearer(county), "X-Request-ID": f"approve-{number}"}
        _unavailable(await impatient.post(approve, headers=headers, json={}))
        with worker_process(api_settings, log):
            approved = await until_answered(api, approve, headers, {})
            assert approved.status_code == 200, approved.text
            again = await api.post(approve, headers=headers, json={})
            assert again.status_code == 200, again.text

    assert approved.json()["status"] == "active"
    assert [e["kind"] for e in approved.json()["timeline"]] == [
        "application.submitted",
        "application.approved",
    ]
    snapshot = agencies.get(engine, uscc(number))
    assert snapshot is not None and len(snapshot.facts.professionals) == 5


async def test_killing_the_worker_mid_project_loses_nothing(
    api_settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    number, enterprise = fresh_agency(), fresh_agency()
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    log = tmp_path / "worker.log"
    # The worker runs in a process of its own, to be killed.
    async with (
        in_process_api(api_settings, engine, request_timeout=60) as api,
        in_process_api(_impatient(api_settings), engine) as impatient,
    ):
        with worker_process(api_settings, log) as first:
            await api.post("/agencies", headers=bearer(agency), json=facts(number))
            await api.post(f"/agencies/{uscc(number)}/approve", headers=bearer(county), json={})
            created = await api.post(
                "/projects", headers=bearer(agency), json=project_request(enterprise)
            )
            assert created.status_code == 201, created.text
            pid = created.json()["project"]["project_id"]
            await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(county))
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)

        # The agency keeps working while no worker runs: 503 within the command timeout,
        # and the same request again once a worker is back records the plan once.
        plan = f"/projects/{pid}/plan"
        headers = {**bearer(agency), "X-Request-ID": f"plan-{pid}"}
        _unavailable(await impatient.post(plan, headers=headers, json={"summary": "方案"}))
        with worker_process(api_settings, log):
            planned = await until_answered(api, plan, headers, {"summary": "方案"})
            assert planned.status_code == 200, planned.text
            visit = await api.post(
                f"/projects/{pid}/visits",
                headers=bearer(agency),
                json={"visited_on": today, "present": ["p1"], "activities": ["inspection"]},
            )
            assert visit.status_code == 201, visit.text
            ended = await api.post(
                f"/projects/{pid}/end", headers=bearer(agency), json={"ended_on": today}
            )
            assert ended.status_code == 200, ended.text

    assert [e["kind"] for e in ended.json()["timeline"]] == [
        "project.created",
        "filing.acknowledged",
        "plan.submitted",
        "visit.recorded",
        "service.ended",
    ]
    snapshot = projects.get(engine, pid)
    assert snapshot is not None and snapshot.stage.value == "reporting"
