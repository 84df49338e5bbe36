"""Traces from HTTP to the read model's write (issue 15, point 3): the request that starts a
project is one chain of parents from the API's request through its Temporal call and the
local activity recording the step to its SQL; a later command's request links to the
handler that ran it, in the workflow's own trace."""

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.store.engine import make_engine
from agencyflow.temporal_client import connect_temporal
from agencyflow.tracing import trace_sql
from agencyflow.worker import build_worker
from tests.api.test_projects import admitted
from tests.factories import bearer
from tests.serving import in_process_api


def _ancestry(span: ReadableSpan, spans: list[ReadableSpan]) -> list[ReadableSpan]:
    """The span, its parent, its parent's parent… as far as the spans go."""
    by_id = {s.context.span_id: s for s in spans}
    chain = [span]
    while chain[-1].parent is not None and chain[-1].parent.span_id in by_id:
        chain.append(by_id[chain[-1].parent.span_id])
    return chain


async def test_one_trace_follows_a_command_from_http_to_the_read_model_write(
    api_settings: Settings, engine: Engine
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    worker_engine = make_engine(api_settings.database_url)  # the worker's, as in its process
    trace_sql(worker_engine, provider)
    trace_sql(engine, provider)  # the API's
    client = await connect_temporal(api_settings, tracing=provider)
    try:
        async with (
            build_worker(client, api_settings, worker_engine),
            in_process_api(api_settings, engine, client, tracing=provider) as api,
        ):
            office = await admitted(api, engine)
            created = await api.post(
                "/projects", headers=bearer(office.agency), json=office.request()
            )
            pid = created.json()["project"]["project_id"]
            done = await api.post(
                f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county)
            )
            assert done.status_code == 200, done.text
    finally:
        worker_engine.dispose()

    spans = list(exporter.get_finished_spans())
    by_id = {span.context.span_id: span for span in spans}

    # The request that starts a project: one chain of parents from HTTP to the row written.
    writes = [s for s in spans if _statement(s).startswith("INSERT INTO project ")]
    assert writes, sorted({s.name for s in spans})
    chain = _ancestry(writes[0], spans)
    names = [s.name for s in chain]
    assert (chain[-1].kind, chain[-1].name) == (SpanKind.SERVER, "POST /projects"), names
    for step in (
        "StartUpdateWithStartWorkflow:",
        "StartActivity:projects.",
        "RunActivity:projects.",
    ):
        assert any(name.startswith(step) for name in names), (step, names)
    assert len({s.context.trace_id for s in chain}) == 1

    # A later command: Temporal's interceptor runs every handler in the workflow's own trace
    # and links it to the command's client call, whose parents reach the command's request.
    [handled] = [s for s in spans if s.name == "HandleUpdate:acknowledge_filing"]
    [linked] = [by_id[link.context.span_id] for link in handled.links]
    assert linked.name == "StartWorkflowUpdate:acknowledge_filing"
    request = _ancestry(linked, spans)[-1]
    assert request.name == "POST /projects/{pid}/filing/acknowledge"
    assert handled.context.trace_id == chain[0].context.trace_id  # the project's trace


def _statement(span: ReadableSpan) -> str:
    return str((span.attributes or {}).get("db.statement", ""))
