"""Temporal stopped while commands are sent: each is answered 503 in the error shape within
the command timeout; once Temporal is back (from its own store, as `make run` keeps it),
the same requests, with the same Idempotency-Keys, complete, each once."""

import time
import uuid

from sqlalchemy import Engine

from agencyflow.config.settings import Settings
from agencyflow.devstack import start_temporal, stop_temporal
from agencyflow.domain.identity import Role
from agencyflow.stack_process import free_port
from agencyflow.store import agencies, timeline
from agencyflow.temporal_client import connect_when_ready
from agencyflow.worker import build_worker
from tests.factories import bearer, facts, fresh_agency, uscc, user
from tests.serving import in_process_api
from tests.waiting import until_answered

TIMEOUT = 2.0


async def test_commands_sent_while_temporal_is_down_complete_once_after_it_is_back(
    settings: Settings, engine: Engine
) -> None:
    own = settings.model_copy(
        update={
            "temporal_address": f"127.0.0.1:{free_port()}",
            "temporal_ui_port": free_port(),
            "command_timeout_seconds": TIMEOUT,
        }
    )
    number = fresh_agency()
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(number))
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    commands = [
        (county, f"/agencies/{uscc(number)}/approve", {}),
        (
            county,
            f"/agencies/{uscc(number)}/interviews",
            {"kind": "warning", "held_on": "2026-11-20", "notes": "提醒"},
        ),
    ]
    keys = [uuid.uuid4().hex for _ in commands]

    server = await start_temporal(own)
    try:
        client = await connect_when_ready(own)
        async with (
            build_worker(client, own, engine),
            in_process_api(own, engine, client, request_timeout=60) as api,
        ):
            applied = await api.post("/agencies", headers=bearer(agency), json=facts(number))
            assert applied.status_code == 201, applied.text

            await stop_temporal(server)
            for (token, path, body), key in zip(commands, keys, strict=True):
                began = time.monotonic()
                response = await api.post(path, headers=_with(token, key), json=body)
                assert response.status_code == 503, response.text
                assert response.json()["detail"][0]["type"] == "temporal.unavailable"
                assert time.monotonic() - began < TIMEOUT + 2

            server = await start_temporal(own)
            for (token, path, body), key in zip(commands, keys, strict=True):
                answered = await until_answered(api, path, _with(token, key), body)
                assert answered.status_code in (200, 201), answered.text
                again = await api.post(path, headers=_with(token, key), json=body)
                assert again.status_code == answered.status_code
    finally:
        await stop_temporal(server)

    shown = agencies.get(engine, uscc(number))
    assert shown is not None and shown.status.value == "active"
    kinds = [e.kind for e in timeline.entries(engine, f"agencies/{uscc(number)}", regulators=True)]
    assert kinds.count("application.approved") == 1
    assert kinds.count("supervision.warning") == 1


def _with(token: str, key: str) -> dict[str, str]:
    return {**bearer(token), "Idempotency-Key": key}
