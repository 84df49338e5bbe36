"""An agency's credit through the API (R8): score and grade from the events that count now,
the ledger behind them, the grade on the public register, and who may read it."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.identity import Role
from agencyflow.domain.project import CreditEvent
from agencyflow.store import agencies, credit
from agencyflow.store.engine import transaction
from agencyflow.workflows.agency.models import agency_workflow_id
from agencyflow.workflows.agency.workflow import AgencyWorkflow
from tests.api.test_hazards import PNG, _photo
from tests.api.test_projects import Office, admitted
from tests.factories import bearer, fresh_agency, uscc, user
from tests.waiting import eventually

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
async def office(api: httpx.AsyncClient, engine: Engine) -> Office:
    return await admitted(api, engine)


async def _reported(
    temporal: Client,
    engine: Engine,
    office: Office,
    **events: tuple[int | None, dt.timedelta],
) -> None:
    """Events as projects report them, ``source=(points, how long ago)``: appended to the
    ledger by the project's record, then signalled to the agency's workflow, whose score the
    answers show once it has taken them."""
    sent = [
        CreditEvent(
            agency_uscc=office.uscc,
            source=f"projects/{office.uscc}-{name}#report.late",
            kind="report.late",
            occurred_at=NOW - ago,
            points=points,
            details={"days_late": 3},
        )
        for name, (points, ago) in events.items()
    ]
    with transaction(engine) as session:
        for event in sent:
            credit.append_in(session, event)
    handle = temporal.get_workflow_handle(agency_workflow_id(office.uscc))
    for event in sent:
        await handle.signal(AgencyWorkflow.credit_event, event)
    counting = {e.source for e in sent if NOW - e.occurred_at < dt.timedelta(days=365)}

    async def taken() -> bool:
        state = await handle.query(AgencyWorkflow.state)
        return counting <= {e.source for e in state.credit}  # recorded before it is the state

    await eventually(taken)


async def test_score_and_grade_come_from_the_events_that_count(
    api: httpx.AsyncClient, office: Office, engine: Engine, temporal: Client
) -> None:
    await _reported(
        temporal,
        engine,
        office,
        old=(10, dt.timedelta(days=400)),  # past the 12 months: no longer counts
        spring=(10, dt.timedelta(days=200)),
        autumn=(5, dt.timedelta(days=20)),
        unsettled=(None, dt.timedelta(days=1)),  # written before points were settled: −2
    )
    shown = await api.get(f"/agencies/{office.uscc}/credit", headers=bearer(office.agency))
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["score"], body["grade"], body["close_supervision"]) == (83, "B", False)
    assert [(e["source"].split("-")[-1], e["points"]) for e in body["counted"]] == [
        ("unsettled#report.late", 2),
        ("autumn#report.late", 5),
        ("spring#report.late", 10),
    ]
    assert [e["source"].split("-")[-1] for e in body["expired"]] == ["old#report.late"]
    assert body["counted"][0]["link"] == f"/projects/{office.uscc}-unsettled"

    public = (await api.get("/public/agencies")).json()["items"]
    assert {a["uscc"]: a["credit_grade"] for a in public}[office.uscc] == "B"


async def test_a_grade_below_c_marks_the_agency_for_close_supervision(
    api: httpx.AsyncClient, office: Office, engine: Engine, temporal: Client
) -> None:
    await _reported(
        temporal, engine, office, a=(20, dt.timedelta(days=3)), b=(11, dt.timedelta(days=2))
    )
    body = (await api.get(f"/agencies/{office.uscc}/credit", headers=bearer(office.county))).json()
    assert (body["score"], body["grade"], body["close_supervision"]) == (69, "D", True)


async def test_only_the_agency_and_its_regulators_read_its_credit(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    _, other_agency = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    url = f"/agencies/{office.uscc}/credit"
    assert (await api.get(url, headers=bearer(office.city))).status_code == 200
    assert (await api.get(url, headers=bearer(office.county))).status_code == 200
    for token in (other_agency, office.other_county, office.owner):
        response = await api.get(url, headers=bearer(token))
        assert response.status_code == 403, response.text
    assert (await api.get(url)).status_code == 401
    missing = "/agencies/91331102MA9999999X/credit"
    assert (await api.get(missing, headers=bearer(office.city))).status_code == 404


async def _record(
    api: httpx.AsyncClient, office: Office, token: str, **body: str
) -> httpx.Response:
    return await api.post(
        f"/agencies/{office.uscc}/credit/events", headers=bearer(token), json=body
    )


async def test_a_regulator_records_a_penalty_once_and_the_grade_follows(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    penalty = {
        "kind": "administrative_penalty_serious",
        "reference": "丽应急罚〔2026〕12号",
        "reason": "出具虚假检查记录",
    }
    recorded = await _record(api, office, office.county, **penalty)
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert (body["score"], body["grade"]) == (80, "B")
    (entry,) = body["counted"]
    assert entry["points"] == 20
    assert entry["clause"] == "credit_deductions.administrative_penalty_serious"
    assert entry["recorded_by"] and entry["details"]["reference"] == "丽应急罚〔2026〕12号"

    again = await _record(api, office, office.county, **penalty)
    assert again.status_code == 409, again.text
    assert again.json()["detail"][0]["type"] == "credit.already_recorded"
    # The same number typed with an input method's digits, or with stray spaces, is the
    # same decision.
    for spelling in (
        "丽应急罚〔２０２６〕１２号",
        " 丽应急罚〔2026〕12号  ",
        "丽应急罚〔2026〕１２号",
    ):
        respelt = await _record(api, office, office.county, **{**penalty, "reference": spelling})
        assert respelt.status_code == 409, (spelling, respelt.text)
    blank = await _record(api, office, office.county, **{**penalty, "reference": " \u3000 "})
    assert blank.status_code == 422, blank.text
    assert blank.json()["detail"][0]["loc"] == ["body", "reference"]

    beyond = {"kind": "work_beyond_scope", "reference": "LS-2026-009", "reason": "超资质范围"}
    fallen = await _record(api, office, office.city, **beyond)
    assert (fallen.json()["score"], fallen.json()["grade"]) == (70, "C")
    shown = agencies.get(engine, office.uscc)
    assert shown is not None and shown.credit_grade is CreditGrade.C
    inbox = (await api.get("/inbox", headers=bearer(office.county))).json()["items"]
    assert ("credit.grade_dropped", f"agencies/{office.uscc}") in [
        (i["kind"], i["resource"]) for i in inbox
    ]
    assert len(credit.of_agency(engine, office.uscc)) == 2


async def test_a_recording_out_of_place_changes_nothing(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    good = {"kind": "major_hazard_missed", "reference": "H-1", "reason": "漏查粉尘涉爆隐患"}
    for token in (office.agency, office.other_county, office.owner):
        response = await _record(api, office, token, **good)
        assert response.status_code == 403, response.text
    bad = await _record(api, office, office.county, kind="fine", reference="", reason="x" * 2001)
    assert bad.status_code == 422
    assert {tuple(e["loc"]) for e in bad.json()["detail"]} == {
        ("body", "kind"),
        ("body", "reference"),
        ("body", "reason"),
    }
    assert credit.of_agency(engine, office.uscc) == []


async def test_procurement_follows_the_grade_and_needs_no_token(
    api: httpx.AsyncClient, office: Office
) -> None:
    url = f"/public/agencies/{office.uscc}/procurement"
    allowed = (await api.get(url)).json()
    assert (allowed["may_sell"], allowed["grade"], allowed["min_grade"]) == (True, "A", "C")
    assert allowed["reasons"] == []
    for kind, reference in (
        ("administrative_penalty_serious", "丽应急罚〔2026〕1号"),
        ("work_beyond_scope", "LS-1"),
        ("major_hazard_missed", "H-1"),
    ):
        recorded = await _record(
            api, office, office.county, kind=kind, reference=reference, reason="查实"
        )
        assert recorded.status_code == 201, recorded.text
    refused = (await api.get(url)).json()
    assert (refused["may_sell"], refused["grade"]) == (False, "D")
    listed = (await api.get("/agencies", headers=bearer(office.county))).json()["items"]
    mine = next(item for item in listed if item["uscc"] == office.uscc)
    assert (mine["credit_grade"], mine["close_supervision"]) == ("D", True)
    assert refused["reasons"] == ["its credit grade D is below C"]
    missing = await api.get("/public/agencies/91331102MA9999999X/procurement")
    assert missing.status_code == 404


async def test_an_objection_through_the_api_revokes_the_event(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    recorded = await _record(
        api, office, office.county, kind="work_beyond_scope", reference="LS-7", reason="超范围"
    )
    (entry,) = recorded.json()["counted"]
    url = f"/credit-events/{entry['id']}/objection"
    _, other_agency = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    body = {"reasons": ["该项目在资质范围内"]}
    assert (await api.post(url, headers=bearer(other_agency), json=body)).status_code == 403
    assert (await api.post(url, headers=bearer(office.county), json=body)).status_code == 403
    assert (await api.post(url, headers=bearer(office.agency), json={})).status_code == 422
    objected = await api.post(url, headers=bearer(office.agency), json=body)
    assert objected.status_code == 201, objected.text
    again = await api.post(url, headers=bearer(office.agency), json=body)
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "credit.already_objected"

    decision = f"{url}/decision"
    revoke = {"revoke": True, "reasons": ["核实属实"]}
    assert (await api.post(decision, headers=bearer(office.agency), json=revoke)).status_code == 403
    no_reason = await api.post(decision, headers=bearer(office.county), json={"revoke": True})
    assert no_reason.status_code == 422
    decided = await api.post(decision, headers=bearer(office.county), json=revoke)
    assert decided.status_code == 200, decided.text
    assert (decided.json()["score"], decided.json()["counted"]) == (100, [])
    (gone,) = decided.json()["expired"]
    assert gone["revoked_at"] is not None
    assert (await api.post(decision, headers=bearer(office.county), json=revoke)).status_code == 409

    # An event that does not exist: the city hears so; an agency cannot tell it from another's.
    missing = "/credit-events/999999/objection"
    city_asks = await api.post(f"{missing}/decision", headers=bearer(office.city), json=revoke)
    assert city_asks.status_code == 404
    assert (await api.post(missing, headers=bearer(office.agency), json=body)).status_code == 403


async def test_a_veto_makes_the_agency_d_at_once_and_refers_it_to_the_city(
    api: httpx.AsyncClient, office: Office
) -> None:
    vetoed = await _record(
        api, office, office.county, kind="affiliation", reference="挂靠-1", reason="专职人员挂靠"
    )
    assert vetoed.status_code == 201, vetoed.text
    body = vetoed.json()
    assert (body["score"], body["grade"], body["vetoed"]) == (100, "D", True)
    assert body["counted"][0]["clause"] == "veto"
    inbox = (await api.get("/inbox", headers=bearer(office.city))).json()["items"]
    assert "credit.untrustworthy_referral" in [i["kind"] for i in inbox]
    procurement = (await api.get(f"/public/agencies/{office.uscc}/procurement")).json()
    assert (procurement["may_sell"], procurement["grade"]) == (False, "D")


async def test_an_objection_after_its_working_days_is_409_and_changes_nothing(
    api: httpx.AsyncClient, office: Office, engine: Engine, temporal: Client
) -> None:
    # Twenty days ago: at least 5 working days whatever the holidays.
    await _reported(temporal, engine, office, spring=(5, dt.timedelta(days=20)))
    shown = (await api.get(f"/agencies/{office.uscc}/credit", headers=bearer(office.agency))).json()
    (entry,) = shown["counted"]
    url = f"/credit-events/{entry['id']}/objection"
    late = await api.post(url, headers=bearer(office.agency), json={"reasons": ["迟到的异议"]})
    assert late.status_code == 409, late.text
    assert late.json()["detail"][0]["type"] == "credit.objection_too_late"
    after = (await api.get(f"/agencies/{office.uscc}/credit", headers=bearer(office.agency))).json()
    assert (after["objections"], after["score"]) == ([], 95)
    unknown_file = await api.post(
        url, headers=bearer(office.agency), json={"reasons": ["x"], "files": ["0" * 64]}
    )
    assert unknown_file.status_code == 422
    assert unknown_file.json()["detail"][0]["type"] == "file.unknown"


async def test_an_objections_evidence_is_shown_to_the_agencys_regulators_only(
    api: httpx.AsyncClient, office: Office
) -> None:
    recorded = await _record(
        api, office, office.county, kind="work_beyond_scope", reference="LS-9", reason="超范围"
    )
    (entry,) = recorded.json()["counted"]
    photo = await _photo(api, office.agency, PNG, "资质证书.png")
    url = f"/credit-events/{entry['id']}/objection"
    body = {"reasons": ["资质范围内"], "files": [photo]}
    assert (await api.post(url, headers=bearer(office.agency), json=body)).status_code == 201
    for token in (office.county, office.city, office.agency):
        assert (await api.get(f"/files/{photo}", headers=bearer(token))).status_code == 200
    for token in (office.other_county, office.owner):
        assert (await api.get(f"/files/{photo}", headers=bearer(token))).status_code == 404
