"""举报 in Chromium (issue 13, acceptance): a citizen files a complaint with a photo without
signing in, keeps the code and secret the answer shows once, and tracks it; the county finds
it in its queue, accepts it, and reveals its reporter only with a reason."""

from pathlib import Path

from playwright.async_api import Page, expect
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from agencyflow.store import complaints
from tests.browser.pictures import png
from tests.browser.test_console import sign_in
from tests.console_people import console_login
from tests.waiting import eventually

PHONE = "13957006666"


async def test_a_citizen_files_a_complaint_without_signing_in_and_the_county_takes_it_up(
    page: Page, site: str, engine: Engine, tmp_path: Path
) -> None:
    photo = tmp_path / "现场.png"
    photo.write_bytes(png())
    await page.goto("/console/login")
    await page.get_by_role("link", name="我要举报").click()
    await expect(page.locator("main h1")).to_have_text("举报安全生产社会化服务机构")
    await page.get_by_label("被举报机构（名称或统一社会信用代码）").fill("丽水某安全咨询有限公司")
    await page.get_by_label("企业所在区县（如知道）").select_option("331102")
    await page.get_by_label("举报内容").fill("未到现场")
    await page.get_by_role("button", name="提交举报").click()
    # Sent back: the fault beside its field, what was written kept, the form still sendable.
    await expect(page.locator(".field-error[data-for='account']")).to_contain_text("至少 10 个字")
    await expect(page.get_by_label("被举报机构（名称或统一社会信用代码）")).to_have_value(
        "丽水某安全咨询有限公司"
    )
    await page.get_by_label("举报内容").fill("该机构未到现场即出具隐患排查报告，照片系翻拍。")
    await page.get_by_label("附件（照片或 PDF，最多 5 个）").set_input_files(photo)
    await page.get_by_label("联系电话").fill(PHONE)
    await page.screenshot(path=tmp_path / "complaint-form.png", full_page=True)
    await page.get_by_role("button", name="提交举报").click()

    await expect(page.locator("main h1")).to_have_text("举报已提交")
    await page.screenshot(path=tmp_path / "complaint-filed.png", full_page=True)
    code = (await page.locator("#complaint-code").text_content() or "").strip()
    secret = (await page.locator("#complaint-secret").text_content() or "").strip()
    assert code.startswith("JB") and len(secret) > 20
    await eventually(lambda: complaints.get(engine, code) is not None)

    await page.get_by_role("link", name="查询办理进展").click()
    await page.get_by_label("举报编号").fill(code)
    await page.get_by_label("查询密码").fill(secret)
    await page.get_by_role("button", name="查询").click()
    await expect(page.locator("#tracked-stage")).to_have_text("待受理")
    assert secret not in page.url  # sent in the body, kept out of addresses and logs

    console_login(engine, Role.COUNTY_REGULATOR, "county-complaints", county_code="331102")
    await sign_in(page, "county-complaints")
    await page.get_by_role("link", name="举报", exact=True).click()
    row = page.locator(f'tr[data-code="{code}"]')
    await expect(row).to_contain_text("待受理")
    await expect(row).to_contain_text("莲都区")
    await page.screenshot(path=tmp_path / "complaints.png", full_page=True)
    await row.locator("a").click()
    await expect(page.locator("main h1")).to_contain_text(code)
    await expect(page.locator("section.facts")).to_contain_text("实名举报（身份已加密）")
    await expect(page.locator("main")).not_to_contain_text(PHONE)
    await page.get_by_role("button", name="受理", exact=True).click()
    await expect(page.locator("main h1")).to_contain_text("调查中")

    reveal = page.locator(f'form[data-api="POST /complaints/{code}/reporter"]')
    await reveal.get_by_role("button", name="查看").click()
    await expect(reveal.locator(".field-error[data-for='reason']")).not_to_be_empty()
    await reveal.get_by_label("查看理由（记录在案，市局可查）").fill("需向举报人核实现场情况")
    await reveal.get_by_role("button", name="查看").click()
    await expect(reveal.locator('dd[data-field="phone"]')).to_have_text(PHONE)
    await page.screenshot(path=tmp_path / "complaint.png", full_page=True)
