"""The county's reform programme in Chromium (issue 12, point 5): the county's regulator
names a task's owner, keeps its service-type list with checkpoints and a report guideline,
and submits a task's evidence from the programme's page."""

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from tests.api.test_hazards import PNG
from tests.browser.test_console import sign_in
from tests.console_people import console_login
from tests.factories import bearer, user


async def test_the_county_keeps_its_programme_from_its_page(
    page: Page, site: str, engine: Engine
) -> None:
    _, county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    async with httpx.AsyncClient(base_url=site, timeout=10) as http:
        opened = await http.post("/reform/331102/2093", headers=bearer(county))
        assert opened.status_code == 201, opened.text
    console_login(engine, Role.COUNTY_REGULATOR, "county-rf", county_code="331102")

    await sign_in(page, "county-rf")
    await page.goto("/console/reform")
    await page.locator('a[href="/console/reform/331102/2093"]').click()
    task = page.locator('tr[data-task="type_list"]')
    await expect(task).to_contain_text("办理中")

    actions = page.locator('section[data-actions="type_list"]')
    await actions.get_by_label("责任单位（单位或岗位）").fill("莲都区应急管理局监管科")
    await actions.get_by_role("button", name="保存").click()
    await expect(task).to_contain_text("莲都区应急管理局监管科")

    # Closing the list task needs the list first: the refusal is shown on the form.
    evidence = page.locator('form[data-api$="/tasks/type_list/evidence"]')
    await evidence.locator('input[name="files"]').set_input_files(
        {"name": "通知.png", "mimeType": "image/png", "buffer": PNG}
    )
    await evidence.get_by_role("button", name="提交").click()
    await expect(evidence.locator(".form-error")).to_contain_text("reform.service_types_incomplete")

    types = page.locator('form[data-api$="/service-types"]')
    await types.locator('select[name="types.0.service_type"]').select_option("risk_census")
    await types.locator('textarea[name="types.0.checkpoints"]').fill("现场核实风险点\n报告三级审核")
    await types.locator('input[name="types.0.guidelines.0.code"]').fill("DB3311/T 9-2025")
    await types.locator('input[name="types.0.guidelines.0.title"]').fill("风险普查报告编制导则")
    await types.get_by_role("button", name="保存清单").click()
    await expect(page.locator('section[data-service-type="risk_census"]')).to_contain_text(
        "DB3311/T 9-2025"
    )

    evidence = page.locator('form[data-api$="/tasks/type_list/evidence"]')
    await evidence.locator('input[name="files"]').set_input_files(
        {"name": "通知.png", "mimeType": "image/png", "buffer": PNG}
    )
    await evidence.get_by_label("说明").fill("县政府办公室印发")
    await evidence.get_by_role("button", name="提交").click()
    await expect(page.locator('tr[data-task="type_list"]')).to_contain_text("待销号")
