"""Complaints filed without an account (issue 13, begun; R13): a tracking code and a secret,
the reporter's identity sealed at rest and never in a workflow, a rate limit per address,
and a repeat refused."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import Engine, MetaData, select
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.store import complaints, credit
from agencyflow.temporal_client import connect_temporal
from agencyflow.workflows.complaint.models import complaint_workflow_id
from agencyflow.workflows.complaint.workflow import ComplaintWorkflow
from tests.api.test_complaint_handling import attach
from tests.api.test_health import _closed_port
from tests.api.test_projects import PDF, PNG, admitted
from tests.console_people import FORM_CSRF
from tests.factories import bearer, id_number
from tests.serving import in_process_api, serving
from tests.waiting import eventually

PHONE = "13957001234"


def _complaint(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "agency_name": "丽水某安全咨询有限公司",
        "account": "该机构未到现场即出具隐患排查报告，报告照片系翻拍。",
    }
    body.update(changes)
    return body


async def test_an_anonymous_complaint_is_tracked_with_its_code_and_secret_only(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    filed = await api.post("/public/complaints", json=_complaint())
    assert filed.status_code == 201, filed.text
    code, secret = filed.json()["code"], filed.json()["secret"]
    await eventually(lambda: complaints.get(engine, code) is not None)
    shown = complaints.get(engine, code)
    assert shown is not None and shown.subject.reporter_ref is None
    assert shown.subject.county_code is None  # an agency not on the register: the city

    tracked = await api.get(f"/public/complaints/{code}", headers={"X-Complaint-Secret": secret})
    assert tracked.status_code == 200
    assert tracked.json()["stage"] == "filed" and tracked.json()["published"] is None
    for headers in ({"X-Complaint-Secret": "wrong"}, {}):
        assert (await api.get(f"/public/complaints/{code}", headers=headers)).status_code == 404
    missing = await api.get(
        "/public/complaints/JB000000000000", headers={"X-Complaint-Secret": secret}
    )
    assert missing.status_code == 404
    assert (
        missing.json()
        == (await api.get(f"/public/complaints/{code}", headers={"X-Complaint-Secret": "x"})).json()
    )


async def test_a_named_reporter_is_sealed_at_rest_and_never_in_the_workflow(
    api: httpx.AsyncClient, engine: Engine, temporal: Client, api_settings: Settings
) -> None:
    office = await admitted(api, engine)
    person = id_number(77)
    body = _complaint(
        agency_uscc=office.uscc,
        enterprise_county="331121",
        reporter={"name": "王某某", "phone": PHONE, "id_number": person},
    )
    filed = await api.post("/public/complaints", json=body)
    assert filed.status_code == 201, filed.text
    code = filed.json()["code"]
    await eventually(lambda: complaints.get(engine, code) is not None)
    shown = complaints.get(engine, code)
    assert shown is not None and shown.subject.reporter_ref is not None
    assert shown.subject.county_code == "331121"  # where the agency worked
    assert shown.subject.agency_name == f"丽水安全技术服务有限公司{office.number}"

    # Nowhere in the database in clear…
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        stored = " ".join(
            str(row)
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        )
    for secret in (PHONE, person, "王某某"):
        assert secret not in stored
    # …nor in what the workflow holds, only its reference; the sealed identity opens.
    handle = temporal.get_workflow_handle_for(ComplaintWorkflow.run, complaint_workflow_id(code))
    state = (await handle.query(ComplaintWorkflow.state)).model_dump_json()
    history = (await handle.fetch_history()).to_json()
    for secret in (PHONE, person):
        assert secret not in state and secret not in history
    opened = complaints.reporter(engine, api_settings.reporter_sealer(), shown.subject.reporter_ref)
    assert opened is not None and PHONE.encode() in opened


async def test_a_complaint_sent_twice_is_refused_and_bad_ones_name_their_fields(
    api: httpx.AsyncClient,
) -> None:
    body = _complaint(happened_on="2026-11-01")
    assert (await api.post("/public/complaints", json=body)).status_code == 201
    again = await api.post("/public/complaints", json=body)
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "complaint.duplicate"

    nobody = await api.post("/public/complaints", json={"account": "没有写明被举报机构的举报"})
    assert nobody.status_code == 422
    ahead = await api.post(
        "/public/complaints", json=_complaint(happened_on="2099-01-01", enterprise_county="110101")
    )
    assert ahead.status_code == 422
    assert {e["loc"][-1] for e in ahead.json()["detail"]} == {"happened_on", "enterprise_county"}


@pytest.fixture
async def strict(
    api_settings: Settings, engine: Engine, temporal: Client
) -> AsyncIterator[httpx.AsyncClient]:
    limits = {"complaint_filings_per_hour": 2, "complaint_attachments_per_hour": 1}
    settings = api_settings.model_copy(update=limits)
    async with serving(settings, engine, temporal) as http:
        yield http


async def test_one_address_files_a_few_complaints_an_hour(strict: httpx.AsyncClient) -> None:
    for n in range(2):
        filed = await strict.post(
            "/public/complaints", json=_complaint(account=f"第{n}次举报：未到现场")
        )
        assert filed.status_code == 201, filed.text
    limited = await strict.post(
        "/public/complaints", json=_complaint(account="第三次举报：未到现场")
    )
    assert limited.status_code == 429
    assert limited.json()["detail"][0]["type"] == "complaint.too_many"


async def test_the_county_handles_a_complaint_and_reveals_its_reporter_only_with_a_reason(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    body = _complaint(agency_uscc=office.uscc, reporter={"phone": PHONE})
    filed = (await api.post("/public/complaints", json=body)).json()
    code, secret = filed["code"], filed["secret"]
    await eventually(lambda: complaints.get(engine, code) is not None)
    county, city = bearer(office.county), bearer(office.city)
    path = f"/complaints/{code}"

    listed = await api.get("/complaints", headers=county)
    assert [c["subject"]["code"] for c in listed.json()["items"]] == [code]
    for stranger in (office.agency, office.other_county):
        assert (await api.get(path, headers=bearer(stranger))).status_code == 403
        reveal = await api.post(f"{path}/reporter", headers=bearer(stranger), json={"reason": "x"})
        assert reveal.status_code == 403
    assert (await api.get("/complaints", headers=bearer(office.agency))).status_code == 403

    accepted = await api.post(f"{path}/acceptance", headers=county)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["progress"]["stage"] == "investigating"
    too_long = await api.post(
        f"{path}/extension", headers=county, json={"days": 31, "reason": "取证"}
    )
    assert too_long.status_code == 422
    assert (
        await api.post(f"{path}/extension", headers=county, json={"days": 30, "reason": "取证"})
    ).status_code == 200
    twice = await api.post(f"{path}/extension", headers=county, json={"days": 1, "reason": "再延"})
    assert (
        twice.status_code == 409
        and twice.json()["detail"][0]["type"] == "complaint.already_extended"
    )

    no_reason = await api.post(f"{path}/reporter", headers=county, json={})
    assert no_reason.status_code == 422
    assert (await api.get("/complaints/reveals", headers=city)).json()["total"] == 0
    revealed = await api.post(
        f"{path}/reporter", headers=county, json={"reason": "需向举报人核实现场情况"}
    )
    assert revealed.status_code == 200 and revealed.json()["phone"] == PHONE
    audit = await api.get("/complaints/reveals", headers=city)
    [entry] = audit.json()["items"]
    assert (entry["code"], entry["reason"]) == (code, "需向举报人核实现场情况")
    assert (await api.get("/complaints/reveals", headers=county)).status_code == 403

    outcome = {
        "outcome": "true",
        "findings": "内部：照片为翻拍，已立案",
        "published": "经查属实，已依法处理",
        "fine_yuan": 100000,
        # Typed with an input method's digits: the same decision as the credit work's below.
        "penalty": {"decision_number": " 丽应急罚〔２０２６〕１２号"},
    }
    unfounded = await api.post(
        f"{path}/outcome", headers=county, json={**outcome, "outcome": "not_true"}
    )
    assert unfounded.status_code == 422 and unfounded.json()["detail"][0]["loc"][-1] == "penalty"
    decided = await api.post(f"{path}/outcome", headers=county, json=outcome)
    assert decided.status_code == 200, decided.text
    assert decided.json()["progress"]["reward"]["reward_yuan"] == "15000.00"
    await eventually(lambda: len(credit.of_agency(engine, office.uscc)) == 2)
    assert sorted(e.kind for e in credit.of_agency(engine, office.uscc)) == [
        "administrative_penalty",
        "complaint_found_true",
    ]
    # The same penalty recorded again through the credit work is a duplicate: it counts once.
    again = await api.post(
        f"/agencies/{office.uscc}/credit/events",
        headers=county,
        json={
            "kind": "administrative_penalty",
            "reference": "丽应急罚〔2026〕12号",
            "reason": "举报查实后的行政处罚",
        },
    )
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "credit.already_recorded"
    scored = await api.get(f"/agencies/{office.uscc}/credit", headers=county)
    assert scored.json()["score"] == 100 - 5 - 10
    closed = await api.post(f"{path}/acceptance", headers=county)
    assert closed.status_code == 409

    tracked = await api.get(f"/public/complaints/{code}", headers={"X-Complaint-Secret": secret})
    assert tracked.json()["stage"] == "decided"
    assert tracked.json()["published"] == "经查属实，已依法处理"
    assert "翻拍，已立案" not in tracked.text


async def test_one_address_sends_a_few_attachments_an_hour(strict: httpx.AsyncClient) -> None:
    """The attachments' own hourly limit, apart from the filings'."""
    assert (await attach(strict, "a.png", PNG)).status_code == 201
    limited = await attach(strict, "b.pdf", PDF)
    assert limited.status_code == 429
    assert limited.json()["detail"][0]["type"] == "complaint.too_many_attachments"


async def test_the_console_form_answers_both_limits_on_the_form(strict: httpx.AsyncClient) -> None:
    """The public's form keeps to the same limits, and says so beside what was written."""
    shown = await strict.get("/console/complaint")
    token = FORM_CSRF.search(shown.text)
    assert token is not None
    sent = {"csrf_token": token[1], "agency": "丽水某安全咨询有限公司"}
    photo = [("attachments", ("现场.png", PNG, "image/png"))]

    def account(n: int) -> dict[str, str]:
        return {**sent, "account": f"第{n}次举报：未到现场即出具报告"}

    assert (
        await strict.post("/console/complaint", data=account(1), files=photo)
    ).status_code == 201
    pictures = await strict.post("/console/complaint", data=account(2), files=photo)
    assert pictures.status_code == 429 and "上传的附件过多" in pictures.text
    assert "第2次举报" in pictures.text
    assert (await strict.post("/console/complaint", data=account(2))).status_code == 201
    filings = await strict.post("/console/complaint", data=account(3))
    assert filings.status_code == 429 and "提交的举报过多" in filings.text
    assert "complaint.too_many" in filings.text


