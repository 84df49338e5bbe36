"""Pictures of the main pages for the README (`make screenshots` keeps them in
docs/screenshots/); in the suite they are taken too, so the target cannot rot unseen."""

import datetime as dt
import os
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import Engine

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from tests.api.test_projects import admitted
from tests.browser.conftest import PHONE, Profiles
from tests.browser.pictures import png
from tests.browser.test_console import sign_in
from tests.console_people import console_login
from tests.factories import bearer, fresh_agency, hazard, project_request

SHOTS = "AGENCYFLOW_SCREENSHOTS"
"""Where to keep the pictures (make screenshots sets it); a temporary folder otherwise."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    chosen = Path(os.environ.get(SHOTS) or tmp_path)
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


async def _scene(site: str, engine: Engine) -> tuple[str, str]:
    """Two agencies, three projects at different stages, general and major hazards."""
    async with httpx.AsyncClient(base_url=site, timeout=10) as http:
        first = await admitted(http, engine)
        second = await admitted(http, engine, first_professional=10)
        today = dt.datetime.now(CHINA_TZ)
        projects = []
        scenes = ((first, "LS-2026-101", "331102"), (first, "LS-2026-102", "331102"))
        for office, contract, county in (*scenes, (second, "QT-2026-7", "331121")):
            request = project_request(fresh_agency(), contract_number=contract, county=county)
            made = await http.post("/projects", headers=bearer(office.agency), json=request)
            assert made.status_code == 201, made.text
            projects.append(made.json()["project"]["project_id"])
        pid = projects[0]
        await http.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(first.county))
        plan = {"summary": "按合同开展全面隐患排查，每月一次现场服务。"}
        await http.post(f"/projects/{pid}/plan", headers=bearer(first.agency), json=plan)
        photo = await http.post(
            "/files", headers=bearer(first.agency), files={"file": ("p.png", png(), "image/png")}
        )
        sha = photo.json()["file_id"]
        found = [
            hazard(photos=[sha], example_photos=[sha]),
            hazard(
                level="major",
                location="粉尘车间除尘系统",
                description="除尘器未设泄爆装置",
                category="dust_explosion",
                photos=[sha],
                example_photos=[sha],
                discovered_at=today.isoformat(timespec="seconds"),
            ),
        ]
        visit = {
            "visited_on": today.date().isoformat(),
            "present": ["p1"],
            "activities": ["inspection", "training"],
            "notes": "检查生产车间、仓库及配电房，发现隐患 2 处。",
            "hazards": found,
        }
        done = await http.post(f"/projects/{pid}/visits", headers=bearer(first.agency), json=visit)
        assert done.status_code == 201, done.text
        listed = await http.get(f"/projects/{pid}/hazards", headers=bearer(first.agency))
        hazard_id = listed.json()["items"][-1]["hazard_id"]
        console_login(engine, Role.COUNTY_REGULATOR, "shots-county", county_code="331102")
        console_login(engine, Role.CITY_REGULATOR, "shots-city")
        console_login(engine, Role.AGENCY, "shots-agency", agency_uscc=first.uscc)
        return pid, hazard_id


async def _shoot(page: Page, path: str, picture: Path) -> None:
    await page.goto(path)
    await expect(page.locator("main h1")).to_be_visible()
    taken = await page.screenshot(path=picture, full_page=True)
    assert len(taken) > 10_000, f"{picture.name} looks empty"


async def test_screenshots_of_the_main_pages(
    profiles: Profiles, site: str, engine: Engine, folder: Path
) -> None:
    pid, hazard_id = await _scene(site, engine)
    county = await (await profiles.new()).new_page()
    await sign_in(county, "shots-county")
    await _shoot(county, "/console/", folder / "inbox.png")
    await _shoot(county, f"/console/hazards/{hazard_id}", folder / "hazard.png")
    await _shoot(county, "/console/hazards/major", folder / "major-hazards.png")
    await _shoot(county, "/console/agencies", folder / "agencies.png")

    city = await (await profiles.new()).new_page()
    await sign_in(city, "shots-city")
    await _shoot(city, "/console/overview", folder / "overview.png")
    await _shoot(city, "/console/projects", folder / "projects.png")

    clerk = await (await profiles.new()).new_page()
    await sign_in(clerk, "shots-agency")
    await _shoot(clerk, f"/console/projects/{pid}", folder / "project.png")
    await clerk.set_viewport_size(PHONE)
    await _shoot(clerk, "/console/", folder / "inbox-phone.png")
