"""Yearly on-site verification (issue 12, point 3; R9) through the API: who is left to verify
in each county, and what a verification's result does."""

import httpx
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from tests.api.test_projects import _today, admitted
from tests.console_people import signed_in
from tests.factories import bearer, user


def _due(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item["uscc"] for item in answer.json()["items"]]


async def test_the_due_list_and_what_a_verification_does(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    _, qingtian = user(engine, Role.COUNTY_REGULATOR, county_code="331121")
    due = "/verifications/due"
    assert office.uscc in _due(
        await api.get(due, headers=bearer(office.county), params={"limit": 500})
    )
    assert office.uscc not in _due(
        await api.get(due, headers=bearer(qingtian), params={"limit": 500})
    )
    assert (
        await api.get(due, headers=bearer(qingtian), params={"county": "331102"})
    ).status_code == 403
    assert (await api.get(due, headers=bearer(office.agency))).status_code == 403

    path = f"/agencies/{office.uscc}/verifications"
    found = {"verified_on": _today(), "conforming": False, "findings": "档案不全，质量控制未运行"}
    answered = await api.post(path, headers=bearer(office.county), json=found)
    assert answered.status_code == 201, answered.text
    assert answered.json()["status"] == "rectification_required"
    assert answered.json()["rectification_due_at"] is not None
    assert answered.json()["last_verified_on"] == _today()
    assert office.uscc not in _due(
        await api.get(due, headers=bearer(office.county), params={"limit": 500})
    )

    cleared = {"verified_on": _today(), "conforming": True, "findings": "已整改到位"}
    restored = await api.post(path, headers=bearer(office.county), json=cleared)
    assert restored.status_code == 201, restored.text
    assert restored.json()["status"] == "active"
    refused = await api.post(path, headers=bearer(qingtian), json=cleared)
    assert refused.status_code == 403


async def test_the_console_lists_who_is_left_to_verify(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    county = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"v-{office.number}", county_code="331102"
    )
    page = await api.get("/console/verifications", headers=county.page())
    assert page.status_code == 200 and office.uscc in page.text and "尚未核查" in page.text