KEY = {"Idempotency-Key": "6f1c2a4e-9b7d-4c3e-8a21-5d0e7f9b1c33"}


async def test_a_complaint_sent_again_with_its_key_gets_the_same_code_and_secret(
    api: httpx.AsyncClient, engine: Engine, temporal: Client
) -> None:
    body = _complaint(reporter={"name": "李四", "phone": PHONE})
    first = await api.post("/public/complaints", json=body, headers=KEY)
    assert first.status_code == 201, first.text
    # The answer was lost on the way: the reporter's page sends the same filing again.
    again = await api.post("/public/complaints", json=body, headers=KEY)
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    code, secret = first.json()["code"], first.json()["secret"]
    await eventually(lambda: complaints.get(engine, code) is not None)
    tracked = await api.get(f"/public/complaints/{code}", headers={"X-Complaint-Secret": secret})
    assert tracked.status_code == 200

    # The same key with another complaint is refused, and files nothing.
    other = await api.post(
        "/public/complaints", json=_complaint(account="另一件事：报告数据造假。"), headers=KEY
    )
    assert other.status_code == 409, other.text
    assert other.json()["detail"][0]["type"] == "idempotency.key_reused"
    # Without a key the same complaint is a repeat, as before.
    unkeyed = await api.post("/public/complaints", json=body)
    assert unkeyed.status_code == 409
    assert unkeyed.json()["detail"][0]["type"] == "complaint.duplicate"
    # A key anyone could guess would let a stranger read the secret back: refused.
    short = await api.post("/public/complaints", json=body, headers={"Idempotency-Key": "1"})
    assert short.status_code == 422
    assert short.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_a_filing_cut_short_is_filed_once_when_sent_again_with_its_key(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    body = _complaint(account="该机构出具的评价报告与现场不符。")
    down = api_settings.model_copy(
        update={"temporal_address": f"127.0.0.1:{_closed_port()}", "command_timeout_seconds": 1.0}
    )
    async with in_process_api(down, engine, await connect_temporal(down, lazy=True)) as cut:
        lost = await cut.post("/public/complaints", json=body, headers=KEY)
    assert lost.status_code == 503, lost.text

    async with serving(api_settings, engine, temporal) as api:
        again = await api.post("/public/complaints", json=body, headers=KEY)
        assert again.status_code == 201, again.text
        code = again.json()["code"]
        await eventually(lambda: complaints.get(engine, code) is not None)
        tracked = await api.get(
            f"/public/complaints/{code}", headers={"X-Complaint-Secret": again.json()["secret"]}
        )
        assert tracked.status_code == 200
        once_more = await api.post("/public/complaints", json=body, headers=KEY)
        assert once_more.json() == again.json()
