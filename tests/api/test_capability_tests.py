"""Capability tests through the API (R12): a session opened, results recorded by hand and by
an Excel sheet (rows with errors refused whole, named by row), coverage of who is untested,
a public warning at the close, and each professional's stars (R8)."""

import io
from typing import Any

import httpx
from openpyxl import Workbook
from sqlalchemy import Engine

from agencyflow.api.capability_sheet import COLUMNS
from agencyflow.domain.identity import Role
from tests.api.test_projects import Office, admitted
from tests.factories import bearer, professional, user

SESSION = {
    "session_id": "LD-2026",
    "held_on": "2026-11-20",
    "level": "intermediate",
    "bank_edition": "浙江省2026版",
    "county_code": "331102",
}


def _row(office: Office, n: int, score: float = 88, passed: bool = True) -> dict[str, Any]:
    person = professional(n)
    return {
        "agency_uscc": office.uscc,
        "id_number": person["id_number"],
        "name": person["name"],
        "score": score,
        "passed": passed,
    }


def _sheet(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        values = [row[key] for key in COLUMNS.values()]
        values[-1] = "合格" if row["passed"] else "不合格"
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _session(office: Office) -> dict[str, str]:
    """A session of the test's own: the dev server outlives the test, and the session's id
    is its workflow's."""
    return {**SESSION, "session_id": f"LD-2026-{office.number}"}


async def _opened(api: httpx.AsyncClient, office: Office) -> str:
    session = _session(office)
    opened = await api.post("/capability-tests", headers=bearer(office.county), json=session)
    assert opened.status_code == 201, opened.text
    return f"/capability-tests/{session['session_id']}"


async def test_a_session_from_opening_to_public_warning(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    url = await _opened(api, office)
    again = await api.post(
        "/capability-tests", headers=bearer(office.county), json=_session(office)
    )
    assert again.status_code == 409

    recorded = await api.post(
        f"{url}/results",
        headers=bearer(office.county),
        json={"results": [_row(office, 1, 95), _row(office, 2, 40, passed=False)]},
    )
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json()["tested"], recorded.json()["failed"]) == (2, 1)
    sheet = _sheet([_row(office, 3, 81)])
    imported = await api.post(
        f"{url}/results.xlsx",
        headers=bearer(office.county),
        files={"file": ("results.xlsx", sheet)},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["tested"] == 3

    coverage = await api.get("/capability-tests/coverage", headers=bearer(office.county))
    mine = next(a for a in coverage.json()["items"] if a["uscc"] == office.uscc)
    assert (mine["professionals"], mine["tested"]) == (5, 3)
    assert [u["professional_id"] for u in mine["untested"]] == ["p4", "p5"]

    closed = await api.post(f"{url}/close", headers=bearer(office.county))
    assert closed.status_code == 200, closed.text
    warnings = (await api.get("/public/warnings")).json()
    assert [(w["agency_uscc"], w["failed"]) for w in warnings["items"]] == [(office.uscc, 1)]
    late = await api.post(
        f"{url}/results", headers=bearer(office.county), json={"results": [_row(office, 4)]}
    )
    assert late.status_code == 409
    assert late.json()["detail"][0]["type"] == "capability.closed"

    rating = f"/agencies/{office.uscc}/professionals"
    best = (await api.get(f"{rating}/p1/rating", headers=bearer(office.agency))).json()
    assert (best["stars"], best["in_expert_pool"]) == (3, True)  # 1 + 2 for 95; no years yet
    assert best["rule"].startswith("One star, plus the latest test")
    failed = (await api.get(f"{rating}/p2/rating", headers=bearer(office.county))).json()
    assert (failed["stars"], failed["in_expert_pool"]) == (1, False)
    assert [r["passed"] for r in failed["results"]] == [False]
    missing = await api.get(f"{rating}/p99/rating", headers=bearer(office.agency))
    assert missing.status_code == 404


async def test_a_sheet_with_bad_rows_imports_nothing_and_names_each_row(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    url = await _opened(api, office)
    rows = [
        _row(office, 1),
        {**_row(office, 2), "name": "别人"},
        {**_row(office, 9)},  # not one of the agency's people
        {**_row(office, 3), "score": 101},
    ]
    refused = await api.post(
        f"{url}/results.xlsx",
        headers=bearer(office.county),
        files={"file": ("results.xlsx", _sheet(rows))},
    )
    assert refused.status_code == 422, refused.text
    assert [d["loc"][1:3] for d in refused.json()["detail"]] == [["rows", 5]]
    rows[3]["score"] = 99
    refused = await api.post(
        f"{url}/results.xlsx",
        headers=bearer(office.county),
        files={"file": ("results.xlsx", _sheet(rows))},
    )
    assert refused.status_code == 422, refused.text
    assert [(d["loc"][1:], d["type"]) for d in refused.json()["detail"]] == [
        (["rows", 3, "name"], "capability.name_mismatch"),
        (["rows", 4, "id_number"], "capability.unknown_person"),
    ]
    shown = (await api.get(url, headers=bearer(office.county))).json()
    assert shown["tested"] == 0
    not_excel = await api.post(
        f"{url}/results.xlsx",
        headers=bearer(office.county),
        files={"file": ("results.xlsx", b"PK not really")},
    )
    assert not_excel.status_code == 422


async def test_who_may_open_record_and_read(api: httpx.AsyncClient, engine: Engine) -> None:
    office = await admitted(api, engine)
    for token in (office.agency, office.owner):
        denied = await api.post("/capability-tests", headers=bearer(token), json=_session(office))
        assert denied.status_code == 403
    elsewhere = await api.post(
        "/capability-tests", headers=bearer(office.other_county), json=SESSION
    )
    assert elsewhere.status_code == 403
    bad = await api.post(
        "/capability-tests",
        headers=bearer(office.county),
        json={
            **_session(office),
            "session_id": "有中文",
            "level": "expert",
            "held_on": "9999-01-01",
        },
    )
    assert bad.status_code == 422
    assert {d["loc"][-1] for d in bad.json()["detail"]} == {"session_id", "level", "held_on"}

    url = await _opened(api, office)
    body = {"results": [_row(office, 1)]}
    for token in (office.agency, office.other_county):
        assert (
            await api.post(f"{url}/results", headers=bearer(token), json=body)
        ).status_code == 403
    assert (await api.get(url, headers=bearer(office.other_county))).status_code == 403
    assert (await api.get(url, headers=bearer(office.city))).status_code == 200
    missing = await api.get("/capability-tests/NOPE-1", headers=bearer(office.city))
    assert missing.status_code == 404
    twice = await api.post(
        f"{url}/results", headers=bearer(office.county), json={"results": [_row(office, 1)] * 2}
    )
    assert twice.status_code == 409
    _, stranger = user(engine, Role.AGENCY, agency_uscc=office.uscc)
    rating = f"/agencies/{office.uscc}/professionals/p1/rating"
    assert (await api.get(rating, headers=bearer(stranger))).status_code == 200  # its own staff
    assert (await api.get(rating, headers=bearer(office.other_county))).status_code == 403


async def test_a_deduction_attributed_to_a_professional_costs_them_a_star(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    url = f"/agencies/{office.uscc}/credit/events"
    body = {"kind": "work_beyond_scope", "reference": "超范围-1", "reason": "超资质范围"}
    unknown = await api.post(
        url, headers=bearer(office.county), json={**body, "professionals": ["p1", "p42"]}
    )
    assert unknown.status_code == 422
    assert [d["loc"][-2:] for d in unknown.json()["detail"]] == [["professionals", 1]]
    recorded = await api.post(
        url, headers=bearer(office.county), json={**body, "professionals": ["p1"]}
    )
    assert recorded.status_code == 201, recorded.text

    session = await _opened(api, office)
    results = {"results": [_row(office, 1, 95), _row(office, 2, 95)]}
    tested = await api.post(f"{session}/results", headers=bearer(office.county), json=results)
    assert tested.status_code == 200, tested.text

    rating = f"/agencies/{office.uscc}/professionals"
    named = (await api.get(f"{rating}/p1/rating", headers=bearer(office.agency))).json()
    other = (await api.get(f"{rating}/p2/rating", headers=bearer(office.agency))).json()
    assert named["attributed_events"] == [recorded.json()["counted"][0]["source"]]
    assert (named["stars"], other["stars"]) == (2, 3)
    assert "计入本人的信用事件 1 项：-1" in named["reasons"]
    assert other["attributed_events"] == []
