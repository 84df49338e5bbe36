"""The county's reform programme through the API (issue 12, point 5; R1, R15): opening, the
service-type list, owners, evidence and the city's sign-off, the city's task list, a
project naming its guideline, and every refusal (another county 403 whether its programme
exists or not, a close-out without evidence 422).

The dev server is shared by the session, so each test takes a year of its own: a
programme's workflow id is its county's and year's."""

from typing import Any

import httpx
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from tests.api.test_hazards import PNG
from tests.api.test_projects import admitted
from tests.console_people import signed_in
from tests.factories import bearer, fresh_agency, uscc, user

TYPES: dict[str, Any] = {
    "types": [
        {
            "service_type": "hazard_investigation",
            "checkpoints": ["进场前制定排查方案", "隐患逐项拍照取证"],
            "guidelines": [{"code": "DB3311/T 12-2025", "title": "隐患排查报告编制导则"}],
        }
    ]
}


def _detail(response: httpx.Response) -> tuple[int, str, list[Any]]:
    entry = response.json()["detail"][0]
    return response.status_code, entry["type"], entry["loc"]


async def _evidence(api: httpx.AsyncClient, token: str) -> str:
    uploaded = await api.post(
        "/files", headers=bearer(token), files={"file": ("通知.png", PNG, "image/png")}
    )
    assert uploaded.status_code == 201, uploaded.text
    file_id: str = uploaded.json()["file_id"]
    return file_id


