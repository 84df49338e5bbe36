"""The console's pages by role (issue 11, point 3): each shows what the API shows the same
person, and each form's command is the API's own route, sent with the session's cookie and
CSRF token."""

import datetime as dt
from collections.abc import Iterator

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from agencyflow import console
from agencyflow.console.routes import INBOX_PAGE
from agencyflow.console.web import viewer
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.inbox import Addressee, InboxMessage
from agencyflow.store import inbox
from tests.api.test_projects import PNG, Office, _today, admitted
from tests.console_people import Person, signed_in
from tests.factories import bearer, hazard


async def _people(api: httpx.AsyncClient, engine: Engine, office: Office) -> tuple[Person, Person]:
    county = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"county-{office.number}", county_code="331102"
    )
    agency = await signed_in(
        api, engine, Role.AGENCY, f"agency-{office.number}", agency_uscc=office.uscc
    )
    return county, agency


async def test_the_inbox_page_counts_every_item_and_pages_through_them(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    county = Addressee.county("331102")
    due = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    for n in range(INBOX_PAGE + 1):  # the last one is the least urgent
        item = InboxMessage(
            resource=f"projects/p{n:03d}",
            kind="filing.review",
            addressee=county,
            title=f"待办{n:03d}",
            due_at=due + dt.timedelta(minutes=n),
        )
        inbox.send(engine, item)
    person = await signed_in(api, engine, Role.COUNTY_REGULATOR, "pager", county_code="331102")

    first = await api.get("/console/", headers=person.page())
    last = await api.get(f"/console/?offset={INBOX_PAGE}", headers=person.page())

    assert f"{INBOX_PAGE + 1} 项" in first.text and "下一页" in first.text
    assert "待办000" in first.text and f"待办{INBOX_PAGE:03d}" not in first.text
    assert f"待办{INBOX_PAGE:03d}" in last.text and "待办000" not in last.text


async def test_a_county_sees_the_filing_in_its_inbox_acknowledges_it_and_it_leaves(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county, agency = await _people(api, engine, office)
    created = await api.post("/projects", headers=bearer(office.agency), json=office.request())
    assert created.status_code == 201, created.text
    pid = created.json()["project"]["project_id"]

    inbox = await api.get("/console/", headers=county.page())
    assert f'href="/console/projects/{pid}"' in inbox.text

    page = await api.get(f"/console/projects/{pid}", headers=county.page())
    assert page.status_code == 200
    assert f'data-api="POST /projects/{pid}/filing/acknowledge"' in page.text
    assert 'data-stage="filing"' in page.text
    # The agency's steps are not the county's.
    assert not any(form.endswith("/plan") for form in _forms(page.text))

    done = await api.post(f"/projects/{pid}/filing/acknowledge", headers=county.console())
    assert done.status_code == 200, done.text
    assert done.json()["project"]["filing_status"] == "acknowledged"

    after = await api.get("/console/", headers=county.page())
    assert f"/console/projects/{pid}" not in after.text
    agency_page = await api.get(f"/console/projects/{pid}", headers=agency.page())
    assert f'data-api="POST /projects/{pid}/plan"' in agency_page.text
    assert "filing/acknowledge" not in agency_page.text


def _forms(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('data-api="')[1:]]


async def test_an_agency_records_a_visit_with_a_hazard_and_its_photo_and_sees_both(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county, agency = await _people(api, engine, office)
    created = await api.post("/projects", headers=agency.console(), json=office.request())
    assert created.status_code == 201, created.text
    pid = created.json()["project"]["project_id"]
    await api.post(f"/projects/{pid}/filing/acknowledge", headers=county.console())
    plan = await api.post(
        f"/projects/{pid}/plan", headers=agency.console(), json={"summary": "方案"}
    )
    assert plan.status_code == 200, plan.text

    photo = await api.post(
        "/files", headers=agency.console(), files={"file": ("hazard.png", PNG, "image/png")}
    )
    assert photo.status_code == 201, photo.text
    sha = photo.json()["file_id"]
    visit = {
        "visited_on": _today(),
        "present": ["p1"],
        "activities": ["inspection"],
        "hazards": [hazard(photos=[sha], example_photos=[sha])],
    }
    recorded = await api.post(f"/projects/{pid}/visits", headers=agency.console(), json=visit)
    assert recorded.status_code == 201, recorded.text

    page = await api.get(f"/console/projects/{pid}", headers=agency.page())
    assert "冲压机光电保护装置失效" in page.text
    assert f'src="/files/{sha}"' in page.text
    image = await api.get(f"/files/{sha}", headers=agency.page())
    assert image.status_code == 200 and image.content == PNG

    hazard_id = (await api.get(f"/projects/{pid}/hazards", headers=bearer(office.agency))).json()[
        "items"
    ][0]["hazard_id"]
    shown = await api.get(f"/console/hazards/{hazard_id}", headers=county.page())
    assert shown.status_code == 200
    assert f'src="/files/{sha}"' in shown.text and "修复光电保护装置" in shown.text
    listed = await api.get("/console/hazards", headers=county.page())
    assert hazard_id in listed.text
    ledger = await api.get(f"/console/enterprises/{uscc_of(office)}", headers=county.page())
    assert ledger.status_code == 200 and "冲压机光电保护装置失效" in ledger.text
    assert f"/enterprises/{uscc_of(office)}/ledger?format=xlsx" in ledger.text


def uscc_of(office: Office) -> str:
    return office.request()["enterprise"]["uscc"]


async def test_registers_and_overview_render_for_regulators(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county, agency = await _people(api, engine, office)
    city = await signed_in(api, engine, Role.CITY_REGULATOR, f"city-{office.number}")
    await api.post("/projects", headers=bearer(office.agency), json=office.request())

    agencies = await api.get("/console/agencies", headers=county.page())
    assert agencies.status_code == 200 and office.uscc in agencies.text
    mine = await api.get("/console/agencies", headers=agency.page())
    assert mine.status_code == 303
    assert mine.headers["location"].endswith(f"/console/agencies/{office.uscc}")
    page = await api.get(f"/console/agencies/{office.uscc}", headers=agency.page())
    assert page.status_code == 200 and 'data-status="active"' in page.text

    overview = await api.get("/overview", headers=city.bearer())
    assert overview.status_code == 200
    lishui = {c["county_code"]: c for c in overview.json()["counties"]}
    assert lishui["331102"]["open_projects"] == 1 and len(lishui) == 10
    assert len(overview.json()["months"]) == 12
    assert overview.json()["months"][-1]["projects_started"] == 1  # this month, counted in SQL
    own = await api.get("/overview", headers=county.bearer())
    assert [c["county_code"] for c in own.json()["counties"]] == ["331102"]
    shown = await api.get("/console/overview", headers=city.page())
    assert shown.status_code == 200 and shown.text.count("<svg") == 3 and "莲都区" in shown.text
    assert (await api.get("/console/overview", headers=agency.page())).status_code == 403
    for path in ("/console/projects", "/console/hazards/major", "/console/hazards"):
        assert (await api.get(path, headers=city.page())).status_code == 200, path


async def test_pages_without_a_session_send_the_browser_to_sign_in(api: httpx.AsyncClient) -> None:
    for path in (
        "/console/",
        "/console/projects",
        "/console/overview",
        "/console/agencies",
        "/console/complaints",
        "/console/complaints/JB0000000000",
    ):
        answer = await api.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].endswith("/console/login")


def _needs_a_session(route: APIRoute) -> bool:
    def calls(dependant: Dependant) -> Iterator[object]:
        for dependency in dependant.dependencies:
            yield dependency.call
            yield from calls(dependency)

    return viewer in set(calls(route.dependant))


async def test_every_console_page_needs_a_session_but_the_declared_public_ones(
    api: httpx.AsyncClient,
) -> None:
    undeclared = []
    for router in console.ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if route.path not in console.PUBLIC_PAGES and not _needs_a_session(route):
                undeclared.append(f"{sorted(route.methods)} {route.path}")
    assert undeclared == []
    for path in ("/console/login", "/console/complaint", "/console/complaint/track"):
        answer = await api.get(path)
        assert answer.status_code == 200, path
        assert 'class="who"' not in answer.text  # nobody is shown as signed in


async def test_a_county_works_a_major_hazard_up_its_ladder_from_its_pages(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county, agency = await _people(api, engine, office)
    created = await api.post("/projects", headers=agency.console(), json=office.request())
    pid = created.json()["project"]["project_id"]
    await api.post(f"/projects/{pid}/filing/acknowledge", headers=county.console())
    await api.post(f"/projects/{pid}/plan", headers=agency.console(), json={"summary": "方案"})
    photo = await api.post(
        "/files", headers=agency.console(), files={"file": ("before.png", PNG, "image/png")}
    )
    sha = photo.json()["file_id"]
    found_at = dt.datetime.now(CHINA_TZ).isoformat(timespec="seconds")
    major = hazard(
        level="major",
        description="除尘器未设泄爆装置",
        discovered_at=found_at,
        photos=[sha],
        example_photos=[sha],
    )
    visit = {
        "visited_on": _today(),
        "present": ["p1"],
        "activities": ["inspection"],
        "hazards": [major],
    }
    recorded = await api.post(f"/projects/{pid}/visits", headers=agency.console(), json=visit)
    assert recorded.status_code == 201, recorded.text
    listed = await api.get(f"/projects/{pid}/hazards", headers=agency.bearer())
    hazard_id = listed.json()["items"][-1]["hazard_id"]
    base = f"/hazards/{hazard_id}"

    board = await api.get("/console/hazards/major", headers=county.page())
    assert hazard_id in board.text and "待签收" in board.text
    assert _forms((await api.get(f"/console{base}", headers=county.page())).text) == [
        f"POST {base}/acknowledge"
    ]
    acknowledged = await api.post(f"{base}/acknowledge", headers=county.console(), json={})
    assert acknowledged.status_code == 200, acknowledged.text
    assert _forms((await api.get(f"/console{base}", headers=county.page())).text) == [
        f"POST {base}/supervise"
    ]
    deadline = (dt.datetime.now(CHINA_TZ).date() + dt.timedelta(days=10)).isoformat()
    supervised = await api.post(
        f"{base}/supervise", headers=county.console(), json={"deadline": deadline}
    )
    assert supervised.status_code == 200, supervised.text
    assert deadline in (await api.get("/console/hazards/major", headers=county.page())).text

    assert f"POST {base}/evidence" in _forms(
        (await api.get(f"/console{base}", headers=agency.page())).text
    )
    evidence = {
        "after_photos": [sha],
        "description": "已加装泄爆片",
        "rectified_on": _today(),
    }
    submitted = await api.post(f"{base}/evidence", headers=agency.console(), json=evidence)
    assert submitted.status_code == 200, submitted.text
    assert f"POST {base}/verify" in _forms(
        (await api.get(f"/console{base}", headers=county.page())).text
    )
    # As the form sends it: the chosen option's value, a string.
    verified = await api.post(f"{base}/verify", headers=county.console(), json={"accepted": "true"})
    assert verified.status_code == 200, verified.text
    assert verified.json()["hazard"]["status"] == "closed"
    assert hazard_id not in (await api.get("/console/hazards/major", headers=county.page())).text
