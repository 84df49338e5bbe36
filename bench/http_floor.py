"""What an HTTP hop alone costs in front of the bare step `bench/lifecycle.py` compares against.

    .venv/bin/python bench/http_floor.py [N] [CONCURRENCY ...]

The same bare step as `bench/lifecycle.py`'s raw side (an update running one local activity
that writes one row), sent two ways in turns, N projects of 8 steps each (default 20) at
each concurrency (default 1 and 10):
- http: through a FastAPI route, served by uvicorn in a process of its own, that does
  nothing but send the update: no authentication, audit, validation or answer read.
- raw: straight from a bare Temporal client, as in `bench/lifecycle.py`.
It prints both rates, p50 and p95, the CPU per step of each process, and ``ratio: X`` (http
over raw, the lowest). The API's ratio in `bench/lifecycle.py` can come no nearer 1 than this;
what lies between the two is the project step's own work.
"""

import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agencyflow.stack_process import free_port  # noqa: E402
from agencyflow.store.engine import make_engine  # noqa: E402
from agencyflow.temporal_client import DATA_CONVERTER  # noqa: E402
from bench.lifecycle import (  # noqa: E402
    STEPS_PER_PROJECT,
    RawSide,
    RawSteps,
    Run,
    address_of,
    child_named,
    create_step_table,
    dev_server,
    healthy,
    in_turns,
    process,
    report,
    run_from_command_line,
)

LIFECYCLE = Path(__file__).with_name("lifecycle.py")


def http_front(address: str, queue: str, port: str) -> None:
    """The route, in this process: each POST is one step of the named workflow."""
    import uvicorn
    from fastapi import FastAPI

    clients: dict[str, Client] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        clients["temporal"] = await Client.connect(address, data_converter=DATA_CONVERTER)
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/steps/{workflow_id}")
    async def step(workflow_id: str, first: bool = False) -> dict[str, int]:
        client = clients["temporal"]
        if first:
            start = WithStartWorkflowOperation(
                RawSteps.run,
                id=workflow_id,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                task_queue=queue,
            )
            steps = await client.execute_update_with_start_workflow(
                RawSteps.step, start_workflow_operation=start
            )
        else:
            handle = client.get_workflow_handle(workflow_id)
            steps = await handle.execute_update(RawSteps.step)
        return {"steps": steps}

    uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning")


class HttpSide:
    """Bare steps, each a POST to the route."""

    def __init__(self, url: str, queue: str, concurrency: int, processes: dict[str, int]) -> None:
        self.url, self.queue, self.concurrency = url, queue, concurrency
        self.run = Run(processes)

    async def round(self, first: int, n: int) -> None:
        run = self.run
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as front:

            async def project(i: int) -> None:
                path = f"/steps/http-{self.queue}-{self.concurrency}-{first + i}"
                for step in range(STEPS_PER_PROJECT):
                    await run.timed(front.post(path, params={"first": step == 0}))

            await run.measure(n, self.concurrency, project)


async def main(n: int, concurrencies: list[int]) -> None:
    ratios = []
    async with dev_server() as env:
        address = address_of(env)
        with tempfile.TemporaryDirectory() as folder:
            database_url = f"sqlite:///{Path(folder) / 'bench.db'}"
            engine = make_engine(database_url)
            create_step_table(engine)
            engine.dispose()
            queue, port, log = f"bench-raw-{uuid.uuid4().hex}", free_port(), Path(folder) / "log"
            worker_command = [sys.executable, str(LIFECYCLE), "raw-worker", address, queue]
            front_command = [sys.executable, __file__, "front", address, queue, str(port)]
            with (
                process(*worker_command, database_url, env=dict(os.environ), log=log) as worker,
                process(*front_command, env=dict(os.environ), log=log) as front,
            ):
                # Both sides share the bare worker, the server and this process's load.
                shared = {"worker": worker.pid, "temporal": child_named("temporal")}
                shared["load"] = os.getpid()
                url = f"http://127.0.0.1:{port}"
                await healthy(url)
                print(f"projects: {n} per side, steps each: {STEPS_PER_PROJECT}")
                for concurrency in concurrencies:
                    http_side = HttpSide(url, queue, concurrency, {"http": front.pid, **shared})
                    raw_side = RawSide(env.client, queue, concurrency, shared)
                    await in_turns(n, raw_side, http_side)
                    ratios.append(report(concurrency, http=http_side.run, raw=raw_side.run))
    print(f"ratio: {min(ratios):.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["front"]:
        http_front(*sys.argv[2:5])
    else:
        run_from_command_line(main)
