"""Every console action is refused exactly as the API refuses it (issue 11, acceptance):
one case per kind of refusal, sent once with the person's session as the console sends it
and once with their bearer token, and both answers compared, status and codes."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from tests.api.test_projects import Office, _today, admitted
from tests.console_people import Person, signed_in
from tests.factories import bearer


@dataclass
class Scene:
    office: Office
    pid: str
    agency: Person
    county: Person
    other_county: Person
    city: Person


@pytest.fixture
async def scene(api: httpx.AsyncClient, engine: Engine) -> Scene:
    """A project whose filing awaits the county."""
    office = await admitted(api, engine)
    n = office.number
    created = await api.post("/projects", headers=bearer(office.agency), json=office.request())
    assert created.status_code == 201, created.text
    return Scene(
        office=office,
        pid=created.json()["project"]["project_id"],
        agency=await signed_in(api, engine, Role.AGENCY, f"a-{n}", agency_uscc=office.uscc),
        county=await signed_in(api, engine, Role.COUNTY_REGULATOR, f"c-{n}", county_code="331102"),
        other_county=await signed_in(
            api, engine, Role.COUNTY_REGULATOR, f"o-{n}", county_code="331181"
        ),
        city=await signed_in(api, engine, Role.CITY_REGULATOR, f"city-{n}"),
    )


Case = Callable[[Scene], tuple[Person, str, str, Any]]
CASES: dict[str, tuple[int, Case]] = {
    "a field the form left wrong (422)": (
        422,
        lambda s: (s.agency, "POST", f"/projects/{s.pid}/plan", {"summary": ""}),
    ),
    "a rule of the step (422)": (
        422,
        lambda s: (s.county, "POST", f"/projects/{s.pid}/filing/return", {"reasons": []}),
    ),
    "a step out of order (409)": (
        409,
        lambda s: (s.agency, "POST", f"/projects/{s.pid}/end", {"ended_on": _today()}),
    ),
    "a role that may not (403)": (
        403,
        lambda s: (s.agency, "POST", f"/projects/{s.pid}/filing/acknowledge", None),
    ),
    "another county's project (403)": (
        403,
        lambda s: (s.other_county, "POST", f"/projects/{s.pid}/filing/acknowledge", None),
    ),
    # Only to whom would see it if it were there: to others it is 403, as out of scope.
    "nothing there (404)": (
        404,
        lambda s: (s.city, "POST", f"/projects/{s.office.uscc}-000000000000/spot-check", None),
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
async def test_the_console_is_refused_as_the_api_is(
    api: httpx.AsyncClient, scene: Scene, kind: str
) -> None:
    status, case = CASES[kind]
    person, method, path, body = case(scene)
    before = (await api.get(f"/projects/{scene.pid}", headers=scene.county.bearer())).json()

    by_api = await api.request(method, path, headers=person.bearer(), json=body)
    by_console = await api.request(method, path, headers=person.console(), json=body)

    assert by_api.status_code == by_console.status_code == status, by_console.text
    assert _codes(by_console) == _codes(by_api)
    after = (await api.get(f"/projects/{scene.pid}", headers=scene.county.bearer())).json()
    assert after["project"] == before["project"]  # neither changed anything


def _codes(answer: httpx.Response) -> list[tuple[str, tuple[Any, ...]]]:
    return [(entry["type"], tuple(entry["loc"])) for entry in answer.json()["detail"]]


async def test_a_console_command_without_its_csrf_token_is_403_and_changes_nothing(
    api: httpx.AsyncClient, scene: Scene
) -> None:
    path = f"/projects/{scene.pid}/filing/acknowledge"
    forged = await api.post(path, headers=scene.county.page())
    assert forged.status_code == 403
    assert _codes(forged) == [("auth.csrf_missing", ())]
    wrong = await api.post(path, headers={**scene.county.page(), "X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    shown = (await api.get(f"/projects/{scene.pid}", headers=scene.county.page())).json()
    assert shown["project"]["filing_status"] == "pending"
    done = await api.post(path, headers=scene.county.console())
    assert done.status_code == 200, done.text


async def test_an_ended_session_is_401_as_a_missing_token_is(
    api: httpx.AsyncClient, scene: Scene
) -> None:
    out = await api.post(
        "/console/logout",
        headers=scene.agency.page(),
        data={"csrf_token": scene.agency.csrf},
    )
    assert out.status_code == 303
    ended = await api.get(f"/projects/{scene.pid}", headers=scene.agency.page())
    missing = await api.get(f"/projects/{scene.pid}")
    assert ended.status_code == missing.status_code == 401
    assert _codes(ended)[0][0] == _codes(missing)[0][0] == "auth.unauthenticated"


async def test_a_page_the_api_refuses_shows_the_apis_status_and_code(
    api: httpx.AsyncClient, scene: Scene
) -> None:
    by_api = await api.get(f"/projects/{scene.pid}", headers=scene.other_county.bearer())
    page = await api.get(f"/console/projects/{scene.pid}", headers=scene.other_county.page())
    assert page.status_code == by_api.status_code == 403
    assert f"<code>{by_api.json()['detail'][0]['type']}</code>" in page.text
    assert "无权" in page.text
