"""Spot checks through the API and the console (issue 12, points 1 and 6): the half year's
sample, its coverage per county, a check's examination and verdict, and every refusal."""

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.store import credit, projects
from agencyflow.workflows.agency.credit import referral_resource
from agencyflow.workflows.spot_check.models import SamplingInput, spot_check_resource
from agencyflow.workflows.spot_check.sampling import SpotCheckSamplingWorkflow
from tests.api.test_projects import _today, admitted
from tests.api.test_spot_check_draws import _reported
from tests.console_people import signed_in
from tests.factories import bearer, user
from tests.reading import open_items_of
from tests.serving import serving
from tests.waiting import eventually


@pytest.fixture
async def strict(
    api_settings: Settings, engine: Engine, temporal: Client
) -> AsyncIterator[httpx.AsyncClient]:
    """The API and a worker under a policy that wants four eyes on a verdict."""
    policy = api_settings.policy.model_copy(update={"spot_check_four_eyes": True})
    settings = api_settings.model_copy(update={"policy": policy})
    async with serving(settings, engine, temporal) as http:
        yield http


async def test_a_sampled_check_from_coverage_to_verdict_with_every_refusal(
    strict: httpx.AsyncClient, engine: Engine, temporal: Client, api_settings: Settings
) -> None:
    api = strict
    office = await admitted(api, engine)
    reported = [await _reported(api, office, f"SC-{n}") for n in range(2)]
    period = "2026H2" if _today() >= "2026-07-01" else "2026H1"
    opened = await temporal.execute_workflow(
        SpotCheckSamplingWorkflow.run,
        SamplingInput(period=period),
        id=f"sampling-{reported[0]}",
        task_queue=api_settings.temporal_task_queue,
    )
    assert opened and set(opened) <= set(reported)
    pid = opened[0]
    _, qingtian = user(engine, Role.COUNTY_REGULATOR, county_code="331121")
    _, second = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
    county = bearer(office.county)

    listed = await api.get("/spot-checks", headers=county, params={"period": period})
    assert listed.status_code == 200 and pid in [
        c["subject"]["project_id"] for c in listed.json()["items"]
    ]
    coverage = await api.get("/spot-checks/coverage", headers=county, params={"period": period})
    assert [(c["county_code"], c["drawn"], c["decided"]) for c in coverage.json()] == [
        ("331102", len(opened), 0)
    ]
    assert (await api.get("/spot-checks", headers=bearer(office.agency))).status_code == 403
    bad_period = await api.get("/spot-checks/coverage", headers=county, params={"period": "2026H3"})
    assert bad_period.status_code == 422
    path = f"/spot-checks/{pid}"
    assert (await api.get(path, headers=county)).status_code == 200
    assert (await api.get(path, headers=bearer(office.agency))).status_code == 200  # its own report
    assert (await api.get(path, headers=bearer(qingtian))).status_code == 403

    early = await api.post(f"{path}/verdict", headers=county, json={"verdict": "pass"})
    assert (
        early.status_code == 409 and early.json()["detail"][0]["type"] == "spot_check.not_examined"
    )
    outside = await api.post(
        f"{path}/examination", headers=bearer(qingtian), json={"findings": "x"}
    )
    assert outside.status_code == 403
    empty = await api.post(f"{path}/examination", headers=county, json={"findings": ""})
    assert empty.status_code == 422
    examined = await api.post(
        f"{path}/examination", headers=county, json={"findings": "报告与现场一致"}
    )
    assert examined.status_code == 200, examined.text
    assert examined.json()["progress"]["examined_by"] is not None

    own = await api.post(f"{path}/verdict", headers=county, json={"verdict": "pass"})
    assert own.status_code == 403 and own.json()["detail"][0]["type"] == "spot_check.four_eyes"
    pointless = await api.post(
        f"{path}/verdict", headers=bearer(second), json={"verdict": "fail", "reasons": ["false"]}
    )
    assert pointless.status_code == 422
    decided = await api.post(f"{path}/verdict", headers=bearer(second), json={"verdict": "pass"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["progress"]["verdict"] == "pass"
    assert [e["kind"] for e in decided.json()["timeline"]][-1] == "spot_check.decided"
    again = await api.post(f"{path}/verdict", headers=bearer(second), json={"verdict": "pass"})
    assert again.status_code == 409 and again.json()["detail"][0]["type"] == "spot_check.not_open"

    person = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"sc-{office.number}", county_code="331102"
    )
    page = await api.get("/console/spot-checks", headers=person.page(), params={"period": period})
    assert page.status_code == 200 and 'data-county="331102"' in page.text and pid in page.text
    check = await api.get(f"/console{path}", headers=person.page())
    assert check.status_code == 200 and 'data-verdict="pass"' in check.text


async def test_a_check_added_by_hand_fails_a_false_report_orders_it_corrected_and_refers_it(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    pid = await _reported(api, office, "SC-HAND")
    county, agency = bearer(office.county), bearer(office.agency)
    path = f"/spot-checks/{pid}"

    def received() -> bool:
        head = projects.head(engine, pid)
        return head is not None and head.report is not None and not head.report.awaiting_receipt

    await eventually(received)
    person = await signed_in(
        api, engine, Role.COUNTY_REGULATOR, f"sch-{office.number}", county_code="331102"
    )
    offered = await api.get(f"/console/projects/{pid}", headers=person.page())
    assert "加入抽查" in offered.text
    assert (await api.post(path, headers=agency)).status_code == 403
    assert (await api.post(path, headers=bearer(office.other_county))).status_code == 403
    assert (
        await api.post("/spot-checks/nobody-LS-1", headers=bearer(office.city))
    ).status_code == 404
    opened = await api.post(path, headers=county)
    assert opened.status_code == 201, opened.text
    assert opened.json()["subject"]["origin"] == "manual"
    twice = await api.post(path, headers=county)
    assert (
        twice.status_code == 409 and twice.json()["detail"][0]["type"] == "spot_check.already_open"
    )
    in_project = await api.post(f"/projects/{pid}/spot-check", headers=county)
    assert in_project.status_code == 409

    await api.post(f"{path}/examination", headers=county, json={"findings": "隐患照片系他处翻拍"})
    tomorrow = (dt.datetime.now(CHINA_TZ).date() + dt.timedelta(days=1)).isoformat()
    verdict = {"verdict": "fail", "reasons": ["false"], "points": 10, "rectify_by": tomorrow}
    passed_referred = await api.post(
        f"{path}/verdict", headers=county, json={"verdict": "pass", "refer": True}
    )
    assert passed_referred.status_code == 422
    assert {e["loc"][-1] for e in passed_referred.json()["detail"]} == {"refer"}
    decided = await api.post(f"{path}/verdict", headers=county, json=verdict | {"refer": True})
    assert decided.status_code == 200, decided.text
    progress = decided.json()["progress"]
    assert progress["referred"] is True and progress["rectify_by"] == tomorrow
    kinds = sorted(e.kind for e in credit.of_agency(engine, office.uscc))
    assert kinds == ["false_report", "spot_check.failed"]
    referral = referral_resource(office.uscc, f"spot-check-{pid}")
    await eventually(lambda: "credit.untrustworthy_referral" in open_items_of(engine, referral))
    assert "spot_check.rectification" in open_items_of(engine, spot_check_resource(pid))
    page = await api.get(f"/console{path}", headers=person.page())
    assert "确认已整改" in page.text and "作出结论" not in page.text

    assert (
        await api.post(f"{path}/rectification", headers=agency, json={"notes": "x"})
    ).status_code == 403
    confirmed = await api.post(
        f"{path}/rectification", headers=county, json={"notes": "已重出报告"}
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["progress"]["rectified_at"] is not None
    again = await api.post(f"{path}/rectification", headers=county, json={"notes": "x"})
    assert again.status_code == 409
