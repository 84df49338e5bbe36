"""docker/compose.yml's shape in one process: two APIs and two workers over one database and
one Temporal, each with its own client and connection pool. Any replica takes any step, a
command retried on the other replica with its Idempotency-Key is done once, and when one
worker goes away the other carries the project on (issue 14, point 4)."""

from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.store.engine import make_engine
from agencyflow.temporal_client import connect_temporal
from agencyflow.worker import build_worker
from tests.api.test_projects import _today, admitted
from tests.factories import bearer
from tests.serving import in_process_api


async def test_two_apis_and_two_workers_share_a_project_and_survive_losing_a_worker(
    api_settings: Settings, engine: Engine
) -> None:
    engines = [make_engine(api_settings.database_url) for _ in range(2)]
    clients = [await connect_temporal(api_settings) for _ in range(2)]
    try:
        async with (
            build_worker(clients[1], api_settings, engines[1]),
            in_process_api(api_settings, engines[0], clients[0]) as a,
            in_process_api(api_settings, engines[1], clients[1]) as b,
        ):
            async with build_worker(clients[0], api_settings, engines[0]):
                office = await admitted(a, engine)
                created = await a.post(
                    "/projects", headers=bearer(office.agency), json=office.request()
                )
                assert created.status_code == 201, created.text
                pid = created.json()["project"]["project_id"]
                acknowledged = await b.post(
                    f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county)
                )
                assert acknowledged.status_code == 200, acknowledged.text
                planned = await a.post(
                    f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"}
                )
                assert planned.status_code == 200, planned.text

                visit = {"visited_on": _today(), "present": ["p1"], "activities": ["inspection"]}
                once = {**bearer(office.agency), "Idempotency-Key": "visit-1"}
                first = await a.post(f"/projects/{pid}/visits", headers=once, json=visit)
                retried = await b.post(f"/projects/{pid}/visits", headers=once, json=visit)
                assert (first.status_code, retried.status_code) == (201, 201), retried.text
                assert retried.json()["project"]["visits"] == first.json()["project"]["visits"]
            # The first worker is gone; the second takes every task from here on.
            ended = await b.post(
                f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
            )
            assert ended.status_code == 200, ended.text
            shown = (await a.get(f"/projects/{pid}", headers=bearer(office.county))).json()
            assert shown["next_step"]["step"] == "report.upload"
            assert [v["visit_id"] for v in shown["project"]["visits"]] == ["v1"]
    finally:
        for made in engines:
            made.dispose()
