"""Hostile input through the API and a real worker: refused with a clear 422, nothing changed.

Each test names the defect of the hostile-input issue it guards against.
"""

import httpx
import pytest
from sqlalchemy import Engine

from agencyflow.store import agencies
from agencyflow.store import hazards as hazard_store
from tests.api.test_agencies import People, _apply
from tests.api.test_hazards import _found, _visit, _with_photos
from tests.api.test_projects import _in_service, admitted
from tests.factories import bearer, facts, fresh_agency, id_number, professional


@pytest.fixture
def people(engine: Engine) -> People:
    return People(engine, fresh_agency())


def _fields(response: httpx.Response) -> list[list[str | int]]:
    return [entry["loc"] for entry in response.json()["detail"]]


# ---------------------------------------------------------------- 1. dates that wedge workflows


async def test_a_certificate_valid_until_year_9999_is_422_and_starts_nothing(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    application = facts(people.number)
    application["professionals"][0]["certificates"][0]["valid_until"] = "9999-12-31"
    response = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert response.status_code == 422
    assert _fields(response) == [["body", "professionals", 0, "certificates", 0, "valid_until"]]
    assert agencies.get(engine, people.uscc) is None


async def test_the_last_date_accepted_runs_its_workflow_to_an_answer(
    api: httpx.AsyncClient, people: People
) -> None:
    """The upper bound itself leaves the deadline arithmetic room: the agency is admitted
    and answers later commands."""
    application = facts(people.number)
    for person in application["professionals"]:
        person["certificates"][0]["valid_until"] = "2099-12-31"
    applied = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert applied.status_code == 201, applied.text
    approved = await api.post(
        f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"


async def test_a_hazard_deadline_in_year_9999_is_422_and_records_no_visit(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    report = await _with_photos(api, office, rectification_deadline="9999-12-30")
    response = await _visit(api, office, pid, hazards=[report])
    assert response.status_code == 422
    assert _fields(response) == [["body", "hazards", 0, "rectification_deadline"]]
    shown = await api.get(f"/projects/{pid}", headers=bearer(office.agency))
    assert shown.json()["project"]["visits"] == []


async def test_a_supervision_deadline_in_year_9999_is_422_and_changes_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    _, (hazard_id,) = await _found(api, office, {"level": "major"})
    before = hazard_store.get(engine, hazard_id)
    response = await api.post(
        f"/hazards/{hazard_id}/supervise",
        headers=bearer(office.county),
        json={"deadline": "9999-12-30"},
    )
    assert response.status_code == 422
    assert _fields(response) == [["body", "deadline"]]
    assert hazard_store.get(engine, hazard_id) == before


# ---------------------------------------------------------------- 5. one spelling per code


async def test_a_full_width_digit_names_the_same_person_full_time_elsewhere(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    rival = People(engine, fresh_agency(), county="331121")
    application = facts(rival.number, first_professional=20, registered_county_code="331121")
    twin = professional(3)
    twin["id_number"] = "３" + id_number(3)[1:]  # what a Chinese input method types
    application["professionals"].append(twin)
    response = await api.post("/agencies", headers=bearer(rival.agency), json=application)
    assert response.status_code == 409
    assert response.json()["detail"][0]["type"] == "agency.full_time_elsewhere"
    assert agencies.get(engine, rival.uscc) is None


@pytest.mark.parametrize("digit", ["٣", "३", "๓"])
async def test_a_digit_of_another_script_is_422(
    api: httpx.AsyncClient, people: People, engine: Engine, digit: str
) -> None:
    application = facts(people.number)
    application["professionals"][0]["id_number"] = digit + id_number(1)[1:]
    response = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert response.status_code == 422
    assert _fields(response) == [["body", "professionals", 0, "id_number"]]
    assert agencies.get(engine, people.uscc) is None


async def test_a_county_code_in_another_script_is_422(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    response = await _apply(api, people, out_of_town=True, registered_county_code="٣٣٠١٠٢")
    assert response.status_code == 422
    assert _fields(response) == [["body", "registered_county_code"]]
    assert agencies.get(engine, people.uscc) is None


# ---------------------------------------------------------------- 12. numbers past the database's


async def test_an_offset_past_any_page_is_422_not_500(api: httpx.AsyncClient) -> None:
    response = await api.get("/public/agencies", params={"offset": 2**63})
    assert response.status_code == 422
    assert _fields(response) == [["query", "offset"]]
