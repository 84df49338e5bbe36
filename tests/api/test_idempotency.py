"""``Idempotency-Key``: the same command sent again is acted on once and answers the same."""

from collections.abc import Mapping

import httpx
from sqlalchemy import Engine, text
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.store import hazards as hazard_store
from tests.api.test_hazards import _with_photos
from tests.api.test_projects import _in_service, _today, admitted
from tests.factories import bearer
from tests.serving import in_process_api


async def test_a_visit_sent_twice_with_one_key_is_recorded_once(
    api: httpx.AsyncClient, engine: Engine, api_settings: Settings, temporal: Client
) -> None:
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    visit = {
        "visited_on": _today(),
        "present": ["p1"],
        "activities": ["inspection"],
        "hazards": [await _with_photos(api, office)],
    }
    headers = {**bearer(office.agency), "Idempotency-Key": "visit-2026-11-20"}
    first = await api.post(f"/projects/{pid}/visits", headers=headers, json=visit)
    assert first.status_code == 201, first.text
    # Again, as a client does after a lost answer; even through another API process.
    async with in_process_api(api_settings, engine, temporal) as restarted:
        again = await restarted.post(f"/projects/{pid}/visits", headers=headers, json=visit)
    assert again.status_code == 201, again.text
    assert again.json()["project"]["visits"] == first.json()["project"]["visits"]
    assert len(first.json()["project"]["visits"]) == 1
    assert len(hazard_store.search(engine, project_id=pid)) == 1


async def test_one_key_for_another_request_is_409_and_acts_on_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    headers = {**bearer(office.agency), "Idempotency-Key": "reused"}
    assert (await _visit_with(api, pid, headers, notes="first")).status_code == 201
    reused = await _visit_with(api, pid, headers, notes="second")
    assert reused.status_code == 409
    assert reused.json()["detail"][0]["type"] == "idempotency.key_reused"
    shown = await api.get(f"/projects/{pid}", headers=bearer(office.agency))
    assert [v["notes"] for v in shown.json()["project"]["visits"]] == ["first"]
    fresh = {**headers, "Idempotency-Key": "another"}
    assert (await _visit_with(api, pid, fresh, notes="second")).status_code == 201


async def test_a_key_that_is_not_plain_ascii_is_422(api: httpx.AsyncClient, engine: Engine) -> None:
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    for key in ("键".encode(), b"x" * 65, b"has space"):
        headers: dict[str, str | bytes] = {**bearer(office.agency), "Idempotency-Key": key}
        response = await _visit_with(api, pid, headers, notes="")
        assert response.status_code == 422, key
        assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


async def _visit_with(
    api: httpx.AsyncClient, pid: str, headers: Mapping[str, str | bytes], *, notes: str
) -> httpx.Response:
    return await api.post(
        f"/projects/{pid}/visits",
        headers=headers,
        json={
            "visited_on": _today(),
            "present": ["p1"],
            "activities": ["inspection"],
            "notes": notes,
        },
    )


async def test_a_retried_contract_is_the_same_command_though_the_agency_moved_on(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    """The API adds the agency as it stands to the command; the key stands for what the
    client sent, so a change to the agency in between does not make the retry a new one."""
    office = await admitted(api, engine)
    headers = {**bearer(office.agency), "Idempotency-Key": "contract-LS-2026-001"}
    first = await api.post("/projects", headers=headers, json=office.request())
    assert first.status_code == 201, first.text
    moved = await api.put(
        f"/agencies/{office.uscc}/workplace",
        headers=bearer(office.agency),
        json={"workplace_area_m2": 150},
    )
    assert moved.status_code == 200, moved.text
    again = await api.post("/projects", headers=headers, json=office.request())
    assert again.status_code in (200, 201), again.text
    assert again.json()["project"]["project_id"] == first.json()["project"]["project_id"]
    assert [e["kind"] for e in again.json()["timeline"]] == ["project.created"]


async def test_after_a_step_that_could_not_be_recorded_the_same_key_tries_again(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    """The workflow answers 503 ``record.failed`` (the step did not happen); the client's
    retry under the same key is a new attempt, not that failure for ever."""
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    headers = {**bearer(office.agency), "Idempotency-Key": "visit-while-db-is-broken"}
    with engine.begin() as connection:  # the timeline table gone: every record fails
        connection.execute(text("ALTER TABLE timeline_event RENAME TO timeline_event_away"))
    try:
        failed = await _visit_with(api, pid, headers, notes="once")
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE timeline_event_away RENAME TO timeline_event"))
    assert failed.status_code == 503, failed.text
    assert failed.json()["detail"][0]["type"] == "record.failed"
    retried = await _visit_with(api, pid, headers, notes="once")
    assert retried.status_code == 201, retried.text
    again = await _visit_with(api, pid, headers, notes="once")
    assert again.json()["project"]["visits"] == retried.json()["project"]["visits"]
    assert len(retried.json()["project"]["visits"]) == 1
