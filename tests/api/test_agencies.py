"""The agency routes through a real worker: application, review, rejections, scope."""

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.service import RPCError

from agencyflow.domain.identity import Role
from agencyflow.store import agencies
from agencyflow.store.audit import AuditEntry
from tests.factories import (
    bearer,
    facts,
    fresh_agency,
    id_number,
    professional,
    project_request,
    uscc,
    user,
)
from tests.waiting import eventually


class People:
    """Tokens for an agency, its county regulator, another county's and the city's."""

    def __init__(self, engine: Engine, number: int, county: str = "331102") -> None:
        self.number = number
        self.uscc = uscc(number)
        _, self.agency = user(engine, Role.AGENCY, agency_uscc=self.uscc)
        _, self.county = user(engine, Role.COUNTY_REGULATOR, county_code=county)
        _, self.other_county = user(engine, Role.COUNTY_REGULATOR, county_code="331181")
        _, self.city = user(engine, Role.CITY_REGULATOR)


@pytest.fixture
def people(engine: Engine) -> People:
    return People(engine, fresh_agency())


async def _apply(api: httpx.AsyncClient, people: People, **overrides: Any) -> httpx.Response:
    return await api.post(
        "/agencies", headers=bearer(people.agency), json=facts(people.number, **overrides)
    )


async def test_an_application_is_accepted_masked_and_waits_for_its_county(
    api: httpx.AsyncClient, people: People
) -> None:
    response = await _apply(api, people)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "pending_review"
    assert body["status_label"] == "待审核"
    assert body["jurisdiction_code"] == "331102"
    assert [p["professional_id"] for p in body["professionals"]] == ["p1", "p2", "p3", "p4", "p5"]
    assert body["professionals"][0]["id_number"] == "*" * 14 + id_number(1)[-4:]
    assert id_number(1) not in response.text
    assert body["timeline"][0]["kind"] == "application.submitted"
    assert body["temporal_ui_url"].endswith(f"/workflows/agency-{people.uscc}")

    inbox = (await api.get("/inbox", headers=bearer(people.county))).json()["items"]
    assert [(i["kind"], i["resource"]) for i in inbox] == [
        ("application.review", f"agencies/{people.uscc}")
    ]
    assert (await api.get("/inbox", headers=bearer(people.other_county))).json()["items"] == []


async def test_a_failing_application_lists_every_failed_rule_and_starts_nothing(
    api: httpx.AsyncClient, people: People, engine: Engine, temporal: Client
) -> None:
    response = await _apply(
        api, people, workplace_area_m2=99, professionals=4, organisation_kind="individual_business"
    )
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [
        ("admission.organisation_kind", ["body", "organisation_kind"]),
        ("admission.area_too_small", ["body", "workplace_area_m2"]),
        ("admission.too_few_professionals", ["body", "professionals"]),
    ]
    assert agencies.get(engine, people.uscc) is None
    with pytest.raises(RPCError):
        await temporal.get_workflow_handle(f"agency-{people.uscc}").describe()
    assert (
        await api.get(f"/agencies/{people.uscc}", headers=bearer(people.city))
    ).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "location"),
    [
        ({"uscc": "91331102MA0000000A"}, ["body", "uscc"]),
        ({"workplace_area_m2": "large"}, ["body", "workplace_area_m2"]),
        ({"service_types": ["fortune_telling"]}, ["body", "service_types", 0]),
        ({"registered_county_code": "110101"}, ["body", "registered_county_code"]),
    ],
)
async def test_malformed_applications_name_each_wrong_field(
    api: httpx.AsyncClient,
    people: People,
    engine: Engine,
    overrides: dict[str, Any],
    location: list[Any],
) -> None:
    response = await _apply(api, people, **overrides)
    assert response.status_code == 422
    assert location in [e["loc"] for e in response.json()["detail"]]
    assert agencies.get(engine, people.uscc) is None


async def test_a_bad_id_number_is_named_by_its_position(
    api: httpx.AsyncClient, people: People
) -> None:
    application = facts(people.number)
    application["professionals"][2]["id_number"] = "331102198506150031"
    response = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "professionals", 2, "id_number"]


