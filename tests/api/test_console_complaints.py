"""举报 in the console (issue 13, point 5): a citizen files and tracks a complaint from
pages that need no sign-in, from a form no other site can send; the handling county finds
it in its queue and its page with the forms of its stage, the reward with its inputs and
the reports merged into it; the agency complained about reaches none of it."""

import datetime as dt
import re

import httpx
from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.store import complaints
from agencyflow.store.complaints import AttachmentRow, ComplaintAccessRow
from tests.api.test_projects import PNG, admitted
from tests.console_people import FORM_CSRF, signed_in
from tests.factories import bearer
from tests.waiting import eventually

FILED = re.compile(r'id="complaint-code">([A-Z0-9]+)<.*id="complaint-secret">([^<]+)<', re.S)
PHONE = "13957008888"
ACCOUNT = "该机构检测人员未到现场，报告数据系编造。"


async def _form_token(api: httpx.AsyncClient) -> str:
    """The filing form's token; the client keeps the cookie it must match."""
    form = await api.get("/console/complaint")
    assert form.status_code == 200 and 'name="account"' in form.text
    found = FORM_CSRF.search(form.text)
    assert found is not None, form.text
    return found[1]


def _count(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def _filed_total(engine: Engine) -> int:
    """Complaints filed, by their tracking rows: written before the filing answers, where
    the complaint's own row follows from its workflow a moment later."""
    return _count(engine, ComplaintAccessRow)


def _attachments_kept(engine: Engine) -> int:
    return _count(engine, AttachmentRow)


async def test_a_citizen_files_and_tracks_a_complaint_without_signing_in(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    token = await _form_token(api)
    filed = await api.post(
        "/console/complaint",
        data={
            "csrf_token": token,
            "agency": office.uscc,
            "account": ACCOUNT,
            "enterprise_county": "331102",
            "reporter_phone": PHONE,
        },
        files=[("attachments", ("现场.png", PNG, "image/png"))],
    )
    assert filed.status_code == 201, filed.text
    assert "查询密码只显示这一次" in filed.text
    found = FILED.search(filed.text)
    assert found is not None
    code, secret = found[1], found[2]
    await eventually(lambda: complaints.get(engine, code) is not None)
    shown = complaints.get(engine, code)
    assert shown is not None and shown.subject.agency_uscc == office.uscc
    assert len(shown.subject.files) == 1 and shown.subject.reporter_ref is not None
    assert PHONE not in filed.text

    tracked = await api.post("/console/complaint/track", data={"code": code, "secret": secret})
    assert tracked.status_code == 200 and "待受理" in tracked.text
    assert secret not in str(tracked.request.url)
    wrong = await api.post("/console/complaint/track", data={"code": code, "secret": "guess"})
    assert wrong.status_code == 404 and "待受理" not in wrong.text
    assert "没有找到" in wrong.text


async def test_a_form_another_site_sends_files_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    """Another site's page can post the form but read neither the token nor the cookie."""
    sent = {"agency": "某咨询公司", "account": ACCOUNT}
    photo = [("attachments", ("现场.png", PNG, "image/png"))]
    await _form_token(api)  # the cookie is there; the form's token is not sent
    bare = await api.post("/console/complaint", data=sent, files=photo)
    assert bare.status_code == 403 and "页面已失效" in bare.text
    assert 'value="某咨询公司"' in bare.text  # what was written is kept for a real person
    token = await _form_token(api)
    api.cookies.clear()  # a cross-site post carries no SameSite=Lax cookie
    forged = await api.post("/console/complaint", data={**sent, "csrf_token": token}, files=photo)
    assert forged.status_code == 403
    assert _filed_total(engine) == 0 and _attachments_kept(engine) == 0

    retried = await api.post(
        "/console/complaint", data={**sent, "csrf_token": await _form_token(api)}, files=photo
    )
    assert retried.status_code == 201, retried.text


async def test_a_bad_complaint_is_shown_again_with_its_faults_and_keeps_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    token = await _form_token(api)
    short = await api.post(
        "/console/complaint",
        data={
            "csrf_token": token,
            "agency": "某咨询公司",
            "account": "太短",
            "reporter_phone": "abc",
        },
        files=[("attachments", ("现场.png", PNG, "image/png"))],
    )
    assert short.status_code == 422
    assert re.search(r'data-for="account">至少 10 个字', short.text), short.text
    assert re.search(r'data-for="reporter_phone">格式不正确', short.text), short.text
    assert 'value="某咨询公司"' in short.text  # what was written is kept…
    assert "abc" not in short.text  # …but not the reporter's details
    assert _attachments_kept(engine) == 0  # the fields are checked before a file is kept

    disguised = await api.post(
        "/console/complaint",
        data={"csrf_token": token, "agency": "某咨询公司", "account": ACCOUNT},
        files=[("attachments", ("现场.png", b"MZ\x90\x00 not a picture", "image/png"))],
    )
    assert disguised.status_code == 422
    assert re.search(r'data-for="attachments">附件只能是[^<]*file\.not_accepted', disguised.text)

    too_many = await api.post(
        "/console/complaint",
        data={"csrf_token": token, "agency": "某咨询公司", "account": ACCOUNT},
        files=[("attachments", (f"{n}.png", PNG, "image/png")) for n in range(6)],
    )
    assert too_many.status_code == 422 and "附件最多 5 个" in too_many.text
    assert ACCOUNT in too_many.text
    assert _filed_total(engine) == 0 and _attachments_kept(engine) == 0


async def test_a_complaint_sent_twice_from_the_form_is_answered_on_the_form(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    sent = {"csrf_token": await _form_token(api), "agency": "某咨询公司", "account": ACCOUNT}
    assert (await api.post("/console/complaint", data=sent)).status_code == 201
    again = await api.post("/console/complaint", data=sent)
    assert again.status_code == 409
    assert "该举报已经提交过" in again.text and "complaint.duplicate" in again.text
    assert _filed_total(engine) == 1


async def test_the_county_works_a_complaint_from_its_queue_the_agency_reaches_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    filed = await api.post(
        "/public/complaints",
        json={
            "agency_uscc": office.uscc,
            "account": "项目负责人未到现场即签字。",
            "reporter": {"phone": PHONE},
        },
    )
    code = filed.json()["code"]
    await eventually(lambda: complaints.get(engine, code) is not None)
    county = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"c-{office.number}", county_code="331102"
    )
    city = await signed_in(api, engine, Role.CITY_REGULATOR, f"city-{office.number}")
    agency = await signed_in(
        api, engine, Role.AGENCY, f"a-{office.number}", agency_uscc=office.uscc
    )

    queue = await api.get("/console/complaints", headers=county.page())
    assert queue.status_code == 200 and f'href="/console/complaints/{code}"' in queue.text
    row = re.search(rf'<tr[^>]*data-code="{code}">.*?</tr>', queue.text, re.S)
    assert row is not None and "待受理" in row[0] and "莲都区" in row[0] and " 前" in row[0]
    filtered = await api.get("/console/complaints?stage=investigating", headers=county.page())
    assert filtered.status_code == 200 and code not in filtered.text
    page = await api.get(f"/console/complaints/{code}", headers=county.page())
    assert page.status_code == 200
    assert f'data-api="POST /complaints/{code}/acceptance"' in page.text
    assert f'data-api="POST /complaints/{code}/refusal"' in page.text
    assert f'data-api="POST /complaints/{code}/reporter"' in page.text
    assert "实名举报（身份已加密）" in page.text and PHONE not in page.text

    accepted = await api.post(f"/complaints/{code}/acceptance", headers=county.console())
    assert accepted.status_code == 200
    page = await api.get(f"/console/complaints/{code}", headers=county.page())
    assert f'data-api="POST /complaints/{code}/outcome"' in page.text
    assert f'data-api="POST /complaints/{code}/extension"' in page.text
    assert f'data-api="POST /complaints/{code}/acceptance"' not in page.text
    assert "办结期限" in page.text

    revealed = await api.post(
        f"/complaints/{code}/reporter", headers=county.console(), json={"reason": "核实"}
    )
    assert revealed.status_code == 200
    page = await api.get(f"/console/complaints/{code}", headers=county.page())
    assert PHONE not in page.text  # shown once, in place; no page keeps it
    audit = await api.get("/console/complaints", headers=city.page())
    assert "举报人身份查看记录" in audit.text and "核实" in audit.text
    assert (
        "举报人身份查看记录"
        not in (await api.get("/console/complaints", headers=county.page())).text
    )

    for path in ("/console/complaints", f"/console/complaints/{code}"):
        refused = await api.get(path, headers=agency.page())
        assert refused.status_code == 403 and code not in refused.text
        assert PHONE not in refused.text


async def test_a_complaints_page_shows_the_reports_merged_in_and_the_reward_with_its_inputs(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    codes = []
    for account in ("项目负责人未到现场即签字。", "同一项目的报告照片系翻拍。"):
        filed = await api.post(
            "/public/complaints", json={"agency_uscc": office.uscc, "account": account}
        )
        assert filed.status_code == 201, filed.text
        codes.append(filed.json()["code"])
    first, later = codes
    await eventually(lambda: all(complaints.get(engine, c) is not None for c in codes))
    county = bearer(office.county)
    merged = await api.post(f"/complaints/{later}/merge", headers=county, json={"report": first})
    assert merged.status_code == 200, merged.text
    assert (await api.post(f"/complaints/{later}/acceptance", headers=county)).status_code == 200
    decided = await api.post(
        f"/complaints/{later}/outcome",
        headers=county,
        json={
            "outcome": "true",
            "findings": "内部：属实",
            "published": "经查属实",
            "fine_yuan": 10,
        },
    )
    assert decided.status_code == 200, decided.text
    person = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"c-{office.number}", county_code="331102"
    )

    page = await api.get(f"/console/complaints/{later}", headers=person.page())
    assert page.status_code == 200
    assert "<small>已办结</small>" in page.text and '<strong class="verdict">属实' in page.text
    assert f'href="/console/complaints/{first}"' in page.text  # the report merged in
    reward = re.search(r'<section class="reward">.*?</section>', page.text, re.S)
    assert reward is not None
    for shown in ("罚款 10", "15%", "下限 3000 元", "（按下限）", "3000.00 元", first, "待批准"):
        assert shown in reward[0], shown
    assert f'data-api="POST /complaints/{later}/reward/approval"' in page.text
    assert "reward/payment" not in page.text

    approved = await api.post(f"/complaints/{later}/reward/approval", headers=person.console())
    assert approved.status_code == 200, approved.text
    page = await api.get(f"/console/complaints/{later}", headers=person.page())
    assert "待兑付" in page.text and "reward/approval" not in page.text
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    assert f'data-api="POST /complaints/{later}/reward/payment"' in page.text
    assert f'value="{today}"' in page.text

    joined = await api.get(f"/console/complaints/{first}", headers=person.page())
    assert joined.status_code == 200
    assert f'已并入 <a href="/console/complaints/{later}">' in joined.text
