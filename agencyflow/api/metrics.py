"""``GET /metrics``: the API in Prometheus' text format, when ``AGENCYFLOW_METRICS_ENABLED``.

Each API process counts its own requests and commands (Prometheus adds the replicas up); the
read model's figures (open and overdue inbox items, hand-offs to the platform awaiting their
receipt) are read from SQL at each scrape, so every replica reports the same.
"""

import datetime as dt
from collections.abc import Iterator

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from agencyflow.store import inbox, projects

router = APIRouter(tags=["health"])

UNMATCHED = "(unmatched)"
"""The route label of a request no route took: its path would let callers mint labels."""
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class ApiMetrics:
    """One API process's metrics, in a registry of their own (not the process-wide one), so
    that apps made side by side, as the tests make them, each count their own."""

    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "agencyflow_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "agencyflow_http_request_duration_seconds",
            "Time to answer, by route template and method.",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.commands = Counter(
            "agencyflow_commands",
            "Commands (POST, PUT, PATCH, DELETE) by route name and outcome: ok, invalid (422),"
            " or the refusal's error code.",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.registry.register(ReadModelCollector(engine))

    def observe(
        self,
        route: str,
        method: str,
        status: int,
        seconds: float,
        command: str | None,
        refusal: str | None,
    ) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)
        if command is not None:
            self.commands.labels(command, outcome(status, refusal)).inc()


def outcome(status: int, refusal: str | None) -> str:
    """``ok``; ``invalid`` for a request refused field by field; else the error's code (a
    fixed set, as the codes are constants of the code), or the status when there is none."""
    if status < 400:
        return "ok"
    if refusal is None:
        return str(status)
    return "invalid" if refusal.startswith("invalid") else refusal


class ReadModelCollector(Collector):
    """What waits, read from SQL at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        open_items = GaugeMetricFamily(
            "agencyflow_inbox_open_items",
            "Open inbox items by kind and the office's county (city, or agency for an"
            " agency's own items).",
            labels=["kind", "office"],
        )
        overdue_items = GaugeMetricFamily(
            "agencyflow_inbox_overdue_items",
            "Open inbox items past their due time, by kind and office.",
            labels=["kind", "office"],
        )
        for row in inbox.open_counts(self.engine, dt.datetime.now(dt.UTC)):
            open_items.add_metric([row.kind, row.office], row.open)
            overdue_items.add_metric([row.kind, row.office], row.overdue)
        yield open_items
        yield overdue_items
        yield GaugeMetricFamily(
            "agencyflow_platform_handoffs_pending",
            "Uploaded service reports the provincial platform has not yet given a receipt for.",
            value=projects.count_awaiting_receipt(self.engine),
        )


@router.get("/metrics", name="metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Prometheus' text format; present only when metrics are enabled."""
    registry = request.app.state.metrics.registry
    body = await anyio.to_thread.run_sync(generate_latest, registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
