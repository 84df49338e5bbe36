"""Every route, every role confined to another tenant, against one agency's objects: never an
answer with its data, never a command applied.

The objects: an admitted agency, its project in service with a hazard found on a visit,
the enterprise served and a photo. The strangers: another agency, another enterprise,
another county's regulator. Every request is well formed where that is easy, so that only
the scope check stands in the way.
"""

import datetime as dt
from typing import Any

import httpx
from fastapi.routing import APIRoute
from sqlalchemy import Engine

from agencyflow.api.app import ROUTERS
from agencyflow.api.deps import PUBLIC_PATHS
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.inspections import Checklist, quarter_of
from agencyflow.store import (
    agencies,
    capability,
    complaints,
    credit,
    inspections,
    projects,
    timeline,
)
from agencyflow.store import hazards as hazard_store
from tests.api.test_hazards import PDF, _found
from tests.api.test_projects import admitted
from tests.factories import bearer, facts, fresh_agency, professional, uscc, user
from tests.waiting import eventually

TODAY = dt.datetime.now(CHINA_TZ).date().isoformat()
QUARTER = quarter_of(dt.datetime.now(CHINA_TZ).date())
REPORTER_PHONE = "13957009876"

BODIES: dict[str, Any] = {
    "agencies.resubmit": None,  # the agency's own facts, filled in below
    "agencies.return": {"reasons": ["理由"]},
    "agencies.reject": {"reasons": ["理由"]},
    "agencies.add_professional": professional(99),
    "agencies.renew_certificates": professional(1)["certificates"],
    "agencies.move_office": {"address": "丽水市", "county_code": "331102"},
    "agencies.change_workplace": {"workplace_area_m2": 200},
    "agencies.record_verification": {"verified_on": TODAY, "conforming": False, "findings": "x"},
    "agencies.record_interview": {"kind": "warning", "held_on": TODAY, "notes": "x"},
    "projects.return_filing": {"reasons": ["理由"]},
    "projects.refile": {"note": "x"},
    "projects.submit_plan": {"summary": "方案"},
    "projects.record_visit": {"visited_on": TODAY, "present": ["p1"], "activities": ["training"]},
    "projects.end_service": {"ended_on": TODAY},
    "projects.decide_spot_check": {"verdict": "pass"},
    "hazards.correct": {"corrects_seq": 1, "location": "别处", "reason": "更正"},
    "hazards.reinspect": {"outcome": "rectified"},
    "hazards.supervise": {"deadline": TODAY},
    "hazards.verify": {"accepted": True},
    "agencies.record_credit_event": {"kind": "work_beyond_scope", "reference": "X", "reason": "x"},
    "credit.object": {"reasons": ["理由"]},
    "credit.decide_objection": {"revoke": True, "reasons": ["理由"]},
    "untrustworthy.decide": {"decision": "decline", "reasons": ["理由"]},
    "untrustworthy.apply_for_removal": {"reasons": ["理由"]},
    "untrustworthy.decide_removal": {"remove": True, "reasons": ["理由"]},
    "capability.record": None,  # one of the agency's people, filled in below
    "inspections.inspect": {
        "inspected_on": TODAY,
        "checklist": dict.fromkeys(Checklist.model_fields, True),
        "findings": "x",
    },
    "spot_checks.confirm_rectified": {"notes": "x"},
    "complaints.refuse": {"reasons": ["理由"]},
    "complaints.extend": {"days": 1, "reason": "x"},
    "complaints.decide": {"outcome": "not_true", "findings": "x", "published": "x"},
    "complaints.reveal": {"reason": "x"},
    "complaints.merge": {"report": "JB0000000000"},
    "complaints.pay_reward": {"paid_on": TODAY},
    "agencies.record_whistleblower_reward": {"matter": "x", "amount_yuan": 100, "paid_on": TODAY},
    "inspections.recheck": {"rechecked_on": TODAY, "conforming": True, "notes": "x"},
    "reform.service_types": {"types": [{"service_type": "risk_census", "checkpoints": ["x"]}]},
    "reform.owner": {"owner": "监管科"},
    "reform.evidence": None,  # the photo, filled in below
    "reform.sign_off": {"accepted": True},
}


PARTIAL_VIEWS = {"enterprises.file", "enterprises.ledger"}
"""Routes that answer what the caller may see of the thing, perhaps nothing: a 403 would
tell a stranger that the enterprise has projects elsewhere."""


def _routes() -> list[tuple[str, str, str]]:
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if route.path in PUBLIC_PATHS or "{" not in route.path:
                continue  # lists are checked by what they return, below
            for method in sorted(route.methods):
                found.append((route.name, method, route.path))
    return found


