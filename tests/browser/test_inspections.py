"""The county's quarterly inspection in Chromium (issue 12, acceptance): the coverage page,
and an agency's inspection recorded from its page with a rectification ordered."""

import datetime as dt

import httpx
from playwright.async_api import Page, expect
from sqlalchemy import Engine

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.inspections import quarter_of
from agencyflow.store import inspections
from tests.api.test_projects import admitted
from tests.browser.test_console import sign_in
from tests.console_people import console_login
from tests.factories import bearer
from tests.waiting import eventually


async def test_the_county_sees_its_coverage_and_records_an_inspection(
    page: Page, site: str, engine: Engine
) -> None:
    quarter = quarter_of(dt.datetime.now(CHINA_TZ).date())
    async with httpx.AsyncClient(base_url=site, timeout=10) as http:
        office = await admitted(http, engine)
        opened = await http.post(
            "/inspections/campaigns", headers=bearer(office.city), json={"quarter": quarter}
        )
        assert opened.status_code == 201, opened.text
    await eventually(lambda: inspections.get(engine, "331102", quarter, office.uscc) is not None)
    console_login(engine, Role.COUNTY_REGULATOR, "county-in", county_code="331102")

    await sign_in(page, "county-in")
    await page.get_by_role("link", name="季度检查").click()
    row = page.locator('table.coverage tr[data-county="331102"]')
    await expect(row).to_contain_text("莲都区")
    await expect(row.locator("td").nth(1)).to_have_text("1")  # planned
    await expect(row.locator("td").nth(2)).to_have_text("0")  # done

    await page.locator(f'tr[data-agency="{office.uscc}"] a').click()
    await page.get_by_label("档案管理").select_option("false")
    await page.get_by_label("检查发现").fill("两个项目档案缺少现场照片")
    deadline = (dt.datetime.now(CHINA_TZ).date() + dt.timedelta(days=15)).isoformat()
    await page.get_by_label("整改期限（责令整改时）").fill(deadline)
    await page.get_by_label("整改要求").fill("补齐现场照片")
    await page.get_by_label("警示或约谈").select_option("interview")
    await page.get_by_role("button", name="提交检查结果").click()
    await expect(page.locator('tr[data-item="archives"]')).to_contain_text("不符合")
    await expect(page.locator("section.facts")).to_contain_text(f"限期至 {deadline}")
    await expect(page.get_by_role("button", name="提交复查结果")).to_be_visible()

    await page.get_by_role("link", name="季度检查").click()
    await expect(row.locator("td").nth(2)).to_have_text("1")  # done
    await expect(row.locator("td").nth(4)).to_have_text("1")  # rectifying
