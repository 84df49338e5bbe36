"""The 2-hour rule for major hazards, and honest visit dates (R5; issue: domain corrections).

A major hazard carries the time it was found; one reported later than the policy allows is
accepted, marked late, named in the county's item and recorded for the credit rules. A
visit cannot lie in the future, nor lie further back than the policy's days without a
reason: a back-dated visit is how the 2-hour rule would be dodged.
"""

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.store import credit
from tests.api.test_hazards import _with_photos
from tests.api.test_projects import Office, _in_service, admitted
from tests.factories import bearer


@pytest.fixture
async def office(api: httpx.AsyncClient, engine: Engine) -> Office:
    return await admitted(api, engine)


def _today() -> dt.date:
    return dt.datetime.now(CHINA_TZ).date()


async def _visit(
    api: httpx.AsyncClient,
    office: Office,
    pid: str,
    *,
    on: dt.date | None = None,
    hazards: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> httpx.Response:
    return await api.post(
        f"/projects/{pid}/visits",
        headers=bearer(office.agency),
        json={
            "visited_on": (on or _today()).isoformat(),
            "present": ["p1"],
            "activities": ["inspection"],
            "hazards": hazards or [],
            **extra,
        },
    )


def _fields(response: httpx.Response) -> dict[str, str]:
    """Each wrong field, dotted, with its code."""
    assert response.status_code == 422, response.text
    return {
        ".".join(str(part) for part in e["loc"][1:]): e["type"] for e in response.json()["detail"]
    }


async def _county_items(api: httpx.AsyncClient, office: Office) -> dict[str, str]:
    inbox = (await api.get("/inbox", headers=bearer(office.county))).json()["items"]
    return {i["resource"]: i["title"] for i in inbox if i["kind"] == "major_hazard.acknowledge"}


async def test_a_major_hazard_reported_in_time_is_not_marked(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    pid = await _in_service(api, office)
    found = dt.datetime.now(CHINA_TZ) - dt.timedelta(minutes=30)
    major = await _with_photos(api, office, level="major", discovered_at=found.isoformat())
    # The visit is on the day the hazard was found: just after midnight, that is yesterday.
    visited = await _visit(api, office, pid, on=found.date(), hazards=[major])
    assert visited.status_code == 201, visited.text
    (hazard_id,) = visited.json()["project"]["visits"][0]["hazard_ids"]

    shown = (await api.get(f"/hazards/{hazard_id}", headers=bearer(office.county))).json()
    assert shown["hazard"]["major"]["reported_late"] is False
    assert "超时" not in (await _county_items(api, office))[f"hazards/{hazard_id}"]
    assert credit.of_agency(engine, office.uscc) == []


async def test_a_major_hazard_reported_late_is_accepted_marked_and_told(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    pid = await _in_service(api, office)
    found = dt.datetime.now(CHINA_TZ) - dt.timedelta(hours=5)
    on = found.date()
    major = await _with_photos(api, office, level="major", discovered_at=found.isoformat())
    visited = await _visit(api, office, pid, on=on, hazards=[major])
    assert visited.status_code == 201, visited.text
    (hazard_id,) = visited.json()["project"]["visits"][0]["hazard_ids"]

    shown = (await api.get(f"/hazards/{hazard_id}", headers=bearer(office.county))).json()
    assert shown["hazard"]["major"]["reported_late"] is True
    title = (await _county_items(api, office))[f"hazards/{hazard_id}"]
    assert "超时报告：发现后 5" in title and "应于 2 小时内" in title
    ledger = (await api.get(f"/hazards/{hazard_id}", headers=bearer(office.agency))).json()
    assert "超时报告" in ledger["history"][0]["summary"]
    (event,) = credit.of_agency(engine, office.uscc)
    assert (event.kind, event.source) == (
        "major_hazard.reported_late",
        f"hazards/{hazard_id}#reported_late",
    )
    assert event.details["allowed_minutes"] == 120
    assert 299 <= int(event.details["reported_after_minutes"]) <= 301


async def test_a_major_hazard_needs_the_time_it_was_found_within_its_visit(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    pid = await _in_service(api, office)
    without = await _with_photos(api, office, level="major")
    del without["discovered_at"]
    assert _fields(await _visit(api, office, pid, hazards=[without])) == {
        "hazards.0.discovered_at": "hazard.missing_field"
    }
    now = dt.datetime.now(CHINA_TZ)
    for moment in (now + dt.timedelta(hours=1), now - dt.timedelta(days=3)):
        major = await _with_photos(api, office, level="major", discovered_at=moment.isoformat())
        assert _fields(await _visit(api, office, pid, hazards=[major])) == {
            "hazards.0.discovered_at": "hazard.discovered_at"
        }
    naive = await _with_photos(
        api, office, level="major", discovered_at=now.replace(tzinfo=None).isoformat()
    )
    assert "hazards.0.discovered_at" in _fields(await _visit(api, office, pid, hazards=[naive]))
    project = (await api.get(f"/projects/{pid}", headers=bearer(office.agency))).json()
    assert project["project"]["visits"] == []
    assert credit.of_agency(engine, office.uscc) == []


async def test_a_visit_recorded_late_needs_a_reason(api: httpx.AsyncClient, office: Office) -> None:
    pid = await _in_service(api, office)
    tomorrow = _today() + dt.timedelta(days=1)
    assert _fields(await _visit(api, office, pid, on=tomorrow)) == {
        "visited_on": "project.visit_date"
    }
    nine_days_ago = _today() - dt.timedelta(days=9)
    assert _fields(await _visit(api, office, pid, on=nine_days_ago)) == {
        "late_reason": "project.visit_backdated"
    }
    assert _fields(await _visit(api, office, pid, on=nine_days_ago, late_reason="  ")) == {
        "late_reason": "project.visit_backdated"
    }
    week_ago = _today() - dt.timedelta(days=7)
    assert (await _visit(api, office, pid, on=week_ago)).status_code == 201

    reason = "现场记录本遗失，依据签到表补录"
    late = await _visit(api, office, pid, on=nine_days_ago, late_reason=reason)
    assert late.status_code == 201, late.text
    visits = late.json()["project"]["visits"]
    assert [v["late_reason"] for v in visits] == ["", reason]
    shown = (await api.get(f"/projects/{pid}", headers=bearer(office.county))).json()
    recorded = [e for e in shown["timeline"] if e["kind"] == "visit.recorded"]
    assert "补录" in recorded[-1]["summary"] and reason in recorded[-1]["reasons"]