async def test_a_programme_from_opening_to_close_out_with_every_refusal(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    _, other = user(engine, Role.COUNTY_REGULATOR, county_code="331121")
    _, city = user(engine, Role.CITY_REGULATOR)
    _, city_two = user(engine, Role.CITY_REGULATOR)
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    path = "/reform/331102/2090"

    assert (await api.post(path, headers=bearer(other))).status_code == 403
    assert (await api.post(path, headers=bearer(agency))).status_code == 403
    opened = await api.post(path, headers=bearer(county))
    assert opened.status_code == 201, opened.text
    body = opened.json()
    assert [t["key"] for t in body["tasks"]] == [
        "type_list",
        "guideline",
        "capability_test",
        "verification",
        "summary",
    ]
    assert {t["status"] for t in body["tasks"]} == {"open"}
    again = await api.post(path, headers=bearer(city))
    assert _detail(again)[:2] == (409, "reform.already_open")

    # Another county: 403, whether its programme exists or not; its own missing one: 404.
    assert _detail(await api.get(path, headers=bearer(other)))[:2] == (403, "auth.out_of_scope")
    missing = "/reform/331121/2090"
    assert (await api.get(missing, headers=bearer(county))).status_code == 403
    assert (await api.get(missing, headers=bearer(other))).status_code == 404
    assert (await api.get(path, headers=bearer(agency))).status_code == 403
    assert (await api.get(path, headers=bearer(city))).status_code == 200

    types = f"{path}/service-types"
    assert (await api.put(types, headers=bearer(other), json=TYPES)).status_code == 403
    bad = {"types": [{**TYPES["types"][0], "guidelines": [{"code": "导则一", "title": "x"}]}]}
    assert (await api.put(types, headers=bearer(county), json=bad)).status_code == 422
    twice = {"types": TYPES["types"] * 2}
    assert (await api.put(types, headers=bearer(county), json=twice)).status_code == 422
    listed = await api.put(types, headers=bearer(county), json=TYPES)
    assert listed.status_code == 200, listed.text
    assert listed.json()["types"]["types"][0]["guidelines"][0]["code"] == "DB3311/T 12-2025"

    owner = f"{path}/tasks/type_list/owner"
    unit = {"owner": "莲都区应急管理局监管科"}
    assert (await api.post(owner, headers=bearer(other), json=unit)).status_code == 403
    nowhere = await api.post(f"{path}/tasks/nothing/owner", headers=bearer(county), json=unit)
    assert _detail(nowhere)[:2] == (404, "reform.task_not_found")
    key = {"Idempotency-Key": "reform-owner-1"}
    named = await api.post(owner, headers=bearer(county) | key, json=unit)
    repeated = await api.post(owner, headers=bearer(county) | key, json=unit)
    assert named.status_code == repeated.status_code == 200
    kinds = [e["kind"] for e in repeated.json()["timeline"]]
    assert kinds.count("reform.owner") == 1  # the same command again is acted on once
    assert repeated.json()["tasks"][0]["owner"] == unit["owner"]

    evidence = f"{path}/tasks/type_list/evidence"
    empty = await api.post(evidence, headers=bearer(county), json={"files": [], "note": "x"})
    assert empty.status_code == 422 and _detail(empty)[2] == ["body", "files"]
    unknown = await api.post(evidence, headers=bearer(county), json={"files": ["b" * 64]})
    assert _detail(unknown) == (422, "file.unknown", ["body", "files", 0])
    file_id = await _evidence(api, county)
    proof = {"files": [file_id], "note": "县政府办公室印发"}
    assert (await api.post(evidence, headers=bearer(other), json=proof)).status_code == 403
    submitted = await api.post(evidence, headers=bearer(county), json=proof)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["tasks"][0]["status"] == "submitted"
    assert (await api.get(f"/files/{file_id}", headers=bearer(city))).status_code == 200
    assert (await api.get(f"/files/{file_id}", headers=bearer(other))).status_code == 404

    sign = f"{path}/tasks/type_list/sign-off"
    by_county = await api.post(sign, headers=bearer(county), json={})
    assert _detail(by_county)[:2] == (403, "reform.sign_off_by_city")
    unproven = await api.post(f"{path}/tasks/summary/sign-off", headers=bearer(city), json={})
    assert _detail(unproven) == (422, "reform.evidence_required", ["body", "evidence"])
    no_reason = await api.post(sign, headers=bearer(city), json={"accepted": False})
    assert _detail(no_reason)[:2] == (422, "decision.reasons_required")
    closed = await api.post(sign, headers=bearer(city_two), json={"accepted": True})
    assert closed.status_code == 200, closed.text
    task = closed.json()["tasks"][0]
    assert task["status"] == "closed" and task["signed_off_by"] is not None
    late = await api.post(sign, headers=bearer(city), json={})
    assert _detail(late)[:2] == (409, "reform.task_closed")

    # The city's view of every county's lists; a county sees its own only.
    tasks = await api.get("/reform/tasks", headers=bearer(city), params={"year": 2090})
    assert tasks.status_code == 200 and tasks.json()["total"] == 5
    closed_only = await api.get(
        "/reform/tasks", headers=bearer(city), params={"year": 2090, "status": "closed"}
    )
    assert [i["task"]["key"] for i in closed_only.json()["items"]] == ["type_list"]
    overdue = await api.get(
        "/reform/tasks", headers=bearer(city), params={"year": 2090, "overdue": "true"}
    )
    assert overdue.json()["total"] == 0
    assert (
        await api.get("/reform/tasks", headers=bearer(county), params={"county": "331121"})
    ).status_code == 403
    assert (await api.get("/reform/tasks", headers=bearer(agency))).status_code == 403
    programmes = await api.get("/reform", headers=bearer(other))
    assert programmes.status_code == 200 and programmes.json() == []

    # The console's page of the programme, for the county's regulator.
    person = await signed_in(api, engine, Role.COUNTY_REGULATOR, "reform-1", county_code="331102")
    page = await api.get("/console/reform/331102/2090", headers=person.page())
    assert page.status_code == 200 and 'data-task="type_list"' in page.text
    assert 'data-status="closed"' in page.text and "DB3311/T 12-2025" in page.text
    listing = await api.get("/console/reform", headers=person.page())
    assert listing.status_code == 200 and "/console/reform/331102/2090" in listing.text


async def test_a_project_names_a_guideline_its_county_adopted(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    path = "/reform/331102/2091"
    assert (await api.post(path, headers=bearer(office.county))).status_code == 201
    listed = await api.put(f"{path}/service-types", headers=bearer(office.county), json=TYPES)
    assert listed.status_code == 200, listed.text
    request = office.request()
    assert request["service_type"] == "hazard_investigation"

    unadopted = await api.post(
        "/projects", headers=bearer(office.agency), json={**request, "guideline": "GB/T 1-2020"}
    )
    assert _detail(unadopted) == (422, "project.guideline_not_adopted", ["body", "guideline"])
    created = await api.post(
        "/projects",
        headers=bearer(office.agency),
        json={**request, "guideline": "DB3311/T 12-2025"},
    )
    assert created.status_code == 201, created.text
    project = created.json()["project"]
    assert project["request"]["guideline"] == "DB3311/T 12-2025"
    person = await signed_in(api, engine, Role.COUNTY_REGULATOR, "reform-2", county_code="331102")
    page = await api.get(f"/console/projects/{project['project_id']}", headers=person.page())
    assert page.status_code == 200 and "DB3311/T 12-2025" in page.text