async def test_review_approve_and_read_back(api: httpx.AsyncClient, people: People) -> None:
    await _apply(api, people)
    approved = await api.post(
        f"/agencies/{people.uscc}/approve",
        headers=bearer(people.county),
        json={"notes": "材料齐全"},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert (await api.get("/inbox", headers=bearer(people.county))).json()["items"] == []
    again = await api.post(
        f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={}
    )
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "agency.not_pending_review"

    shown = await api.get(f"/agencies/{people.uscc}", headers=bearer(people.agency))
    assert [e["kind"] for e in shown.json()["timeline"]] == [
        "application.submitted",
        "application.approved",
    ]


async def test_return_then_resubmit_then_reject(api: httpx.AsyncClient, people: People) -> None:
    await _apply(api, people)
    no_reason = await api.post(
        f"/agencies/{people.uscc}/return", headers=bearer(people.county), json={"reasons": []}
    )
    assert no_reason.status_code == 422
    returned = await api.post(
        f"/agencies/{people.uscc}/return",
        headers=bearer(people.county),
        json={"reasons": ["办公场所证明缺失"]},
    )
    assert returned.json()["status"] == "returned"
    agency_inbox = (await api.get("/inbox", headers=bearer(people.agency))).json()["items"]
    assert [i["kind"] for i in agency_inbox] == ["application.returned"]

    resubmitted = await api.put(
        f"/agencies/{people.uscc}/application",
        headers=bearer(people.agency),
        json=facts(people.number, workplace_area_m2=130),
    )
    assert resubmitted.json()["status"] == "pending_review"
    assert (await api.get("/inbox", headers=bearer(people.agency))).json()["items"] == []

    rejected = await api.post(
        f"/agencies/{people.uscc}/reject",
        headers=bearer(people.county),
        json={"reasons": ["提供虚假材料"]},
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["timeline"][-1]["reasons"] == ["提供虚假材料"]


async def test_applying_twice_is_409_and_names_the_existing_resource(
    api: httpx.AsyncClient, people: People
) -> None:
    await _apply(api, people)
    again = await _apply(api, people)
    assert again.status_code == 409
    assert f"/agencies/{people.uscc}" in again.json()["detail"][0]["msg"]


async def test_an_agency_cannot_act_for_another_agency(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    other = People(engine, fresh_agency())
    await _apply(api, people)
    # Applying under another agency's USCC.
    response = await api.post("/agencies", headers=bearer(other.agency), json=facts(people.number))
    assert response.status_code == 403
    # Reading, or changing, another agency's file.
    assert (
        await api.get(f"/agencies/{people.uscc}", headers=bearer(other.agency))
    ).status_code == 403
    added = await api.post(
        f"/agencies/{people.uscc}/professionals", headers=bearer(other.agency), json=professional(9)
    )
    assert added.status_code == 403
    # An agency cannot decide applications at all.
    approved = await api.post(
        f"/agencies/{people.uscc}/approve", headers=bearer(people.agency), json={}
    )
    assert approved.status_code == 403


async def test_a_county_regulator_is_confined_to_its_county(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    await _apply(api, people)
    outsider = bearer(people.other_county)
    assert (
        await api.post(f"/agencies/{people.uscc}/approve", headers=outsider, json={})
    ).status_code == 403
    assert (await api.get(f"/agencies/{people.uscc}", headers=outsider)).status_code == 403
    assert (await api.get("/agencies?county=331102", headers=outsider)).status_code == 403
    assert (await api.get("/agencies", headers=outsider)).json()["total"] == 0
    snapshot = agencies.get(engine, people.uscc)
    assert snapshot is not None and snapshot.status.value == "pending_review"
    audit = _audit(engine, "agencies.approve")
    assert [(a.outcome, a.status_code) for a in audit] == [("rejected", 403)]


def _audit(engine: Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


async def test_a_person_full_time_at_another_agency_is_409_and_both_regulators_hear(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    rival = People(engine, fresh_agency(), county="331121")
    application = facts(rival.number, first_professional=20, registered_county_code="331121")
    application["professionals"].append(professional(3))
    response = await api.post("/agencies", headers=bearer(rival.agency), json=application)

    assert response.status_code == 409
    assert response.json()["detail"][0]["type"] == "agency.full_time_elsewhere"
    assert id_number(3) not in response.text
    assert agencies.get(engine, rival.uscc) is None

    async def told() -> bool:
        # The refused applicant's workflow tells the other agency's by signal.
        inbox = (await api.get("/inbox", headers=bearer(people.county))).json()["items"]
        return len(inbox) == 1

    await eventually(told)
    lianDu = (await api.get("/inbox", headers=bearer(people.county))).json()["items"]
    qingTian = (await api.get("/inbox", headers=bearer(rival.county))).json()["items"]
    assert [i["resource"] for i in lianDu] == [f"agencies/{people.uscc}"]
    assert [i["resource"] for i in qingTian] == [f"agencies/{people.uscc}"]
    assert "疑似挂靠" in lianDu[0]["title"]
    # The agency's own view hides the investigation.
    own = (await api.get(f"/agencies/{people.uscc}", headers=bearer(people.agency))).json()
    assert "affiliation.suspected" not in [e["kind"] for e in own["timeline"]]
    regulator = (await api.get(f"/agencies/{people.uscc}", headers=bearer(people.county))).json()
    assert "affiliation.suspected" in [e["kind"] for e in regulator["timeline"]]


async def test_monitoring_changes_rerun_the_rules(api: httpx.AsyncClient, people: People) -> None:
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    shrunk = await api.put(
        f"/agencies/{people.uscc}/workplace",
        headers=bearer(people.agency),
        json={"workplace_area_m2": 80},
    )
    assert shrunk.json()["status"] == "rectification_required"
    assert [v["code"] for v in shrunk.json()["violations"]] == ["admission.area_too_small"]
    assert [i["kind"] for i in shrunk.json()["open_items"]] == ["rectification.required"]
    county_inbox = (await api.get("/inbox", headers=bearer(people.county))).json()["items"]
    assert [i["kind"] for i in county_inbox] == ["rectification.notice"]

    restored = await api.put(
        f"/agencies/{people.uscc}/workplace",
        headers=bearer(people.agency),
        json={"workplace_area_m2": 100},
    )
    assert restored.json()["status"] == "active"
    assert (await api.get("/inbox", headers=bearer(people.county))).json()["items"] == []

    unknown = await api.delete(
        f"/agencies/{people.uscc}/professionals/p99", headers=bearer(people.agency)
    )
    assert unknown.status_code == 404
    left = await api.delete(
        f"/agencies/{people.uscc}/professionals/p2", headers=bearer(people.agency)
    )
    assert left.json()["status"] == "rectification_required"
    renewed = await api.put(
        f"/agencies/{people.uscc}/professionals/p1/certificates",
        headers=bearer(people.agency),
        json=[{"kind": "safety_evaluator", "number": "PJ-1", "valid_until": "2031-01-01"}],
    )
    assert renewed.status_code == 200
    assert renewed.json()["professionals"][0]["certificates"][0]["number"] == "PJ-1"


async def test_changes_before_admission_are_409(api: httpx.AsyncClient, people: People) -> None:
    await _apply(api, people)
    response = await api.put(
        f"/agencies/{people.uscc}/workplace",
        headers=bearer(people.agency),
        json={"workplace_area_m2": 300},
    )
    assert response.status_code == 409
    assert response.json()["detail"][0]["type"] == "agency.not_admitted"


async def test_regulators_record_verifications_and_interviews(
    api: httpx.AsyncClient, people: People
) -> None:
    await _apply(api, people)
    verified = await api.post(
        f"/agencies/{people.uscc}/verifications",
        headers=bearer(people.county),
        json={"verified_on": "2026-11-20", "conforming": False, "findings": "两名专职人员社保不符"},
    )
    assert verified.status_code == 201
    interviewed = await api.post(
        f"/agencies/{people.uscc}/interviews",
        headers=bearer(people.city),
        json={"kind": "interview", "held_on": "2026-11-25", "notes": "约谈负责人"},
    )
    assert [e["kind"] for e in interviewed.json()["timeline"]][-2:] == [
        "verification.recorded",
        "supervision.interview",
    ]
    by_agency = await api.post(
        f"/agencies/{people.uscc}/interviews",
        headers=bearer(people.agency),
        json={"kind": "warning", "held_on": "2026-11-25", "notes": "x"},
    )
    assert by_agency.status_code == 403


async def test_lists_filter_and_the_public_sees_only_admitted_agencies(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    pending = People(engine, fresh_agency())
    out_of_town = People(engine, fresh_agency())
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    await api.post(
        "/agencies",
        headers=bearer(pending.agency),
        json=facts(pending.number, first_professional=10, service_types=["education_training"]),
    )
    office = {
        "address": "青田县鹤城街道1号",
        "county_code": "331121",
        "stationed_technicians": [id_number(30)],
    }
    created = await api.post(
        "/agencies",
        headers=bearer(out_of_town.agency),
        json=facts(
            out_of_town.number,
            first_professional=30,
            out_of_town=True,
            registered_county_code="330106",
            local_office=office,
        ),
    )
    assert created.status_code == 201, created.text
    city = bearer(people.city)

    async def listed(query: str) -> list[str]:
        response = await api.get(f"/agencies?{query}", headers=city)
        assert response.status_code == 200
        return sorted(item["uscc"] for item in response.json()["items"])

    assert await listed("") == sorted([people.uscc, pending.uscc, out_of_town.uscc])
    assert await listed("status=active") == [people.uscc]
    assert await listed("service_type=education_training") == [pending.uscc]
    assert await listed("out_of_town=true") == [out_of_town.uscc]
    assert await listed("county=331102") == sorted([people.uscc, pending.uscc])
    assert await listed("county=331121") == [out_of_town.uscc]
    page = (await api.get("/agencies?limit=2&offset=2", headers=city)).json()
    assert (page["total"], len(page["items"])) == (3, 1)

    public = await api.get("/public/agencies")
    assert public.status_code == 200
    assert [a["uscc"] for a in public.json()["items"]] == [people.uscc]
    assert public.json()["items"][0]["credit_grade"] == "A"  # no event counts against it
    assert "professionals" not in public.text

    assert (await api.get("/agencies", headers=bearer(people.agency))).status_code == 403


async def test_a_reused_request_id_does_not_swallow_a_different_command(
    api: httpx.AsyncClient, people: People
) -> None:
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    headers = {**bearer(people.agency), "X-Request-ID": "same-trace-id"}
    first = await api.post(
        f"/agencies/{people.uscc}/professionals", headers=headers, json=professional(7)
    )
    second = await api.post(
        f"/agencies/{people.uscc}/professionals", headers=headers, json=professional(8)
    )
    assert (first.status_code, second.status_code) == (201, 201)
    ids = [p["professional_id"] for p in second.json()["professionals"]]
    assert ids == ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]


async def test_a_professional_who_left_can_join_again(
    api: httpx.AsyncClient, people: People
) -> None:
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    await api.delete(f"/agencies/{people.uscc}/professionals/p5", headers=bearer(people.agency))
    back = await api.post(
        f"/agencies/{people.uscc}/professionals",
        headers=bearer(people.agency),
        json=professional(5),
    )
    assert back.status_code == 201, back.text
    assert back.json()["status"] == "active"
    assert "p5" in [p["professional_id"] for p in back.json()["professionals"]]


async def test_safety_evaluation_is_the_provinces_and_a_registered_agency_works_here(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    services = ["safety_evaluation", "hazard_investigation"]
    refused = await _apply(api, people, service_types=services)
    assert refused.status_code == 422
    (entry,) = refused.json()["detail"]
    assert entry["type"] == "admission.province_managed"
    assert entry["loc"] == ["body", "province_registration"]
    assert "浙江省应急管理厅" in entry["msg"]
    assert agencies.get(engine, people.uscc) is None

    registration = {"number": "ZJ-AP-2025-017", "valid_until": "2028-06-30"}
    applied = await _apply(api, people, service_types=services, province_registration=registration)
    assert applied.status_code == 201, applied.text
    approved = await api.post(
        f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={}
    )
    assert approved.json()["status"] == "active"
    created = await api.post(
        "/projects",
        headers=bearer(people.agency),
        json=project_request(fresh_agency(), service_type="safety_evaluation"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["project"]["request"]["service_type"] == "safety_evaluation"
