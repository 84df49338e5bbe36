"""A reporter's phone and ID number are nowhere in clear (R13's protection): not in the
database file, not in the logs, not in any workflow's history, after a complaint has gone
through every step that touches its reporter (filing, reveal, merge, outcome, reward)."""

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, MetaData, select
from temporalio.client import Client

from agencyflow.store import complaints
from tests.api.test_projects import PNG, admitted
from tests.factories import bearer, id_number
from tests.histories_scan import opened_histories
from tests.waiting import eventually

PHONE = "13857009876"
NAME = "举报人甲乙"
ACCOUNT = "该机构出具的评价报告与现场严重不符。"


def _database_bytes(engine: Engine) -> bytes:
    """The database as stored: the SQLite file (and its write-ahead log), or on PostgreSQL
    every row of every table in the test's schema."""
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        engine.dispose()  # every connection's writes are in the file or its log
        return b"".join(
            path.read_bytes()
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-journal"))
            if path.exists()
        )
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        rows = (
            row for table in metadata.sorted_tables for row in connection.execute(select(table))
        )
        return " ".join(repr(row) for row in rows).encode()


async def test_a_reporters_phone_and_id_number_are_nowhere_in_clear(
    api: httpx.AsyncClient, engine: Engine, temporal: Client, capfd: pytest.CaptureFixture[str]
) -> None:
    person = id_number(91)
    office = await admitted(api, engine)
    county = bearer(office.county)
    photo = await api.post("/public/complaints/attachments", files={"file": ("p.png", PNG)})
    reporter = {"name": NAME, "phone": PHONE, "id_number": person}
    filed = await api.post(
        "/public/complaints",
        json={
            "agency_uscc": office.uscc,
            "account": ACCOUNT,
            "reporter": reporter,
            "whistleblower": True,
            "files": [photo.json()["file_id"]],
        },
    )
    assert filed.status_code == 201, filed.text
    code, secret = filed.json()["code"], filed.json()["secret"]
    later = await api.post(
        "/public/complaints",
        json={"agency_uscc": office.uscc, "account": "同一事项：评价报告与现场不符。"},
    )
    await eventually(lambda: complaints.get(engine, code) is not None)
    await eventually(lambda: complaints.get(engine, later.json()["code"]) is not None)

    path = f"/complaints/{code}"
    steps = [
        await api.post(f"{path}/merge", headers=county, json={"report": later.json()["code"]}),
        await api.post(f"{path}/acceptance", headers=county),
        await api.post(f"{path}/reporter", headers=county, json={"reason": "核实现场情况"}),
        await api.post(
            f"{path}/outcome",
            headers=county,
            json={"outcome": "true", "findings": "属实", "published": "属实", "fine_yuan": 50000},
        ),
        await api.post(f"{path}/reward/approval", headers=county),
        await api.get(path, headers=county),
        await api.get(f"/public/complaints/{code}", headers={"X-Complaint-Secret": secret}),
    ]
    assert [step.status_code for step in steps] == [200] * len(steps), steps[-1].text
    assert steps[2].json()["id_number"] == person  # the reveal itself shows them, once
    assert all(PHONE not in step.text for step in steps if step is not steps[2])

    stored = _database_bytes(engine)
    assert office.uscc.encode() in stored  # the scan reads what was written
    for clear in (PHONE, person, NAME):
        assert clear.encode() not in stored

    logged = "".join(capfd.readouterr())
    assert f"/complaints/{code}/reporter" in logged  # the logs were captured
    for clear in (PHONE, person, NAME):
        assert clear not in logged

    opened, sealed = await opened_histories(temporal)
    ours = {key.split("/")[0] for key in opened}
    assert {f"complaint-{code}", f"agency-{office.uscc}"} <= ours
    complaint = opened[next(key for key in opened if key.startswith(f"complaint-{code}/"))]
    # Read opened: the account travels sealed, and the history runs to the reward's approval.
    assert ACCOUNT.encode() in complaint and b"approve_reward" in complaint
    for history in (*opened.values(), *sealed.values()):
        for clear in (PHONE, person, NAME):
            assert clear.encode() not in history
