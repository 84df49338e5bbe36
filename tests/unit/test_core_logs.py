"""Temporal core's own log lines reach the standard logger structlog renders, not stderr."""

import logging
import uuid

import pytest
from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from agencyflow.config.logs import TEMPORAL_CORE_LOGGER, core_runtime
from tests.waiting import eventually


@activity.defn
async def _nothing() -> None:
    """Only so that there is a worker to start."""


async def test_core_logs_are_forwarded_to_our_logger(
    dev_server_address: str, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    capfd.readouterr()
    client = await Client.connect(dev_server_address, runtime=core_runtime("DEBUG"))
    async with Worker(client, task_queue=f"core-logs-{uuid.uuid4()}", activities=[_nothing]):
        pass  # a worker's start and shutdown are logged by core

    def forwarded() -> list[logging.LogRecord]:
        # Named after it, one per part of core (``temporalio.core-sdk_core::…``).
        return [r for r in caplog.records if r.name.startswith(TEMPORAL_CORE_LOGGER)]

    # Core hands its records over in batches, a few milliseconds apart.
    await eventually(lambda: bool(forwarded()))
    assert all(hasattr(record, "temporal_log") for record in forwarded())
    assert "temporal_sdk_core" not in capfd.readouterr().err