async def test_no_stranger_reaches_another_tenants_objects(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    pid, (hazard_id,) = await _found(api, office, {})
    photo = hazard_store.get(engine, hazard_id).report.photos[0]  # type: ignore[union-attr]
    recorded = await api.post(
        f"/agencies/{office.uscc}/credit/events",
        headers=bearer(office.county),
        json=BODIES["agencies.record_credit_event"],
    )
    assert recorded.status_code == 201, recorded.text
    session = f"M-{office.number}"
    opened = await api.post(
        "/capability-tests",
        headers=bearer(office.county),
        json={
            "session_id": session,
            "held_on": TODAY,
            "level": "junior",
            "bank_edition": "2026",
            "county_code": "331102",
        },
    )
    assert opened.status_code == 201, opened.text
    campaigns = await api.post(
        "/inspections/campaigns", headers=bearer(office.city), json={"quarter": QUARTER}
    )
    assert campaigns.status_code == 201, campaigns.text
    await eventually(lambda: inspections.get(engine, "331102", QUARTER, office.uscc) is not None)
    complained = await api.post(
        "/public/complaints",
        json={
            "agency_uscc": office.uscc,
            "account": "未到现场即出具报告，照片系翻拍。",
            "reporter": {"phone": REPORTER_PHONE},
        },
    )
    assert complained.status_code == 201, complained.text
    complaint = complained.json()["code"]
    await eventually(lambda: complaints.get(engine, complaint) is not None)
    person = professional(1)
    result = {"agency_uscc": office.uscc, "score": 90, "passed": True}
    result |= {"id_number": person["id_number"], "name": person["name"]}
    keys = {
        "session_id": session,
        "event_id": str(recorded.json()["counted"][0]["id"]),
        "uscc": office.uscc,
        "pid": pid,
        "hazard_id": hazard_id,
        "professional_id": "p1",
        "file_id": photo,
        "county": "331102",
        "quarter": QUARTER,
        "code": complaint,
        # The county's reform programme: strangers are refused whether or not it is open.
        "county_code": "331102",
        "year": "2095",
        "key": "type_list",
    }
    secrets = [office.uscc, pid, hazard_id, photo, office.request()["enterprise"]["name"]]
    secrets.extend([person["name"], REPORTER_PHONE, complaint])
    _, agency = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    _, enterprise = user(engine, Role.ENTERPRISE, enterprise_uscc=uscc(fresh_agency()))
    strangers = {"agency": agency, "enterprise": enterprise, "county": office.other_county}
    bodies = {
        **BODIES,
        "agencies.resubmit": facts(office.number),
        "capability.record": {"results": [result]},
        "reform.evidence": {"files": [photo]},
    }
    before = _state(engine, office.uscc, pid, hazard_id)

    reached = []
    for name, method, path in _routes():
        here = {**keys, "uscc": uscc(office.enterprise)} if "enterprises" in path else keys
        url = path.format(**{k: v for k, v in here.items() if "{" + k + "}" in path})
        # What the caller did not send it: an error may name what was asked for.
        hidden = [s for s in secrets if s not in url]
        for who, token in strangers.items():
            kwargs: dict[str, Any] = {"headers": bearer(token)}
            if name == "projects.upload_report":
                kwargs["files"] = {"file": ("r.pdf", PDF)}
            elif name == "capability.import":
                kwargs["files"] = {"file": ("r.xlsx", b"PK")}
            elif method in ("POST", "PUT"):
                kwargs["json"] = bodies.get(name, {})
            response = await api.request(method, url, **kwargs)
            answered = response.is_success and name not in PARTIAL_VIEWS
            if answered or any(s in response.text for s in hidden):
                reached.append(f"{who}: {method} {url} → {response.status_code}")
    assert reached == [], "\n".join(reached)
    assert _state(engine, office.uscc, pid, hazard_id) == before

    # Lists answer, with nothing of the other tenant in them.
    for who, token in strangers.items():
        for url in (
            "/projects",
            "/hazards",
            "/inbox",
            "/complaints",
            "/inspections",
            f"/enterprises/{uscc(office.enterprise)}/file",
        ):
            response = await api.get(url, headers=bearer(token))
            assert not any(s in response.text for s in secrets), (who, url)


def _state(engine: Engine, agency_uscc: str, pid: str, hazard_id: str) -> tuple[Any, ...]:
    return (
        agencies.get(engine, agency_uscc),
        projects.get(engine, pid),
        hazard_store.get(engine, hazard_id),
        timeline.entries(engine, f"agencies/{agency_uscc}", regulators=True),
        timeline.entries(engine, f"projects/{pid}", regulators=True),
        hazard_store.entries_of(engine, [hazard_id]),
        credit.of_agency(engine, agency_uscc),
        capability.tested_of(engine, [agency_uscc]),
        inspections.get(engine, "331102", QUARTER, agency_uscc),
        complaints.search(engine, county_code=None, stage=None, limit=50, offset=0),
    )
