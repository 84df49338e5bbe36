"""The FastAPI application and its lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow import console
from agencyflow.config.settings import Settings
from agencyflow.store.engine import make_engine
from agencyflow.temporal_client import connect_temporal
from agencyflow.tracing import trace_requests, trace_sql, tracer_provider

from . import metrics, redoc
from .deps import TokenCache
from .errors import ERROR_RESPONSES, install_error_handlers
from .guard import RequestGuard
from .metrics import ApiMetrics
from .middleware import RequestContextMiddleware
from .routes import (
    agencies,
    audit,
    capability_tests,
    codec,
    complaints,
    complaints_public,
    credit_events,
    enterprises,
    files,
    hazards,
    health,
    inbox,
    inspections,
    overview,
    projects,
    public,
    ratings,
    reform,
    spot_checks,
    untrustworthy,
    users,
    verifications,
    whistleblower_rewards,
)

ROUTERS = (
    health.router,
    inbox.router,
    users.router,
    audit.router,
    agencies.router,
    verifications.router,
    credit_events.router,
    untrustworthy.router,
    capability_tests.router,
    ratings.router,
    projects.router,
    spot_checks.router,
    inspections.router,
    complaints_public.router,
    complaints.router,
    whistleblower_rewards.router,
    reform.router,
    overview.router,
    enterprises.router,
    hazards.router,
    files.router,
    public.router,
    codec.router,
)

DESCRIPTION = """
丽水市安全生产社会化服务机构监管“一件事”: every service project from contract to closure,
its filings, hazards, reports and deadlines. Authenticate with `Authorization: Bearer <token>`.
"""


DOCS_ASSETS = "/static/docs"
"""Where Swagger UI's and ReDoc's own files are served."""


def create_app(
    settings: Settings,
    *,
    temporal: Client | None = None,
    engine: Engine | None = None,
    tracing: TracerProvider | None = None,
) -> FastAPI:
    """The app; a Temporal client or engine passed in is used as is and not closed. Traces
    go to ``tracing``, or to the collector in settings if there is one."""
    tracing = tracing or tracer_provider(settings, "api")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_engine = engine is None
        app.state.settings = settings
        app.state.tokens = TokenCache()
        app.state.codec = settings.payload_codec()  # once: the key is read at start
        app.state.engine = engine or make_engine(settings.database_url)
        if tracing is not None and own_engine:  # an engine passed in is traced by its owner
            trace_sql(app.state.engine, tracing)
        app.state.metrics = ApiMetrics(app.state.engine) if settings.metrics_enabled else None
        # Lazy, so the API comes up (and /health says so) while Temporal is still down.
        app.state.temporal = temporal or await connect_temporal(
            settings, lazy=True, tracing=tracing
        )
        try:
            yield
        finally:
            if own_engine:
                app.state.engine.dispose()

    # The docs' scripts and styles come from the app itself (fastapi-offline ships them):
    # government networks (政务网) are often offline, and a CDN's page would be blank there.
    app = FastAPIOffline(
        static_url=DOCS_ASSETS,
        redoc_url=None,  # served by .redoc, without the CDN address ReDoc's bundle holds
        title="agencyflow",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.add_middleware(RequestGuard, settings=settings)
    app.add_middleware(RequestContextMiddleware)  # outermost: it logs and audits refusals too
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(redoc.router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    console.install(app)
    if tracing is not None:
        trace_requests(app, tracing)
    return app
