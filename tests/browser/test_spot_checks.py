"""The county's spot-check coverage page in Chromium (issue 12, acceptance): the half year's
sample per county, and a check examined from its page."""

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.workflows.spot_check.models import SamplingInput
from agencyflow.workflows.spot_check.sampling import SpotCheckSamplingWorkflow
from tests.api.test_projects import _today, admitted
from tests.api.test_spot_check_draws import _reported
from tests.browser.test_console import sign_in
from tests.console_people import console_login


async def test_the_county_sees_its_coverage_and_examines_a_drawn_report(
    page: Page, site: str, engine: Engine, temporal: Client, api_settings: Settings
) -> None:
    async with httpx.AsyncClient(base_url=site, timeout=10) as http:
        office = await admitted(http, engine)
        reported = await _reported(http, office, "B-SC-1")
    period = "2026H2" if _today() >= "2026-07-01" else "2026H1"
    opened = await temporal.execute_workflow(
        SpotCheckSamplingWorkflow.run,
        SamplingInput(period=period),
        id=f"sampling-browser-{reported}",
        task_queue=api_settings.temporal_task_queue,
    )
    assert opened == [reported]
    console_login(engine, Role.COUNTY_REGULATOR, "county-sc", county_code="331102")

    await sign_in(page, "county-sc")
    await page.goto(f"/console/spot-checks?period={period}")
    row = page.locator('table.coverage tr[data-county="331102"]')
    await expect(row).to_contain_text("莲都区")
    await expect(row.locator("td").nth(1)).to_have_text("1")
    await page.locator(f'a[href="/console/spot-checks/{reported}"]').click()
    await page.get_by_label("对照报告导则的审查意见").fill("隐患数量与现场记录一致")
    await page.get_by_role("button", name="提交审查意见").click()
    await expect(page.locator("section.facts")).to_contain_text("审查")
    await expect(page.get_by_text("隐患数量与现场记录一致").first).to_be_visible()
