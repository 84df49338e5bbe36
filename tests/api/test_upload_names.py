"""An uploaded file's name is text like any other: a control character (a NUL, which
PostgreSQL's text refuses) or a name past 255 characters is 422 on ``file``, before
anything is stored, on every route that takes a file."""

import re

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from agencyflow.api.upload_names import upload_name
from agencyflow.config.settings import Settings
from agencyflow.domain.bounded import FILE_NAME_MAX
from agencyflow.domain.errors import RuleViolations
from agencyflow.store import files
from agencyflow.store.files import StoredFileRow
from tests.api.test_capability_tests import _opened, _row, _sheet
from tests.api.test_console_complaints import ACCOUNT, _attachments_kept, _form_token
from tests.api.test_hazards import JPEG, _stored_files
from tests.api.test_projects import PDF, PNG, Office, _in_service, _today, _visit, admitted
from tests.factories import bearer

BAD_NAMES = [
    (b"a\x00b", "file.name_invalid"),
    (b"a\x1bb", "file.name_invalid"),
    (b"x" * 300, "file.name_too_long"),
]


@pytest.fixture
async def office(api: httpx.AsyncClient, engine: Engine) -> Office:
    return await admitted(api, engine)


def _multipart(filename: bytes, content: bytes) -> tuple[bytes, dict[str, str]]:
    """A body as any client may send it: httpx would escape the name it is given."""
    boundary = b"agencyflowboundary"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
        b"--" + boundary + b"--\r\n"
    )
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary.decode()}"}


def _file_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(StoredFileRow)).one()


def _refused_on_file(response: httpx.Response, code: str) -> None:
    assert response.status_code == 422, response.text
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [(code, ["body", "file"])]


@pytest.mark.parametrize(("name", "code"), BAD_NAMES)
async def test_a_bad_name_is_refused_on_every_upload_and_nothing_is_kept(
    api: httpx.AsyncClient,
    office: Office,
    engine: Engine,
    settings: Settings,
    name: bytes,
    code: str,
) -> None:
    body, headers = _multipart(name + b".jpg", JPEG)
    photo = await api.post("/files", headers={**bearer(office.agency), **headers}, content=body)
    _refused_on_file(photo, code)
    attachment = await api.post("/public/complaints/attachments", headers=headers, content=body)
    _refused_on_file(attachment, code)
    assert _file_rows(engine) == 0
    assert _stored_files(settings) == []

    pid = await _in_service(api, office)
    await _visit(api, office, pid)
    ended = await api.post(
        f"/projects/{pid}/end", headers=bearer(office.agency), json={"ended_on": _today()}
    )
    assert ended.status_code == 200, ended.text
    body, headers = _multipart(name + b".pdf", PDF)
    report = await api.post(
        f"/projects/{pid}/report", headers={**bearer(office.agency), **headers}, content=body
    )
    _refused_on_file(report, code)
    assert _stored_files(settings) == []
    assert _file_rows(engine) == 0
    shown = await api.get(f"/projects/{pid}", headers=bearer(office.agency))
    assert shown.json()["project"]["report"] is None


async def test_a_name_in_any_script_of_up_to_255_characters_is_kept(
    api: httpx.AsyncClient, office: Office
) -> None:
    name = "现场照片" * 60 + ".jpg"  # 244 characters
    body, headers = _multipart(name.encode(), JPEG)
    kept = await api.post("/files", headers={**bearer(office.agency), **headers}, content=body)
    assert kept.status_code == 201, kept.text
    assert kept.json()["filename"] == name


class RowRefused(Exception):
    """What the database answers, in these tests, to a stored file's row."""


@pytest.mark.parametrize("route", ["/files", "/public/complaints/attachments"])
async def test_a_file_whose_row_is_refused_leaves_nothing_on_disk(
    api: httpx.AsyncClient,
    office: Office,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
) -> None:
    """The row first, the bytes after: a file the database would not register is never
    written, so no file lies on disk that no row (nor the hourly count) knows of."""

    def refuse(*args: object) -> None:
        raise RowRefused

    with monkeypatch.context() as patched:
        patched.setattr(files, "keep", refuse)
        with pytest.raises(RowRefused):
            await api.post(route, headers=bearer(office.agency), files={"file": ("现场.jpg", JPEG)})
    assert _stored_files(settings) == []
    assert _file_rows(engine) == 0

    kept = await api.post(route, headers=bearer(office.agency), files={"file": ("现场.jpg", JPEG)})
    assert kept.status_code == 201, kept.text
    assert len(_stored_files(settings)) == 1 and _file_rows(engine) == 1


def test_a_lone_surrogate_is_refused_like_a_control_character() -> None:
    """No multipart parser hands one over from a body's bytes, but a name is checked whole."""
    with pytest.raises(RuleViolations) as refused:
        upload_name("a\ud800b.png", "")
    assert [v.code for v in refused.value.violations] == ["file.name_invalid"]
    assert upload_name("a" * FILE_NAME_MAX, "") == "a" * FILE_NAME_MAX
    assert upload_name(None, "photo") == "photo"


@pytest.mark.parametrize(
    ("name", "code"), [("a\x1bb.png", "file.name_invalid"), ("x" * 300, "file.name_too_long")]
)
async def test_the_complaint_form_checks_every_name_before_it_keeps_a_file(
    api: httpx.AsyncClient, engine: Engine, settings: Settings, name: str, code: str
) -> None:
    token = await _form_token(api)
    refused = await api.post(
        "/console/complaint",
        data={"csrf_token": token, "agency": "某咨询公司", "account": ACCOUNT},
        files=[
            ("attachments", ("现场.png", PNG, "image/png")),
            ("attachments", (name, PNG, "image/png")),
        ],
    )
    assert refused.status_code == 422, refused.text
    assert re.search(rf'data-for="attachments">[^<]*{re.escape(code)}', refused.text)
    assert _attachments_kept(engine) == 0 and _file_rows(engine) == 0
    assert _stored_files(settings) == []


async def test_a_workbook_is_refused_for_its_name_as_any_upload_is(
    api: httpx.AsyncClient, office: Office
) -> None:
    url = await _opened(api, office)
    refused = await api.post(
        f"{url}/results.xlsx",
        headers=bearer(office.county),
        files={"file": ("成绩\x1b.xlsx", _sheet([_row(office, 1)]))},
    )
    _refused_on_file(refused, "file.name_invalid")
