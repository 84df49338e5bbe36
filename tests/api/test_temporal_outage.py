"""Temporal down, or no worker to answer: a command is answered 503 in the error shape
within the command timeout, and changes nothing it did not finish."""

import asyncio
import time

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.store import agencies
from agencyflow.store.audit import AuditEntry
from agencyflow.temporal_client import connect_temporal
from tests.api.test_health import _closed_port
from tests.factories import bearer, facts, fresh_agency, uscc, user
from tests.serving import in_process_api
from tests.waiting import eventually

TIMEOUT = 1.0


def _unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"]
    (entry,) = response.json()["detail"]
    assert entry["type"] == "temporal.unavailable"
    assert set(entry) == {"type", "loc", "msg"}


async def test_with_temporal_down_a_command_is_503_within_the_timeout(
    settings: Settings, engine: Engine
) -> None:
    down = settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{_closed_port()}",
            "command_timeout_seconds": TIMEOUT,
        }
    )
    await _application_is_503_in_time(down, engine, await connect_temporal(down, lazy=True))


async def test_with_no_worker_a_command_is_503_within_the_timeout(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    """The server is up but nothing polls the task queue: the update never completes."""
    unserved = api_settings.model_copy(
        update={"temporal_task_queue": "nobody-polls-this", "command_timeout_seconds": TIMEOUT}
    )
    await _application_is_503_in_time(unserved, engine, temporal)


async def _application_is_503_in_time(settings: Settings, engine: Engine, temporal: Client) -> None:
    number = fresh_agency()
    _, token = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    async with in_process_api(settings, engine, temporal, request_timeout=30) as api:
        began = time.monotonic()
        response = await api.post("/agencies", headers=bearer(token), json=facts(number))
        took = time.monotonic() - began
    _unavailable(response)
    assert took < TIMEOUT + 2
    assert agencies.get(engine, uscc(number)) is None


async def test_a_command_is_audited_as_received_before_it_is_acted_on(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    """Were the API to stop while the command waits, its row would stay ``received``."""
    unserved = api_settings.model_copy(
        update={"temporal_task_queue": "nobody-polls-this", "command_timeout_seconds": 3.0}
    )
    number = fresh_agency()
    actor, token = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    headers = {**bearer(token), "X-Request-ID": f"audited-{number}"}

    def rows() -> list[AuditEntry]:
        with Session(engine) as session:
            query = select(AuditEntry).where(AuditEntry.request_id == f"audited-{number}")
            return list(session.exec(query).all())

    async with in_process_api(unserved, engine, temporal, request_timeout=30) as api:
        pending = asyncio.create_task(api.post("/agencies", headers=headers, json=facts(number)))
        await eventually(lambda: len(rows()) == 1)
        (received,) = rows()
        assert (received.outcome, received.status_code) == ("received", 0)
        assert not pending.done()
        _unavailable(await pending)
    (ended,) = rows()
    assert ended.id == received.id
    assert (ended.outcome, ended.status_code, ended.actor_user_id) == ("failed", 503, actor.user_id)
