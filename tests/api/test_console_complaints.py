"""举报 in the console (issue 13, point 5): a citizen files and tracks a complaint from
pages that need no sign-in; the handling county finds it in its queue and its page with the
forms of its stage; the agency complained about reaches none of it."""

import re

import httpx
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from agencyflow.store import complaints
from tests.api.test_projects import PNG, admitted
from tests.console_people import signed_in
from tests.waiting import eventually

FILED = re.compile(r'id="complaint-code">([A-Z0-9]+)<.*id="complaint-secret">([^<]+)<', re.S)
PHONE = "13957008888"


async def test_a_citizen_files_and_tracks_a_complaint_without_signing_in(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    form = await api.get("/console/complaint")
    assert form.status_code == 200 and 'name="account"' in form.text
    assert 'action="/console/complaint"' in form.text

    filed = await api.post(
        "/console/complaint",
        data={
            "agency": office.uscc,
            "account": "该机构检测人员未到现场，报告数据系编造。",
            "enterprise_county": "331102",
            "reporter_phone": PHONE,
        },
        files=[("attachments", ("现场.png", PNG, "image/png"))],
    )
    assert filed.status_code == 201, filed.text
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
    wrong = await api.post("/console/complaint/track", data={"code": code, "secret": "guess"})
    assert wrong.status_code == 404 and "待受理" not in wrong.text


async def test_a_bad_complaint_is_shown_again_with_its_faults_and_files_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    refused = await api.post(
        "/console/complaint",
        data={"agency": "某咨询公司", "account": "太短", "reporter_phone": "abc"},
        files=[("attachments", ("a.png", b"not a picture", "image/png"))],
    )
    assert refused.status_code == 422
    assert "file.not_accepted" in refused.text  # the attachment is checked first
    assert 'value="某咨询公司"' in refused.text  # what was written is kept…
    assert "abc" not in refused.text  # …but not the reporter's details
    short = await api.post(
        "/console/complaint",
        data={"agency": "某咨询公司", "account": "太短", "reporter_phone": "abc"},
    )
    assert short.status_code == 422
    assert 'data-for="account"' in short.text and 'data-for="reporter_phone"' in short.text
    total, _ = complaints.search(engine, county_code=None, stage=None, limit=10, offset=0)
    assert total == 0


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
    page = await api.get(f"/console/complaints/{code}", headers=county.page())
    assert page.status_code == 200
    assert f'data-api="POST /complaints/{code}/acceptance"' in page.text
    assert f'data-api="POST /complaints/{code}/reporter"' in page.text
    assert "实名举报（身份已加密）" in page.text and PHONE not in page.text

    accepted = await api.post(f"/complaints/{code}/acceptance", headers=county.console())
    assert accepted.status_code == 200
    page = await api.get(f"/console/complaints/{code}", headers=county.page())
    assert f'data-api="POST /complaints/{code}/outcome"' in page.text
    assert f'data-api="POST /complaints/{code}/acceptance"' not in page.text

    revealed = await api.post(
        f"/complaints/{code}/reporter", headers=county.console(), json={"reason": "核实"}
    )
    assert revealed.status_code == 200
    audit = await api.get("/console/complaints", headers=city.page())
    assert "举报人身份查看记录" in audit.text and "核实" in audit.text
    assert (
        "举报人身份查看记录"
        not in (await api.get("/console/complaints", headers=county.page())).text
    )

    for path in ("/console/complaints", f"/console/complaints/{code}"):
        refused = await api.get(path, headers=agency.page())
        assert refused.status_code == 403 and code not in refused.text
