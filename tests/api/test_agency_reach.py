"""An agency is seen by every county it works in (issue 12, point 4): a county whose
enterprises an out-of-town agency serves can read its file and finds it in its register,
while deciding on its admission stays with the agency's own county."""

import httpx
from sqlalchemy import Engine

from agencyflow.domain.identity import Role
from tests.api.test_projects import admitted
from tests.factories import bearer, fresh_agency, project_request, user


async def test_a_county_sees_an_agency_serving_its_enterprises_and_no_other(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)  # under 莲都区 (331102)
    _, qingtian = user(engine, Role.COUNTY_REGULATOR, county_code="331121")
    _, jinyun = user(engine, Role.COUNTY_REGULATOR, county_code="331122")
    path = f"/agencies/{office.uscc}"

    assert (await api.get(path, headers=bearer(qingtian))).status_code == 403
    listed = await api.get("/agencies", headers=bearer(qingtian), params={"limit": 500})
    assert office.uscc not in [a["uscc"] for a in listed.json()["items"]]

    served = project_request(fresh_agency(), county="331121")
    created = await api.post("/projects", headers=bearer(office.agency), json=served)
    assert created.status_code == 201, created.text

    shown = await api.get(path, headers=bearer(qingtian))
    assert shown.status_code == 200 and shown.json()["uscc"] == office.uscc
    assert (await api.get(f"{path}/credit", headers=bearer(qingtian))).status_code == 200
    listed = await api.get("/agencies", headers=bearer(qingtian), params={"limit": 500})
    assert office.uscc in [a["uscc"] for a in listed.json()["items"]]
    own = await api.get("/agencies", headers=bearer(office.county), params={"limit": 500})
    assert office.uscc in [a["uscc"] for a in own.json()["items"]]

    # Its admission is its own county's to decide.
    reinstated = await api.post(f"{path}/reinstate", headers=bearer(qingtian), json={})
    assert reinstated.status_code == 403
    assert (await api.get(path, headers=bearer(jinyun))).status_code == 403
