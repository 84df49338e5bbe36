"""Quarterly full-coverage inspections through the API (issue 12, points 2, 4 and 6): the
quarter's campaigns opened, coverage per county, an inspection with its decisions, a
re-check, and every refusal."""

import datetime as dt
from typing import Any

import httpx
from sqlalchemy import Engine

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.inspections import Checklist, previous_quarter, quarter_of
from agencyflow.store import credit, inspections
from tests.api.test_projects import admitted
from tests.console_people import signed_in
from tests.factories import bearer, uscc
from tests.waiting import eventually

HERE = "331102"


def _today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


def _inspection(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "inspected_on": _today().isoformat(),
        "checklist": dict.fromkeys(Checklist.model_fields, True),
        "findings": "内部管理制度健全，档案齐全",
    }
    body.update(changes)
    return body


def _types(response: httpx.Response) -> list[tuple[str, str]]:
    return [(e["type"], ".".join(map(str, e["loc"]))) for e in response.json()["detail"]]


async def test_a_quarters_inspection_from_campaign_to_recheck_with_every_refusal(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    quarter = quarter_of(_today())
    county, city, agency = bearer(office.county), bearer(office.city), bearer(office.agency)

    # Opening the quarter's campaigns: the city's (or an admin's) to do, never ahead of time.
    assert (
        await api.post("/inspections/campaigns", headers=county, json={"quarter": quarter})
    ).status_code == 403
    ahead = await api.post("/inspections/campaigns", headers=city, json={"quarter": "2099Q1"})
    assert ahead.status_code == 422 and _types(ahead)[0][0] == "inspection.future_quarter"
    # Before the reform, or no year at all, or digits of another script: refused, nothing
    # opened (such a campaign's plan could never be made, and its id would stay taken).
    for past in ("0000Q1", "1000Q1", "2023Q4"):
        refused = await api.post("/inspections/campaigns", headers=city, json={"quarter": past})
        assert refused.status_code == 422, (past, refused.text)
        assert _types(refused) == [("inspection.before_reform", "body.quarter")]
        assert inspections.campaign(engine, HERE, past) is None
    arabic = await api.post("/inspections/campaigns", headers=city, json={"quarter": "٢٠٢٦Q1"})
    assert arabic.status_code == 422 and _types(arabic)[0][1] == "body.quarter"
    listed_arabic = await api.get("/inspections", headers=county, params={"quarter": "٢٠٢٦Q1"})
    assert listed_arabic.status_code == 422
    opened = await api.post("/inspections/campaigns", headers=city, json={"quarter": quarter})
    assert opened.status_code == 201, opened.text
    assert HERE in opened.json()["opened"] and len(opened.json()["opened"]) == 10
    again = await api.post("/inspections/campaigns", headers=city, json={"quarter": quarter})
    assert again.json()["opened"] == []
    await eventually(lambda: inspections.campaign(engine, HERE, quarter) is not None)

    listed = await api.get("/inspections", headers=county, params={"quarter": quarter})
    assert [t["task"]["agency_uscc"] for t in listed.json()["items"]] == [office.uscc]
    coverage = await api.get("/inspections/coverage", headers=county, params={"quarter": quarter})
    assert [(c["county_code"], c["planned"], c["done"]) for c in coverage.json()] == [(HERE, 1, 0)]
    everywhere = await api.get("/inspections/coverage", headers=city, params={"quarter": quarter})
    assert len(everywhere.json()) == 10
    elsewhere = await api.get(
        "/inspections/coverage", headers=county, params={"quarter": quarter, "county": "331181"}
    )
    assert elsewhere.status_code == 403
    assert (await api.get("/inspections/coverage", headers=agency)).status_code == 403
    bad = await api.get("/inspections", headers=county, params={"quarter": "2026Q5"})
    assert bad.status_code == 422

    path = f"/inspections/{HERE}/{quarter}/{office.uscc}"
    assert (
        await api.post(path, headers=bearer(office.other_county), json=_inspection())
    ).status_code == 403
    assert (await api.post(path, headers=agency, json=_inspection())).status_code == 403
    unanswered = _inspection()
    del unanswered["checklist"]["archives"]
    missing = await api.post(path, headers=county, json=unanswered)
    assert missing.status_code == 422 and ("missing", "body.checklist.archives") in _types(missing)
    deadline = (_today() + dt.timedelta(days=20)).isoformat()
    order = {"deadline": deadline, "requirements": "补齐档案"}
    nothing_wrong = await api.post(
        path, headers=county, json=_inspection(decisions={"rectification": order})
    )
    assert nothing_wrong.status_code == 422
    assert _types(nothing_wrong) == [
        ("inspection.nothing_to_rectify", "body.decisions.rectification")
    ]
    assert inspections.get(engine, HERE, quarter, office.uscc).task.result is None  # type: ignore[union-attr]

    failing = dict.fromkeys(Checklist.model_fields, True) | {"archives": False}
    found = _inspection(
        checklist=failing,
        findings="三个项目档案缺少现场照片",
        decisions={"rectification": order, "interview": "warning", "credit": ["work_beyond_scope"]},
    )
    recorded = await api.post(path, headers=county, json=found)
    assert recorded.status_code == 201, recorded.text
    task = recorded.json()["task"]
    assert task["result"]["decisions"]["interview"] == "warning"
    assert task["rectification"]["order"]["deadline"] == deadline
    assert recorded.json()["timeline"][-1]["kind"] == "inspection.recorded"
    twice = await api.post(path, headers=county, json=found)
    assert twice.status_code == 409 and _types(twice)[0][0] == "inspection.already_recorded"
    assert [e.kind for e in credit.of_agency(engine, office.uscc)] == ["work_beyond_scope"]

    # The agency reads its own inspection, no one else's.
    assert (await api.get(path, headers=agency)).status_code == 200
    own = await api.get("/inspections", headers=agency)
    assert [t["task"]["agency_uscc"] for t in own.json()["items"]] == [office.uscc]
    assert (await api.get(path, headers=bearer(office.other_county))).status_code == 403

    recheck = f"{path}/recheck"
    not_yet = {"rechecked_on": _today().isoformat(), "conforming": False, "notes": "仍缺照片"}
    no_deadline = await api.post(recheck, headers=county, json=not_yet)
    assert no_deadline.status_code == 422
    assert _types(no_deadline) == [("inspection.new_deadline_required", "body.new_deadline")]
    put_right = {"rechecked_on": _today().isoformat(), "conforming": True, "notes": "已补齐"}
    rechecked = await api.post(recheck, headers=county, json=put_right)
    assert rechecked.status_code == 200, rechecked.text
    assert rechecked.json()["task"]["rectification"]["closed"] is True
    nothing_open = await api.post(recheck, headers=county, json=put_right)
    assert nothing_open.status_code == 409
    assert _types(nothing_open)[0][0] == "inspection.no_rectification"

    coverage = await api.get("/inspections/coverage", headers=county, params={"quarter": quarter})
    assert [(c["planned"], c["done"], c["rectifying"]) for c in coverage.json()] == [(1, 1, 0)]


async def test_an_inspection_needs_a_campaign_and_an_agency_working_in_the_county(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county, city = bearer(office.county), bearer(office.city)
    before = previous_quarter(quarter_of(_today()))
    none = await api.post(
        f"/inspections/{HERE}/{before}/{office.uscc}", headers=county, json=_inspection()
    )
    assert none.status_code == 404 and _types(none)[0][0] == "inspection.no_campaign"

    quarter = quarter_of(_today())
    await api.post("/inspections/campaigns", headers=city, json={"quarter": quarter})
    await eventually(lambda: inspections.campaign(engine, "331181", quarter) is not None)
    # Under 331102 and serving nobody in 331181: not that county's to inspect.
    away = await api.post(
        f"/inspections/331181/{quarter}/{office.uscc}", headers=city, json=_inspection()
    )
    assert away.status_code == 409 and _types(away)[0][0] == "inspection.not_in_county"
    unknown = uscc(9_999_001)
    path = f"/inspections/{HERE}/{quarter}/{unknown}"
    assert (await api.post(path, headers=county, json=_inspection())).status_code == 403
    assert (await api.post(path, headers=city, json=_inspection())).status_code == 404


async def test_the_console_shows_coverage_and_an_inspection(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    quarter = quarter_of(_today())
    await api.post("/inspections/campaigns", headers=bearer(office.city), json={"quarter": quarter})
    await eventually(lambda: inspections.get(engine, HERE, quarter, office.uscc) is not None)
    path = f"/inspections/{HERE}/{quarter}/{office.uscc}"
    person = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"in-{office.number}", county_code=HERE
    )
    listed = await api.get("/console/inspections", headers=person.page())
    assert listed.status_code == 200
    assert 'data-county="331102"' in listed.text and f'data-agency="{office.uscc}"' in listed.text
    before = await api.get(f"/console{path}", headers=person.page())
    assert before.status_code == 200 and "记录检查" in before.text
    recorded = await api.post(path, headers=person.console(), json=_inspection())
    assert recorded.status_code == 201, recorded.text
    after = await api.get(f"/console{path}", headers=person.page())
    assert "检查结果" in after.text and "记录检查" not in after.text
    agency = await signed_in(
        api, engine, Role.AGENCY, f"in-a-{office.number}", agency_uscc=office.uscc
    )
    own = await api.get(f"/console{path}", headers=agency.page())
    assert own.status_code == 200 and "记录检查" not in own.text
    other = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"in-o-{office.number}", county_code="331181"
    )
    assert (await api.get(f"/console{path}", headers=other.page())).status_code == 403
