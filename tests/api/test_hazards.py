"""Hazards through the API: photos, required fields, the append-only ledger and its exports."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from temporalio.client import Client

from agencyflow.config.settings import Settings
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.identity import Role
from agencyflow.store import hazards as hazard_store
from agencyflow.store.files import StoredFileRow
from tests.api.test_projects import Office, _in_service, admitted
from tests.factories import bearer, fresh_agency, hazard, uscc, user
from tests.serving import serving

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 200
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
async def office(api: httpx.AsyncClient, engine: Engine) -> Office:
    return await admitted(api, engine)


async def _photo(
    api: httpx.AsyncClient, token: str, content: bytes = JPEG, name: str = "隐患.jpg"
) -> str:
    response = await api.post("/files", headers=bearer(token), files={"file": (name, content)})
    assert response.status_code == 201, response.text
    file_id: str = response.json()["file_id"]
    return file_id


async def _visit(
    api: httpx.AsyncClient,
    office: Office,
    pid: str,
    *,
    hazards: list[dict[str, Any]] | None = None,
    reinspections: list[dict[str, Any]] | None = None,
) -> httpx.Response:
    return await api.post(
        f"/projects/{pid}/visits",
        headers=bearer(office.agency),
        json={
            "visited_on": dt.datetime.now(CHINA_TZ).date().isoformat(),
            "present": ["p1"],
            "activities": ["inspection"],
            "hazards": hazards or [],
            "reinspections": reinspections or [],
        },
    )


async def _with_photos(api: httpx.AsyncClient, office: Office, **overrides: Any) -> dict[str, Any]:
    photo = await _photo(api, office.agency)
    example = await _photo(api, office.agency, PNG, "正确示例.png")
    return hazard(photos=[photo], example_photos=[example], **overrides)


async def _found(
    api: httpx.AsyncClient, office: Office, *reports: dict[str, Any]
) -> tuple[str, list[str]]:
    """A project in service, and the hazards its visit found: one per report, with photos."""
    pid = await _in_service(api, office)
    hazards = [await _with_photos(api, office, **report) for report in reports]
    visited = await _visit(api, office, pid, hazards=hazards)
    assert visited.status_code == 201, visited.text
    return pid, visited.json()["project"]["visits"][0]["hazard_ids"]


def _stored_files(settings: Settings) -> list[Path]:
    return [p for p in Path(settings.files_dir).rglob("*") if p.is_file()]


def _file_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(StoredFileRow)).one()


async def test_photos_are_stored_by_content_hash(
    api: httpx.AsyncClient, office: Office, settings: Settings
) -> None:
    file_id = await _photo(api, office.agency)
    again = await _photo(api, office.agency, name="same.jpeg")
    assert file_id == again
    shown = await api.get(f"/files/{file_id}", headers=bearer(office.agency))  # its uploader
    assert shown.status_code == 200
    assert shown.headers["content-type"] == "image/jpeg"
    assert shown.content == JPEG
    assert (await api.get(f"/files/{'0' * 64}", headers=bearer(office.county))).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", PDF, "file.not_image"),
        ("photo.jpg", PDF, "file.not_image"),
        ("photo.gif", b"GIF89a" + b"\x00" * 20, "file.not_image"),
        ("photo.jpg", PNG, "file.name_mismatch"),  # a PNG whose name claims JPEG
        ("photo.pdf", JPEG, "file.name_mismatch"),
    ],
)
async def test_what_is_not_a_photo_is_refused_and_nothing_stored(
    api: httpx.AsyncClient,
    office: Office,
    engine: Engine,
    settings: Settings,
    name: str,
    content: bytes,
    code: str,
) -> None:
    response = await api.post(
        "/files", headers=bearer(office.agency), files={"file": (name, content)}
    )
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [(code, ["body", "file"])]
    assert _file_rows(engine) == 0
    assert _stored_files(settings) == []


async def test_an_oversized_photo_is_refused_and_nothing_stored(
    api_settings: Settings, engine: Engine, temporal: Client
) -> None:
    small = api_settings.model_copy(update={"upload_max_bytes": 1024})
    async with serving(small, engine, temporal) as api:
        _, token = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
        big = JPEG + b"\x00" * 2000
        response = await api.post("/files", headers=bearer(token), files={"file": ("big.jpg", big)})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "file.too_large"
    assert _file_rows(engine) == 0
    assert _stored_files(small) == []


GENERAL_REQUIRED = [
    "location",
    "description",
    "responsible_person",
    "rectification_deadline",
    "photos",
    "suggestion",
    "example_photos",
]
PLAN_REQUIRED = [
    "goal",
    "measures",
    "funds_yuan",
    "responsible_people",
    "time_limit",
    "safety_measures",
]


@pytest.mark.parametrize("field", GENERAL_REQUIRED)
async def test_each_missing_field_of_an_on_site_hazard_is_named_and_nothing_stored(
    api: httpx.AsyncClient, office: Office, engine: Engine, field: str
) -> None:
    pid = await _in_service(api, office)
    report = await _with_photos(api, office)
    report[field] = [] if field.endswith("photos") else None
    response = await _visit(api, office, pid, hazards=[report])
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [
        ("hazard.missing_field", ["body", "hazards", 0, field])
    ]
    assert hazard_store.search(engine, project_id=pid) == []
    shown = await api.get(f"/projects/{pid}", headers=bearer(office.agency))
    assert shown.json()["project"]["visits"] == []


@pytest.mark.parametrize("item", PLAN_REQUIRED)
async def test_each_missing_treatment_plan_item_of_a_major_hazard_is_named(
    api: httpx.AsyncClient, office: Office, engine: Engine, item: str
) -> None:
    pid = await _in_service(api, office)
    report = await _with_photos(api, office, level="major")
    report["treatment_plan"][item] = None
    response = await _visit(api, office, pid, hazards=[report])
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "hazards", 0, "treatment_plan", item]
    ]
    assert hazard_store.search(engine, project_id=pid) == []


async def test_a_management_hazard_needs_no_photos_but_unknown_photos_are_refused(
    api: httpx.AsyncClient, office: Office
) -> None:
    pid = await _in_service(api, office)
    management = hazard(
        kind="management",
        category="safety_management",
        photos=[],
        example_photos=[],
        suggestion=None,
    )
    assert (await _visit(api, office, pid, hazards=[management])).status_code == 201
    unknown = hazard(photos=["c" * 64])
    response = await _visit(api, office, pid, hazards=[unknown])
    assert response.status_code == 422
    assert ["body", "hazards", 0, "photos", 0] in [e["loc"] for e in response.json()["detail"]]


async def test_the_ledger_is_append_only_and_counts_stay_right(
    api: httpx.AsyncClient, office: Office
) -> None:
    pid, (first, second) = await _found(api, office, {}, {"location": "配电房"})

    corrected = await api.post(
        f"/hazards/{first}/corrections",
        headers=bearer(office.agency),
        json={"corrects_seq": 1, "description": "冲压机双手按钮失效", "reason": "记录有误"},
    )
    assert corrected.status_code == 201, corrected.text
    history = corrected.json()["history"]
    assert [(e["seq"], e["kind"], e["corrects_seq"]) for e in history] == [
        (1, "found", None),
        (2, "correction", 1),
    ]
    assert history[0]["data"]["description"] == "冲压机光电保护装置失效"  # the original stands
    assert corrected.json()["hazard"]["report"]["description"] == "冲压机双手按钮失效"

    listed = await api.get(f"/projects/{pid}/hazards", headers=bearer(office.county))
    assert listed.json()["counts"] | {"rectification_rate": None} == {
        "found": 2,
        "rectified": 0,
        "open": 2,
        "overdue": 0,
        "long_unrectified": 0,
        "major": 0,
        "rectification_rate": None,
    }

    after = await _photo(api, office.owner, PNG, "整改后.png")
    evidence = await api.post(
        f"/hazards/{first}/evidence",
        headers=bearer(office.owner),
        json={
            "after_photos": [after],
            "description": "已修复",
            "rectified_on": dt.datetime.now(CHINA_TZ).date().isoformat(),
        },
    )
    assert evidence.status_code == 200, evidence.text
    reinspected = await _visit(
        api,
        office,
        pid,
        reinspections=[{"hazard_id": first, "outcome": "rectified", "after_photos": [after]}],
    )
    assert reinspected.status_code == 201, reinspected.text
    counts = (await api.get(f"/projects/{pid}/hazards", headers=bearer(office.county))).json()[
        "counts"
    ]
    assert (counts["found"], counts["rectified"], counts["open"], counts["rectification_rate"]) == (
        2,
        1,
        1,
        0.5,
    )
    closed_again = await api.post(
        f"/hazards/{first}/corrections",
        headers=bearer(office.agency),
        json={"corrects_seq": 1, "description": "x", "reason": "y"},
    )
    assert closed_again.status_code == 409
    shown = await api.get(f"/hazards/{first}", headers=bearer(office.owner))
    assert [e["kind"] for e in shown.json()["history"]] == [
        "found",
        "correction",
        "evidence",
        "reinspection",
    ]
    assert after in shown.json()["photo_urls"]

    ledger = await api.get(
        f"/enterprises/{uscc(office.enterprise)}/ledger", headers=bearer(office.county)
    )
    assert ledger.json()["counts"]["found"] == 2
    # The first: found, correction, evidence, re-inspection; the second: found, still open.
    assert len(ledger.json()["history"]) == 4 + 2
    assert second in [h["hazard_id"] for h in ledger.json()["hazards"]]


async def test_the_ledger_exports_to_xlsx_and_csv_with_one_row_per_hazard(
    api: httpx.AsyncClient, office: Office
) -> None:
    pid, (first, second) = await _found(api, office, {}, {"location": "配电房"})
    await _visit(api, office, pid, reinspections=[{"hazard_id": first, "outcome": "rectified"}])

    xlsx = await api.get(
        f"/enterprises/{uscc(office.enterprise)}/ledger?format=xlsx", headers=bearer(office.owner)
    )
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["隐患台账", "整改记录"]
    rows = list(book["隐患台账"].iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "隐患编号" and "整改状态" in header
    status = header.index("整改状态")
    assert {row[0]: row[status] for row in rows[1:]} == {first: "已整改销号", second: "待整改"}
    history = list(book["整改记录"].iter_rows(values_only=True))
    assert len(history) == 1 + 4  # header; two "found", a re-inspection, a "still open"

    csv = await api.get(
        f"/enterprises/{uscc(office.enterprise)}/ledger?format=csv", headers=bearer(office.owner)
    )
    lines = csv.text.lstrip("\ufeff").strip().splitlines()
    assert lines[0].startswith("隐患编号,发现时间")
    assert len(lines) == 3


async def test_major_hazards_through_the_api(
    api: httpx.AsyncClient, office: Office, engine: Engine
) -> None:
    _, (major, general) = await _found(
        api, office, {"level": "major", "category": "dust_explosion"}, {}
    )
    inbox = (await api.get("/inbox", headers=bearer(office.county))).json()["items"]
    assert ("major_hazard.acknowledge", f"hazards/{major}") in [
        (i["kind"], i["resource"]) for i in inbox
    ]

    assert (
        await api.post(f"/hazards/{general}/acknowledge", headers=bearer(office.county), json={})
    ).status_code == 409
    assert (
        await api.post(
            f"/hazards/{major}/acknowledge", headers=bearer(office.other_county), json={}
        )
    ).status_code == 403
    assert (
        await api.post(f"/hazards/{major}/acknowledge", headers=bearer(office.agency), json={})
    ).status_code == 403
    acknowledged = await api.post(
        f"/hazards/{major}/acknowledge", headers=bearer(office.county), json={"notes": "已到现场"}
    )
    assert acknowledged.status_code == 200, acknowledged.text
    assert acknowledged.json()["hazard"]["major"]["acknowledged_at"]

    listed = await api.get("/hazards?level=major", headers=bearer(office.county))
    assert [h["hazard_id"] for h in listed.json()["items"]] == [major]
    both = (await api.get("/hazards", headers=bearer(office.county))).json()
    second_page = (await api.get("/hazards?limit=1&offset=1", headers=bearer(office.county))).json()
    assert [h["hazard_id"] for h in second_page["items"]] == [both["items"][1]["hazard_id"]]
    assert (second_page["total"], second_page["counts"]) == (2, both["counts"])
    assert second_page["counts"]["major"] == 1
    refused = await api.get("/hazards?limit=501&offset=-1", headers=bearer(office.county))
    assert refused.status_code == 422
    assert {tuple(e["loc"]) for e in refused.json()["detail"]} == {
        ("query", "limit"),
        ("query", "offset"),
    }
    assert (
        await api.get("/hazards?county=331121", headers=bearer(office.county))
    ).status_code == 403
    assert (await api.get("/hazards", headers=bearer(office.other_county))).json()["counts"][
        "found"
    ] == 0

    _, stranger = user(engine, Role.ENTERPRISE, enterprise_uscc=uscc(fresh_agency()))
    after = await _photo(api, office.owner, PNG, "整改后.png")
    body = {
        "after_photos": [after],
        "description": "已整改",
        "rectified_on": dt.datetime.now(CHINA_TZ).date().isoformat(),
    }
    assert (
        await api.post(f"/hazards/{major}/evidence", headers=bearer(stranger), json=body)
    ).status_code == 403
    assert (
        await api.post(f"/hazards/{major}/evidence", headers=bearer(office.owner), json=body)
    ).status_code == 200
    verified = await api.post(
        f"/hazards/{major}/verify", headers=bearer(office.county), json={"accepted": True}
    )
    assert verified.json()["hazard"]["status"] == "closed"


async def test_a_hazard_can_be_reinspected_after_the_service_ended(
    api: httpx.AsyncClient, office: Office
) -> None:
    pid, [hazard_id] = await _found(api, office, {})
    today = dt.datetime.now(CHINA_TZ).date().isoformat()
    await api.post(f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": today})
    by_owner = await api.post(
        f"/hazards/{hazard_id}/reinspections",
        headers=bearer(office.owner),
        json={"outcome": "rectified"},
    )
    assert by_owner.status_code == 403
    done = await api.post(
        f"/hazards/{hazard_id}/reinspections",
        headers=bearer(office.agency),
        json={"outcome": "rectified"},
    )
    assert done.status_code == 201, done.text
    assert done.json()["hazard"]["status"] == "closed"
    again = await api.post(
        f"/hazards/{hazard_id}/reinspections",
        headers=bearer(office.agency),
        json={"outcome": "rectified"},
    )
    assert again.status_code == 409
