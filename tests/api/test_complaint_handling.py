"""Complaints handled through the API (issue 13; R13): attachments the public sends, a later
report merged into the complaint that answers for both with the first reporter keeping the
reward, the reward approved and paid, the deadlines in the regulators' notifications, and
the rewards agencies pay their own whistleblowers."""

import datetime as dt

import httpx
from sqlalchemy import Engine

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.complaints import complaint_resource
from agencyflow.domain.identity import Role
from agencyflow.store import complaints, notifications
from tests.api.test_projects import PDF, PNG, admitted
from tests.factories import bearer, fresh_agency, uscc, user
from tests.waiting import eventually

TODAY = dt.datetime.now(CHINA_TZ).date()


async def _file(api: httpx.AsyncClient, engine: Engine, **body: object) -> tuple[str, str]:
    sent = {"account": "该机构未到现场即出具隐患排查报告。", **body}
    filed = await api.post("/public/complaints", json=sent)
    assert filed.status_code == 201, filed.text
    code, secret = filed.json()["code"], filed.json()["secret"]
    await eventually(lambda: complaints.get(engine, code) is not None)
    return code, secret


async def attach(api: httpx.AsyncClient, name: str, content: bytes) -> httpx.Response:
    return await api.post("/public/complaints/attachments", files={"file": (name, content)})


async def test_attachments_are_checked_by_content_and_shown_only_to_the_handling_regulators(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    photo, report = await attach(api, "现场.png", PNG), await attach(api, "报告.pdf", PDF)
    assert photo.status_code == report.status_code == 201, photo.text
    assert report.json()["content_type"] == "application/pdf"
    disguised = await attach(api, "现场.png", b"MZ\x90\x00 not a picture")
    assert disguised.status_code == 422
    assert disguised.json()["detail"][0]["type"] == "file.not_accepted"

    ids = [photo.json()["file_id"], report.json()["file_id"]]
    unknown = await api.post(
        "/public/complaints",
        json={"agency_uscc": office.uscc, "account": "附件未上传的举报内容", "files": ["0" * 64]},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "files"
    code, _ = await _file(api, engine, agency_uscc=office.uscc, files=ids)
    shown = complaints.get(engine, code)
    assert shown is not None and shown.subject.files == ids

    for file_id in ids:
        seen = await api.get(f"/files/{file_id}", headers=bearer(office.county))
        assert seen.status_code == 200
        for stranger in (office.agency, office.other_county):
            assert (await api.get(f"/files/{file_id}", headers=bearer(stranger))).status_code == 404


async def test_a_complaint_tells_its_county_of_its_deadline(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    code, _ = await _file(api, engine, agency_uscc=office.uscc)
    [told] = notifications.get(engine, f"open:{complaint_resource(code)}:complaint.acceptance")
    assert told.office == "county_regulator:331102"
    assert "期限：" in told.body and told.link == f"/console/complaints/{code}"


async def test_a_merged_report_keeps_the_first_reporters_reward_until_it_is_paid(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county = bearer(office.county)
    first, first_secret = await _file(
        api, engine, agency_uscc=office.uscc, reporter={"phone": "13957001234"}
    )
    later, later_secret = await _file(
        api, engine, agency_uscc=office.uscc, account="同一机构的报告照片系翻拍，未到现场。"
    )
    elsewhere, _ = await _file(
        api,
        engine,
        agency_uscc=office.uscc,
        enterprise_county="331121",
        account="另一县企业的报告未到现场即出具。",
    )

    itself = await api.post(f"/complaints/{later}/merge", headers=county, json={"report": later})
    assert itself.status_code == 422
    other_office = await api.post(
        f"/complaints/{later}/merge", headers=bearer(office.city), json={"report": elsewhere}
    )
    assert other_office.status_code == 422
    assert other_office.json()["detail"][0]["type"] == "complaint.merge_elsewhere"
    merged = await api.post(f"/complaints/{later}/merge", headers=county, json={"report": first})
    assert merged.status_code == 200, merged.text
    assert [r["code"] for r in merged.json()["progress"]["merged"]] == [first]
    await eventually(lambda: complaints.get(engine, first).progress.stage.value == "merged")  # type: ignore[union-attr]
    closed = await api.post(f"/complaints/{first}/acceptance", headers=county)
    assert closed.status_code == 409

    assert (await api.post(f"/complaints/{later}/acceptance", headers=county)).status_code == 200
    outcome = {
        "outcome": "true",
        "findings": "内部：属实",
        "published": "经查属实",
        "fine_yuan": 10,
    }
    decided = await api.post(f"/complaints/{later}/outcome", headers=county, json=outcome)
    reward = decided.json()["progress"]["reward"]
    assert (reward["reward_yuan"], reward["bound"]) == ("3000.00", "min")
    assert decided.json()["progress"]["reward_holder"] == first

    first_view = (
        await api.get(f"/public/complaints/{first}", headers={"X-Complaint-Secret": first_secret})
    ).json()
    assert first_view["stage"] == "merged" and first_view["merged_into"] == later
    assert (first_view["outcome_stage"], first_view["published"]) == ("decided", "经查属实")
    assert first_view["reward_yuan"] == "3000.00" and first_view["reward_paid_on"] is None
    later_view = (
        await api.get(f"/public/complaints/{later}", headers={"X-Complaint-Secret": later_secret})
    ).json()
    assert later_view["reward_yuan"] is None

    path = f"/complaints/{later}/reward"
    early = await api.post(f"{path}/payment", headers=county, json={"paid_on": str(TODAY)})
    assert early.status_code == 409
    assert (await api.post(f"{path}/approval", headers=bearer(office.agency))).status_code == 403
    assert (await api.post(f"{path}/approval", headers=county)).status_code == 200
    ahead = str(TODAY + dt.timedelta(days=3))
    assert (
        await api.post(f"{path}/payment", headers=county, json={"paid_on": ahead})
    ).status_code == 422
    paid = await api.post(f"{path}/payment", headers=county, json={"paid_on": str(TODAY)})
    assert paid.status_code == 200 and paid.json()["progress"]["reward_paid_on"] == str(TODAY)
    again = await api.post(f"{path}/payment", headers=county, json={"paid_on": str(TODAY)})
    assert again.status_code == 409
    first_view = (
        await api.get(f"/public/complaints/{first}", headers={"X-Complaint-Secret": first_secret})
    ).json()
    assert first_view["reward_paid_on"] == str(TODAY)


async def test_an_agency_records_the_rewards_it_pays_its_own_whistleblowers(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    _, stranger = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    path = f"/agencies/{office.uscc}/whistleblower-rewards"
    body = {"matter": "员工举报项目负责人代签报告", "amount_yuan": 2000, "paid_on": str(TODAY)}
    headers = {**bearer(office.agency), "Idempotency-Key": "reward-2026-1"}
    for _ in range(2):  # the same request again records nothing more
        recorded = await api.post(path, headers=headers, json=body)
        assert recorded.status_code == 201, recorded.text
    ahead = {**body, "paid_on": str(TODAY + dt.timedelta(days=1))}
    assert (await api.post(path, headers=bearer(office.agency), json=ahead)).status_code == 422
    assert (await api.post(path, headers=bearer(stranger), json=body)).status_code == 403
    assert (await api.post(path, headers=bearer(office.county), json=body)).status_code == 403

    listed = await api.get(path, headers=bearer(office.county))
    assert listed.json()["total"] == 1
    assert listed.json()["items"][0]["amount_yuan"] == "2000.00"
    assert (await api.get(path, headers=bearer(stranger))).status_code == 403
