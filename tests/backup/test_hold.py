"""The running service's side of a backup: asked on its socket, it holds its worker still
(a command sent meanwhile is not acted on) and lets it go on when the backup says so, when
the backup goes away, or when the hold outlasts its limit."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.backup import hold
from agencyflow.backup.hold import PausableWorker, serve_holds
from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.store import agencies, timeline
from agencyflow.worker import build_worker
from tests.factories import bearer, facts, fresh_agency, uscc, user
from tests.serving import in_process_api
from tests.waiting import until_answered

TIMEOUT = 2.0


@asynccontextmanager
async def service(
    settings: Settings, engine: Engine, temporal: Client, socket: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The API and a pausable worker, listening for holds at ``socket``, as ``agencyflow
    dev`` runs them."""
    own = settings.model_copy(update={"command_timeout_seconds": TIMEOUT})
    worker = PausableWorker(lambda: build_worker(temporal, own, engine))
    running = asyncio.create_task(worker.run())
    holds = await serve_holds(socket, worker)
    assert holds is not None
    try:
        async with in_process_api(own, engine, temporal, request_timeout=30) as api:
            yield api
    finally:
        holds.close()
        await worker.shutdown()
        await running


async def test_no_step_runs_while_held_and_each_runs_once_after(
    api_settings: Settings, engine: Engine, temporal: Client, tmp_path: Path
) -> None:
    number = fresh_agency()
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    socket = tmp_path / "control.sock"
    approve = f"/agencies/{uscc(number)}/approve"
    headers = {**bearer(county), "Idempotency-Key": uuid.uuid4().hex}

    async with service(api_settings, engine, temporal, socket) as api:
        applied = await api.post("/agencies", headers=bearer(agency), json=facts(number))
        assert applied.status_code == 201, applied.text

        reader, writer = await asyncio.open_unix_connection(str(socket))
        writer.write(b"hold\n")
        assert await reader.readline() == b"held\n"
        waited = await api.post(approve, headers=headers, json={})
        assert waited.status_code == 503, waited.text
        assert agencies.get(engine, uscc(number)).status.value == "pending_review"  # type: ignore[union-attr]
        writer.write(b"release\n")
        assert await reader.readline() == b"released\n"
        await _closed(writer)

        approved = await until_answered(api, approve, headers, {})
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "active"

        # A backup that goes away without a word releases the worker all the same.
        reader, writer = await asyncio.open_unix_connection(str(socket))
        writer.write(b"hold\n")
        assert await reader.readline() == b"held\n"
        await _closed(writer)
        warned = await until_answered(
            api,
            f"/agencies/{uscc(number)}/interviews",
            {**bearer(county), "Idempotency-Key": uuid.uuid4().hex},
            {"kind": "warning", "held_on": "2026-11-20", "notes": "提醒"},
        )
        assert warned.status_code == 201, warned.text

    kinds = [e.kind for e in timeline.entries(engine, f"agencies/{uscc(number)}", regulators=True)]
    assert kinds.count("application.approved") == 1
    assert kinds.count("supervision.warning") == 1


async def test_a_hold_past_its_limit_expires_and_the_worker_goes_on(
    api_settings: Settings,
    engine: Engine,
    temporal: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hold, "HOLD_LIMIT_SECONDS", 0.5)
    number = fresh_agency()
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    socket = tmp_path / "control.sock"

    async with service(api_settings, engine, temporal, socket) as api:
        reader, writer = await asyncio.open_unix_connection(str(socket))
        writer.write(b"hold\n")
        assert await reader.readline() == b"held\n"
        assert await reader.readline() == b"expired\n"  # unasked: the backup must fail
        await _closed(writer)
        applied = await api.post("/agencies", headers=bearer(agency), json=facts(number))
        assert applied.status_code == 201, applied.text


async def _closed(writer: asyncio.StreamWriter) -> None:
    writer.close()
    await writer.wait_closed()
