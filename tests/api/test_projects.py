"""The project routes through a real worker: the whole life, and every rejection."""

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.service import RPCError

from agencyflow.config.policy import Policy
from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.domain.project import project_id
from agencyflow.domain.project_rules import CONTRACT_ITEMS
from agencyflow.store import projects
from tests.factories import bearer, facts, fresh_agency, project_request, uscc, user
from tests.serving import serving
from tests.waiting import eventually

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Office:
    """An admitted agency and the people around one project."""

    def __init__(self, engine: Engine, number: int) -> None:
        self.number = number
        self.uscc = uscc(number)
        self.enterprise = fresh_agency()
        _, self.agency = user(engine, Role.AGENCY, agency_uscc=self.uscc)
        _, self.county = user(engine, Role.COUNTY_REGULATOR, county_code="331102")
        _, self.other_county = user(engine, Role.COUNTY_REGULATOR, county_code="331181")
        _, self.city = user(engine, Role.CITY_REGULATOR)
        _, self.owner = user(engine, Role.ENTERPRISE, enterprise_uscc=uscc(self.enterprise))

    def request(self, **overrides: Any) -> dict[str, Any]:
        return project_request(self.enterprise, **overrides)

    def pid(self, contract_number: str = "LS-2026-001") -> str:
        return project_id(self.uscc, contract_number)


async def admitted(api: httpx.AsyncClient, engine: Engine, **application: Any) -> Office:
    """A fresh agency that has applied (``application``: what its facts change) and been
    approved, and the people around its project."""
    office = Office(engine, fresh_agency())
    applied = await api.post(
        "/agencies", headers=bearer(office.agency), json=facts(office.number, **application)
    )
    assert applied.status_code == 201, applied.text
    approved = await api.post(
        f"/agencies/{office.uscc}/approve", headers=bearer(office.county), json={}
    )
    assert approved.status_code == 200, approved.text
    return office


@pytest.fixture
async def office(api: httpx.AsyncClient, engine: Engine) -> Office:
    return await admitted(api, engine)


async def _create(api: httpx.AsyncClient, office: Office, **overrides: Any) -> httpx.Response:
    return await api.post(
        "/projects", headers=bearer(office.agency), json=office.request(**overrides)
    )


