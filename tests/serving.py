"""The API as tests run it: in-process, with a real worker and a real database."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.api.app import create_app
from agencyflow.config.settings import Settings
from agencyflow.worker import build_worker


@asynccontextmanager
async def serving(
    settings: Settings, engine: Engine, temporal: Client
) -> AsyncIterator[httpx.AsyncClient]:
    """The API in-process, with a real worker on the dev server and a real database."""
    app = create_app(settings, temporal=temporal, engine=engine)
    async with (
        build_worker(temporal, settings, engine),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://test") as http,
    ):
        yield http
