"""OpenTelemetry traces, off unless ``AGENCYFLOW_OTEL_ENDPOINT`` names an OTLP/HTTP collector.

The request that starts a workflow is one trace from HTTP to SQL: the API's request span,
its Temporal client call, the local activity recording the step, and the statements it runs
(Temporal's interceptor carries the context in each call's headers). A later command's
request reaches its client call; Temporal's interceptor then runs the handler in the
workflow's own trace, linked to that call, so the handler and its writes are found from the
command by the link. Each process has its own `TracerProvider`, passed in rather than set
globally, so that a test can give the API and the worker one that keeps spans in memory.
"""

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from sqlalchemy import Engine
from starlette.types import ASGIApp
from temporalio.contrib.opentelemetry import TracingInterceptor

from agencyflow.config.settings import Settings


def tracer_provider(settings: Settings, role: str) -> TracerProvider | None:
    """Spans of this process (``role``: api or worker) exported to the collector, if any."""
    if not settings.otel_endpoint:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": f"agencyflow-{role}"}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otel_endpoint))
    )
    return provider


def trace_requests(app: ASGIApp, provider: TracerProvider) -> None:
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)  # type: ignore[arg-type]


def trace_sql(engine: Engine, provider: TracerProvider) -> None:
    """Every statement on this engine, as a span of whatever runs it. One engine at a time:
    `SQLAlchemyInstrumentor` is a process-wide singleton that also patches
    ``create_engine``, and would trace the first engine only."""
    unmetered = NoOpMeterProvider().get_meter("agencyflow.sql")
    EngineTracer(  # type: ignore[no-untyped-call]
        provider.get_tracer("agencyflow.sql"),
        engine,
        unmetered.create_up_down_counter("db.client.connections.usage"),
    )


def temporal_interceptors(provider: TracerProvider | None) -> list[TracingInterceptor]:
    """For the Temporal client: its calls, and the workflows and activities of a worker made
    with it."""
    if provider is None:
        return []
    return [TracingInterceptor(provider.get_tracer("agencyflow"))]