async def _in_service(api: httpx.AsyncClient, office: Office) -> str:
    created = await _create(api, office)
    assert created.status_code == 201, created.text
    pid = created.json()["project"]["project_id"]
    await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
    await api.post(f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"})
    return pid


def _today() -> str:
    return dt.datetime.now(CHINA_TZ).date().isoformat()


async def _visit(
    api: httpx.AsyncClient, office: Office, pid: str, *activities: str
) -> httpx.Response:
    return await api.post(
        f"/projects/{pid}/visits",
        headers=bearer(office.agency),
        json={
            "visited_on": _today(),
            "present": ["p1"],
            "activities": list(activities or ["inspection"]),
        },
    )


async def test_the_whole_life_of_a_project(api: httpx.AsyncClient, office: Office) -> None:
    created = await _create(api, office)
    assert created.status_code == 201, created.text
    body = created.json()
    pid = body["project"]["project_id"]
    assert pid == office.pid()
    assert body["stage_label"] == "执业告知"
    assert body["next_step"]["step"] == "filing.review"
    assert body["next_step"]["who"] == "county_regulator"
    assert body["temporal_ui_url"].endswith(f"/workflows/project-{pid}")
    county_inbox = (await api.get("/inbox", headers=bearer(office.county))).json()["items"]
    assert [(i["kind"], i["resource"]) for i in county_inbox] == [
        ("filing.review", f"projects/{pid}")
    ]

    await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
    planned = await api.post(
        f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"}
    )
    assert planned.json()["next_step"]["step"] == "service.visit_or_end"
    visited = await _visit(api, office, pid)
    assert visited.status_code == 201
    assert visited.json()["project"]["visits"][0]["visit_id"] == "v1"
    ended = await api.post(
        f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
    )
    assert ended.json()["next_step"]["step"] == "report.upload"
    agency_inbox = (await api.get("/inbox", headers=bearer(office.agency))).json()["items"]
    assert [i["kind"] for i in agency_inbox] == ["report.upload"]

    uploaded = await api.post(
        f"/projects/{pid}/report",
        headers=bearer(office.agency),
        files={"file": ("服务报告.pdf", PDF, "application/pdf")},
    )
    assert uploaded.status_code == 201, uploaded.text
    # Answered once recorded; the hand-off to the provincial platform follows.
    report = uploaded.json()["project"]["report"]
    assert report["days_late"] == 0
    assert report["uploaded_at"] is not None
    assert (await api.get("/inbox", headers=bearer(office.agency))).json()["items"] == []

    async def receipt() -> str | None:
        shown = await api.get(f"/projects/{pid}", headers=bearer(office.agency))
        number: str | None = shown.json()["project"]["report"]["receipt_number"]
        return number

    await eventually(receipt)
    assert (await receipt() or "").startswith("ZJAQ-")
    shown = (await api.get(f"/projects/{pid}", headers=bearer(office.agency))).json()
    assert [e["kind"] for e in shown["timeline"]][-2:] == ["report.uploaded", "report.received"]

    await api.post(f"/projects/{pid}/spot-check", headers=bearer(office.city))
    verdict = await api.post(
        f"/projects/{pid}/spot-check/verdict", headers=bearer(office.city), json={"verdict": "pass"}
    )
    assert verdict.json()["stage_label"] == "已归档"
    assert verdict.json()["next_step"]["step"] == "none"
    after_close = await _visit(api, office, pid)
    assert after_close.status_code == 409
    assert after_close.json()["detail"][0]["type"] == "project.closed"

    # The same contract again, after closure: the closed project, and nothing reopened.
    again = await _create(api, office)
    assert again.status_code == 200
    assert again.json()["project"]["closed_at"] is not None
    assert (await api.get("/inbox", headers=bearer(office.county))).json()["items"] == []
    assert (await api.get("/inbox", headers=bearer(office.agency))).json()["items"] == []

    file = await api.get(
        f"/enterprises/{uscc(office.enterprise)}/file", headers=bearer(office.owner)
    )
    assert [(p["project_id"], p["stage"]) for p in file.json()["projects"]] == [(pid, "closed")]
    listed = await api.get("/projects?stage=closed", headers=bearer(office.county))
    assert [p["project_id"] for p in listed.json()["items"]] == [pid]


async def test_the_same_contract_again_returns_the_project_and_other_terms_are_409(
    api: httpx.AsyncClient, office: Office
) -> None:
    first = await _create(api, office)
    again = await _create(api, office)
    assert again.status_code == 200
    assert again.json()["project"]["project_id"] == first.json()["project"]["project_id"]
    other = await _create(api, office, fee_yuan=12345)
    assert other.status_code == 409
    assert other.json()["detail"][0]["type"] == "project.contract_number_taken"


async def test_the_same_contract_for_a_project_whose_workflow_ended_unclosed_is_409(
    api: httpx.AsyncClient, office: Office, temporal: Client
) -> None:
    first = await _create(api, office)
    pid = first.json()["project"]["project_id"]
    handle = temporal.get_workflow_handle(f"project-{pid}")
    await handle.terminate("an operator stopped it")
    run = (await handle.describe()).run_id

    again = await _create(api, office)

    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "project.workflow_ended"
    assert (await handle.describe()).run_id == run  # no empty project started in its place


@pytest.mark.parametrize(("path", "label"), CONTRACT_ITEMS)
async def test_each_missing_contract_item_is_named_and_nothing_starts(
    api: httpx.AsyncClient, office: Office, engine: Engine, temporal: Client, path: str, label: str
) -> None:
    request = office.request()
    target = request["contract"]
    *parents, leaf = path.split(".")
    for parent in parents:
        target = target[parent]
    target[leaf] = None if leaf in ("term_start", "term_end", "fee_yuan") else "  "
    response = await api.post("/projects", headers=bearer(office.agency), json=request)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "contract.missing_item"
    assert error["loc"] == ["body", "contract", *path.split(".")]
    assert label in error["msg"]
    assert projects.get(engine, office.pid()) is None
    with pytest.raises(RPCError):
        await temporal.get_workflow_handle(f"project-{office.pid()}").describe()


async def test_a_contract_missing_everything_lists_every_item(
    api: httpx.AsyncClient, office: Office
) -> None:
    request = office.request()
    request["contract"] = {"number": "EMPTY-1", "signed_on": _today()}
    response = await api.post("/projects", headers=bearer(office.agency), json=request)
    assert response.status_code == 422
    assert len(response.json()["detail"]) == len(CONTRACT_ITEMS)


async def test_team_and_scope_rules(api: httpx.AsyncClient, office: Office) -> None:
    response = await _create(
        api, office, team=["p1", "p99"], industry="hazardous_chemicals", service_type="risk_census"
    )
    assert response.status_code == 422
    assert [e["type"] for e in response.json()["detail"]] == [
        "project.service_type_not_admitted",
        "project.unknown_team_member",
        "project.missing_specialist",
    ]
    assert response.json()["detail"][1]["loc"] == ["body", "team", 1]


async def test_steps_out_of_order_are_409_naming_the_expected_step(
    api: httpx.AsyncClient, office: Office
) -> None:
    created = await _create(api, office)
    pid = created.json()["project"]["project_id"]
    early = await _visit(api, office, pid)
    assert early.status_code == 409
    assert early.json()["detail"][0]["type"] == "project.out_of_order"
    assert "filing" in early.json()["detail"][0]["msg"]
    report = await api.post(
        f"/projects/{pid}/report",
        headers=bearer(office.agency),
        files={"file": ("r.pdf", PDF, "application/pdf")},
    )
    assert report.status_code == 409
    twice = await api.post(f"/projects/{pid}/spot-check", headers=bearer(office.county))
    assert twice.status_code == 409


async def test_another_agency_is_403(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    pid = await _in_service(api, office)
    _, rival = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    assert (await api.get(f"/projects/{pid}", headers=bearer(rival))).status_code == 403
    visit = await api.post(
        f"/projects/{pid}/visits",
        headers=bearer(rival),
        json={"visited_on": _today(), "present": ["p1"], "activities": ["inspection"]},
    )
    assert visit.status_code == 403
    assert (
        await api.get(f"/projects?agency={office.uscc}", headers=bearer(rival))
    ).status_code == 403
    assert (await api.get("/projects", headers=bearer(rival))).json()["total"] == 0


async def test_another_county_is_403(api: httpx.AsyncClient, office: Office) -> None:
    created = await _create(api, office)
    pid = created.json()["project"]["project_id"]
    outsider = bearer(office.other_county)
    assert (
        await api.post(f"/projects/{pid}/filing/acknowledge", headers=outsider)
    ).status_code == 403
    assert (await api.get(f"/projects/{pid}", headers=outsider)).status_code == 403
    # What it may see of the enterprise's file: nothing (a 403 would say projects exist).
    other = await api.get(f"/enterprises/{uscc(office.enterprise)}/file", headers=outsider)
    assert other.status_code == 200 and other.json()["projects"] == []
    shown = await api.get(f"/projects/{pid}", headers=bearer(office.county))
    assert shown.json()["project"]["filing_status"] == "pending"


async def test_an_agency_not_yet_admitted_starts_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    applicant = Office(engine, fresh_agency())
    await api.post("/agencies", headers=bearer(applicant.agency), json=facts(applicant.number))
    pending = await _create(api, applicant)
    assert pending.status_code == 409
    assert pending.json()["detail"][0]["type"] == "agency.not_admitted"


async def test_a_suspended_agency_starts_nothing(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    # A one-second rectification period, so the agency is suspended while we wait.
    policy = Policy(agency_rectification_period=dt.timedelta(seconds=1))
    settings = api_settings.model_copy(update={"policy": policy})
    async with serving(settings, engine, temporal) as api:
        office = await admitted(api, engine)
        shrunk = await api.put(
            f"/agencies/{office.uscc}/workplace",
            headers=bearer(office.agency),
            json={"workplace_area_m2": 50},
        )
        assert shrunk.json()["status"] == "rectification_required"

        async def suspended() -> bool:
            shown = await api.get(f"/agencies/{office.uscc}", headers=bearer(office.agency))
            return bool(shown.json()["status"] == "suspended")

        await eventually(suspended)
        refused = await _create(api, office)
        assert refused.status_code == 409
        assert refused.json()["detail"][0]["type"] == "agency.cannot_start_projects"
        assert projects.get(engine, office.pid()) is None


@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("report.pdf", PNG, "application/pdf", "file.not_pdf"),  # a picture named like a PDF
        ("report.docx", b"PK\x03\x04 a word file", "application/msword", "file.not_pdf"),
        ("report.pdf", b"", "application/pdf", "file.not_pdf"),
    ],
)
async def test_a_report_that_is_not_a_pdf_is_refused_and_nothing_changes(
    api: httpx.AsyncClient,
    office: Office,
    engine: Engine,
    name: str,
    content: bytes,
    content_type: str,
    code: str,
) -> None:
    pid = await _in_service(api, office)
    await _visit(api, office, pid)
    await api.post(
        f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
    )
    response = await api.post(
        f"/projects/{pid}/report",
        headers=bearer(office.agency),
        files={"file": (name, content, content_type)},
    )
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [(code, ["body", "file"])]
    snapshot = projects.get(engine, pid)
    assert snapshot is not None and snapshot.report is None


async def test_a_consulting_project_cannot_end_as_paperwork(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    created = await api.post(
        "/projects",
        headers=bearer(office.agency),
        json=office.request(service_type="safety_management_consulting"),
    )
    pid = created.json()["project"]["project_id"]
    await api.post(f"/projects/{pid}/filing/acknowledge", headers=bearer(office.county))
    await api.post(f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"})
    await _visit(api, office, pid, "inspection")
    refused = await api.post(
        f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
    )
    assert refused.status_code == 422
    [error] = refused.json()["detail"]
    assert error["type"] == "project.consulting_incomplete"
    assert "应急演练" in error["msg"]


async def test_overdue_projects_are_flagged_listed_and_in_the_county_inbox(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    policy = Policy(
        report_deadline=dt.timedelta(seconds=2), report_reminders=(dt.timedelta(seconds=1),)
    )
    settings = api_settings.model_copy(update={"policy": policy})
    async with serving(settings, engine, temporal) as api:
        office = await admitted(api, engine)
        pid = await _in_service(api, office)
        await _visit(api, office, pid)
        await api.post(
            f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
        )

        async def overdue() -> bool:
            listed = await api.get("/projects?overdue=true", headers=bearer(office.county))
            return [p["project_id"] for p in listed.json()["items"]] == [pid]

        await eventually(overdue)
        county_inbox = (await api.get("/inbox", headers=bearer(office.county))).json()["items"]
        assert [(i["kind"], i["overdue"]) for i in county_inbox] == [("report.overdue", True)]
        agency_inbox = {
            i["kind"]
            for i in (await api.get("/inbox", headers=bearer(office.agency))).json()["items"]
        }
        assert agency_inbox == {"report.upload", "report.reminder.1"}
        described = await temporal.get_workflow_handle(f"project-{pid}").describe()
        attributes = {key.name: value for key, value in described.typed_search_attributes}
        assert attributes["AfCounty"] == "331102"
        assert attributes["AfStage"] == "reporting"
        assert attributes["AfOverdue"] is True
        assert attributes["AfAgency"] == office.uscc

        # Uploaded late, it leaves the overdue reports; its lateness stays on the report.
        overdue_reports = await _overdue_reports(api, office)
        uploaded = await api.post(
            f"/projects/{pid}/report",
            headers=bearer(office.agency),
            files={"file": ("服务报告.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 201, uploaded.text
        assert uploaded.json()["project"]["report"]["days_late"] >= 1
        listed = await api.get("/projects?overdue=true", headers=bearer(office.county))
        assert listed.json()["items"] == []
        [shown] = (await api.get("/projects", headers=bearer(office.county))).json()["items"]
        assert (shown["project_id"], shown["overdue"]) == (pid, False)
        assert await _overdue_reports(api, office) == overdue_reports - 1


async def _overdue_reports(api: httpx.AsyncClient, office: Office) -> int:
    overview = (await api.get("/overview", headers=bearer(office.county))).json()
    [county] = [c for c in overview["counties"] if c["county_code"] == "331102"]
    overdue: int = county["overdue_reports"]
    return overdue


async def test_a_command_to_an_unknown_project_is_404_and_reaches_nothing(
    api: httpx.AsyncClient, office: Office
) -> None:
    unknown = office.pid("LS-NO-SUCH-CONTRACT")
    for pid in (unknown, "not-a-project-id"):
        response = await api.post(
            f"/projects/{pid}/plan", headers=bearer(office.agency), json={"summary": "方案"}
        )
        assert response.status_code == 404, response.text
        assert response.json()["detail"][0]["type"] == "project.not_found"
    # Longer than any project id: refused by its bound before anything is looked up.
    response = await api.post(
        f"/projects/{'x' * 500}/plan", headers=bearer(office.agency), json={"summary": "方案"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "pid"]
