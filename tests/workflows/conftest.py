"""Fixtures of the workflow tests: a real worker on the time-skipping server."""

from collections.abc import AsyncIterator

import pytest_asyncio
from sqlalchemy import Engine
from temporalio.testing import WorkflowEnvironment

from agencyflow.config.settings import Settings
from agencyflow.files import FileStore
from agencyflow.worker import build_worker
from tests.workflows.agency_helpers import Agencies
from tests.workflows.project_helpers import Projects


@pytest_asyncio.fixture
async def projects(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[Projects]:
    """Projects driven as the API drives them, with the service's worker running."""
    async with build_worker(time_skipping_env.client, settings, engine):
        yield Projects(
            time_skipping_env.client,
            settings.temporal_task_queue,
            FileStore(settings.files_dir),
            engine,
        )


@pytest_asyncio.fixture
async def agencies_(
    time_skipping_env: WorkflowEnvironment, settings: Settings, engine: Engine
) -> AsyncIterator[Agencies]:
    """Agencies driven as the API drives them, with the service's worker running."""
    async with build_worker(time_skipping_env.client, settings, engine):
        yield Agencies(time_skipping_env.client, settings.temporal_task_queue, engine)
