"""The console in Debian's Chromium (issue 11, point 5): the county's inbox, the agency's
visit with a hazard and its photo, the lock-out, CSRF, two screen sizes, and the API's
documentation, all with nothing fetched from outside the app."""

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, expect
from sqlalchemy import Engine

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from tests.api.test_projects import Office, admitted
from tests.browser.conftest import PHONE
from tests.browser.pictures import png
from tests.console_people import PASSWORD, console_login
from tests.factories import bearer

RENDERING = 30_000
"""Milliseconds the documentation pages may take to render."""


@pytest.fixture
async def http(site: str) -> AsyncIterator[httpx.AsyncClient]:
    """The same site over HTTP, for what a test sets up through the API."""
    async with httpx.AsyncClient(base_url=site, timeout=10) as client:
        yield client


async def sign_in(page: Page, login: str, password: str = PASSWORD) -> None:
    await page.goto("/console/login")
    await page.get_by_label("登录名").fill(login)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()


async def _project(http: httpx.AsyncClient, office: Office) -> str:
    created = await http.post("/projects", headers=bearer(office.agency), json=office.request())
    assert created.status_code == 201, created.text
    return str(created.json()["project"]["project_id"])


async def test_a_county_acknowledges_a_filing_from_its_inbox_and_it_leaves(
    page: Page, http: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(http, engine)
    console_login(engine, Role.COUNTY_REGULATOR, "county-b1", county_code="331102")
    pid = await _project(http, office)

    await sign_in(page, "county-b1")
    item = page.locator(f'tr[data-resource="projects/{pid}"]')
    await expect(item).to_be_visible()
    await item.get_by_role("link").click()
    await expect(page.locator('[data-stage="filing"]')).to_be_visible()
    await page.get_by_role("button", name="确认", exact=True).click()
    await expect(page.locator('[data-stage="planning"]')).to_be_visible()

    await page.get_by_role("link", name="待办").click()
    await expect(page.get_by_role("heading", name="待办")).to_be_visible()
    await expect(page.locator(f'tr[data-resource="projects/{pid}"]')).to_have_count(0)


async def test_an_agency_records_a_visit_with_a_hazard_and_its_photo(
    page: Page, http: httpx.AsyncClient, engine: Engine, tmp_path: Path
) -> None:
    office = await admitted(http, engine)
    console_login(engine, Role.AGENCY, "agency-b2", agency_uscc=office.uscc)
    pid = await _project(http, office)
    await http.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
    await http.post(
        f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"}
    )
    photo = tmp_path / "hazard.png"
    photo.write_bytes(png())

    await sign_in(page, "agency-b2")
    await page.goto(f"/console/projects/{pid}")
    visit = page.locator("#visit-form")
    # Sent empty first: the API's refusal is shown beside the field, in Chinese.
    await visit.get_by_role("button", name="保存服务记录").click()
    missing = visit.locator('.field-error[data-for="visited_on"]')
    await expect(missing).to_have_attribute("data-code", "missing")
    await expect(missing).to_contain_text("必填")
    await expect(visit.locator(".form-error")).to_have_attribute("data-status", "422")

    today = dt.datetime.now(CHINA_TZ).date()
    await visit.get_by_label("服务日期").fill(today.isoformat())
    await visit.get_by_label("p1", exact=False).first.check()
    await visit.get_by_label("全面检查（隐患排查）").check()
    await visit.get_by_label("隐患等级").select_option("general")
    await visit.get_by_label("类别").select_option("on_site")
    await visit.get_by_label("领域").select_option("electrical")
    await visit.get_by_label("位置").fill("配电房")
    await visit.get_by_label("隐患描述").fill("配电柜前堆放杂物")
    await visit.get_by_label("整改责任人").fill("设备科 李明")
    await visit.get_by_label("整改期限").fill((today + dt.timedelta(days=10)).isoformat())
    await visit.get_by_label("整改建议").fill("清理杂物，划定禁放区")
    await visit.get_by_label("隐患照片").set_input_files(photo)
    await visit.get_by_label("正确整改示例图").set_input_files(photo)
    await visit.get_by_role("button", name="保存服务记录").click()

    row = page.locator("table.hazards tbody tr", has_text="配电柜前堆放杂物")
    await expect(row).to_be_visible()
    await row.get_by_role("link").click()
    picture = page.get_by_role("img", name="隐患照片")
    await expect(picture).to_be_visible()
    assert await picture.evaluate("img => img.complete && img.naturalWidth") == 160


async def test_a_wrong_password_is_refused_and_the_fifth_locks_the_login(
    page: Page, engine: Engine
) -> None:
    console_login(engine, Role.CITY_REGULATOR, "city-b3")
    for _ in range(4):
        await sign_in(page, "city-b3", "not the password")
        await expect(page.get_by_role("alert")).to_contain_text("登录名或密码不正确")
    await sign_in(page, "city-b3", "not the password")
    await expect(page.get_by_role("alert")).to_contain_text("已锁定")
    await sign_in(page, "city-b3")  # the right password, too late
    await expect(page.get_by_role("alert")).to_contain_text("已锁定")


async def test_a_form_posted_without_its_csrf_token_is_refused(
    page: Page, engine: Engine, http: httpx.AsyncClient
) -> None:
    console_login(engine, Role.CITY_REGULATOR, "city-b4")
    await page.goto("/console/login")
    await page.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    await page.get_by_label("登录名").fill("city-b4")
    await page.get_by_label("密码").fill(PASSWORD)
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.get_by_role("button", name="登录").click()
    assert (await answer.value).status == 403
    await expect(page.locator("body")).to_contain_text("校验码")

    # Signed in, a command sent without the page's token is refused by the API itself.
    await sign_in(page, "city-b4")
    forged = await page.evaluate(
        "async () => (await fetch('/agencies/91331102MA0001010X/approve', "
        "{method: 'POST', headers: {'Content-Type': 'application/json'}, body: '{}'})).json()"
    )
    assert forged["detail"][0]["type"] == "auth.csrf_missing"


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_pages_fit_the_screen(
    context: BrowserContext, http: httpx.AsyncClient, engine: Engine, size: str
) -> None:
    office = await admitted(http, engine)
    console_login(engine, Role.CITY_REGULATOR, f"city-b5-{size}")
    pid = await _project(http, office)
    page = await context.new_page()
    if size == "phone":
        await page.set_viewport_size(PHONE)
    await sign_in(page, f"city-b5-{size}")
    for path in (
        "/console/",
        "/console/projects",
        f"/console/projects/{pid}",
        "/console/hazards",
        "/console/hazards/major",
        "/console/agencies",
        f"/console/agencies/{office.uscc}",
        "/console/overview",
        "/console/verifications",
        "/console/spot-checks",
        "/console/inspections",
        "/console/reform",
        "/console/complaints",
        "/console/complaint",  # the public's, most often opened on a phone
        "/console/complaint/track",
    ):
        await page.goto(path)
        await expect(page.locator("main h1")).to_be_visible()
        # Nothing wider than the screen but the tables, which scroll in their own box.
        overflow = await page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a {size} screen"


async def test_the_api_documentation_renders_offline(page: Page) -> None:
    await page.goto("/docs")
    # Both render the whole OpenAPI document in the page: seconds on a busy 2-core machine.
    await expect(page.locator(".opblock").first).to_be_visible(timeout=RENDERING)
    assert await page.locator(".opblock").count() > 50
    await page.goto("/redoc")
    # ReDoc draws its menu from the document at once and the operations as they scroll in.
    heading = page.get_by_role("heading", name="agencyflow (0.1.0)")
    await expect(heading).to_be_visible(timeout=RENDERING)
    menu = page.get_by_role("menuitem", name="projects", exact=True)
    await expect(menu).to_be_visible(timeout=RENDERING)
