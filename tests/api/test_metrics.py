"""``/metrics`` counts what the API did and what waits (issue 15, point 2); a worker serves the
Temporal SDK's metrics at its own address."""

import json
import re
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.stack_process import free_port
from agencyflow.temporal_client import connect_temporal, worker_runtime
from tests.api.test_projects import admitted
from tests.factories import bearer
from tests.serving import serving


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_a_scrape_after_a_project_finds_its_commands_requests_and_inbox(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    settings = api_settings.model_copy(update={"metrics_enabled": True})
    async with serving(settings, engine, temporal) as api:
        office = await admitted(api, engine)
        created = await api.post("/projects", headers=bearer(office.agency), json=office.request())
        assert created.status_code == 201, created.text
        pid = created.json()["project"]["project_id"]
        done = await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
        assert done.status_code == 200, done.text
        again = await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
        invalid = await api.post(f"/projects/{pid}/plan", headers=bearer(office.agency), json={})
        assert (again.status_code, invalid.status_code) == (409, 422)
        refusal = again.json()["detail"][0]["type"]

        scraped = await api.get("/metrics")

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    samples = _samples(scraped.text)
    commands = "agencyflow_commands_total"
    assert _value(samples, commands, command="projects.create", outcome="ok") == 1
    assert _value(samples, commands, command="projects.acknowledge_filing", outcome="ok") == 1
    assert _value(samples, commands, command="projects.acknowledge_filing", outcome=refusal) == 1
    assert _value(samples, commands, command="projects.submit_plan", outcome="invalid") == 1
    requests = "agencyflow_http_requests_total"
    assert _value(samples, requests, route="/projects", method="POST", status="201") == 1
    latency = "agencyflow_http_request_duration_seconds_count"
    assert _value(samples, latency, route="/projects/{pid}/plan", method="POST") == 1
    inbox = "agencyflow_inbox_open_items"
    assert _value(samples, inbox, kind="plan.submit", office="agency") == 1
    assert _value(samples, inbox, kind="filing.review", office="331102") == 0
    assert ("agencyflow_platform_handoffs_pending", frozenset()) in samples
    dashboard = Path(__file__).parents[2] / "docker/grafana/dashboards/agencyflow.json"
    charted = set(re.findall(r"agencyflow_\w+", json.dumps(json.loads(dashboard.read_text()))))
    assert charted, "the dashboard charts the API's metrics"
    assert charted <= {name for name, _ in samples}, "the dashboard charts only what exists"


async def test_metrics_are_off_unless_enabled(api: httpx.AsyncClient) -> None:
    assert (await api.get("/metrics")).status_code == 404


async def test_a_worker_serves_the_sdk_metrics_at_its_address(
    api_settings: Settings, engine: Engine
) -> None:
    address = f"127.0.0.1:{free_port()}"
    settings = api_settings.model_copy(update={"worker_metrics_address": address})
    client = await connect_temporal(settings, runtime=worker_runtime(settings))
    async with serving(settings, engine, client) as api:
        await admitted(api, engine)  # the agency's workflow runs on this worker
        async with httpx.AsyncClient() as http:
            scraped = await http.get(f"http://{address}/metrics")

    assert "temporal_workflow_task_execution_latency" in scraped.text
    assert "temporal_worker_task_slots_available" in scraped.text
