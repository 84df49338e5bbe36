"""Migration 0005 splits the first wave's snapshots into parts: nothing recorded is lost."""

import datetime as dt
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text

from agencyflow.domain.hazard import HazardStatus
from agencyflow.domain.project import FilingStatus, ProjectStage
from agencyflow.store import agencies, files, hazards, projects
from agencyflow.store.migrate import alembic_config, current_revisions, head_revisions
from tests.factories import EXAMPLE, PHOTO, agency_snapshot, contract, hazard, project_request

UTC = "2026-11-20T02:00:00Z"
PID = "91331102MA0000001X-000000000042"


def _project_snapshot() -> dict[str, Any]:
    request = project_request()
    agency = agency_snapshot(1)
    visit = {
        "visited_on": "2026-11-20",
        "present": ["p1"],
        "activities": ["inspection"],
        "notes": "",
        "visit_id": "v1",
        "recorded_at": UTC,
        "hazard_ids": [f"{PID}-h1"],
        "reinspected": [],
    }
    return {
        "project_id": PID,
        "agency_uscc": agency.uscc,
        "agency_name": "丽水安全技术服务有限公司1",
        "request": request,
        "stage": "spot_check",
        "created_at": UTC,
        "updated_at": UTC,
        "notification": {
            "agency_uscc": agency.uscc,
            "agency_name": "丽水安全技术服务有限公司1",
            "agency_out_of_town": False,
            "agency_local_office": None,
            "enterprise": request["enterprise"],
            "service_type": request["service_type"],
            "content": contract()["content"],
            "term_start": None,
            "term_end": None,
            "staff": [],
            "revision": 1,
        },
        "filing_status": "acknowledged",
        "filing_due_at": UTC,
        "filing_escalated": False,
        "filing_return_reasons": [],
        "plan": {"summary": "方案", "submitted_at": UTC},
        "visits": [visit],
        "service_ended_on": "2026-11-20",
        "report_due_at": "2026-12-21T16:00:00Z",
        "overdue": False,
        "report": {
            "file": {
                "sha256": "c" * 64,
                "size": 10,
                "filename": "r.pdf",
                "content_type": "application/pdf",
            },
            "uploaded_at": UTC,
            "receipt_number": "ZJAQ-20261120-000001",
            "days_late": 0,
        },
        "spot_check_window_ends_at": "2026-12-20T02:00:00Z",
        "spot_check": None,
        "closed_at": None,
    }


def test_first_wave_rows_survive_the_split(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0004")
    agency = agency_snapshot(1)
    project = _project_snapshot()
    hazard_row = {
        "hazard_id": f"{PID}-h1",
        "project_id": PID,
        "visit_id": "v1",
        "agency_uscc": agency.uscc,
        "enterprise_uscc": project["request"]["enterprise"]["uscc"],
        "enterprise_name": project["request"]["enterprise"]["name"],
        "county_code": "331102",
        "report": hazard(),
        "status": "open",
        "found_at": UTC,
        "deadline": "2026-12-05T16:00:00Z",
        "overdue": False,
        "long_unrectified": False,
        "open_at_visits": 0,
        "evidence": None,
        "closed_at": None,
        "major": None,
        "seq": 1,
    }
    with engine.begin() as connection:
        import json

        connection.execute(
            text(
                "INSERT INTO agency (uscc, workflow_id, version, legal_name, status, "
                "jurisdiction_code, out_of_town, submitted_at, updated_at, snapshot) VALUES "
                "(:uscc, :wf, 3, :name, 'active', '331102', false, :at, :at, :snapshot)"
            ),
            {
                "uscc": agency.uscc,
                "wf": f"agency-{agency.uscc}",
                "name": agency.facts.legal_name,
                "at": dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
                "snapshot": agency.model_dump_json(),
            },
        )
        connection.execute(
            text(
                "INSERT INTO project (project_id, workflow_id, version, agency_uscc, "
                "enterprise_uscc, county_code, service_type, contract_number, stage, overdue, "
                "report_due_at, created_at, updated_at, closed_at, snapshot) VALUES "
                "(:pid, :wf, 7, :agency, :enterprise, '331102', 'hazard_investigation', "
                "'LS-2026-001', 'spot_check', false, :at, :at, :at, NULL, :snapshot)"
            ),
            {
                "pid": PID,
                "wf": f"project-{PID}",
                "agency": agency.uscc,
                "enterprise": project["request"]["enterprise"]["uscc"],
                "at": dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
                "snapshot": json.dumps(project),
            },
        )
        connection.execute(
            text(
                "INSERT INTO hazard (hazard_id, version, project_id, agency_uscc, "
                "enterprise_uscc, county_code, level, status, found_at, snapshot) VALUES "
                "(:hid, 1, :pid, :agency, :enterprise, '331102', 'general', 'open', :at, :snapshot)"
            ),
            {
                "hid": hazard_row["hazard_id"],
                "pid": PID,
                "agency": agency.uscc,
                "enterprise": hazard_row["enterprise_uscc"],
                "at": dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC),
                "snapshot": json.dumps(hazard_row),
            },
        )

    command.upgrade(config, "head")
    assert current_revisions(engine) == head_revisions()

    # 0006: the files the rows show are linked to them, so those who may see them still can.
    assert files.uses(engine, PHOTO) == [f"hazards/{PID}-h1"]
    assert files.uses(engine, EXAMPLE) == [f"hazards/{PID}-h1"]
    assert files.uses(engine, "c" * 64) == [f"projects/{PID}"]

    shown = projects.get(engine, PID)
    assert shown is not None
    assert shown.stage is ProjectStage.SPOT_CHECK
    assert shown.filing_status is FilingStatus.ACKNOWLEDGED
    assert shown.plan is not None and shown.plan.summary == "方案"
    assert shown.plan_submitted_at is not None
    assert [v.visit_id for v in shown.visits] == ["v1"]
    assert shown.visits[0].hazard_ids == [f"{PID}-h1"]
    assert shown.report is not None and shown.report.receipt_number == "ZJAQ-20261120-000001"
    assert not shown.report.awaiting_receipt
    assert projects.awaiting_receipt(engine, after="", limit=10) == []

    found = hazards.get(engine, f"{PID}-h1")
    assert found is not None and found.status is HazardStatus.OPEN
    assert found.report.location == hazard()["location"] and found.seq == 1

    kept = agencies.get(engine, agency.uscc)
    assert kept is not None and kept.facts == agency.facts
    assert kept.professional_ids == agency.professional_ids

    # Not back while a report waits for the platform: the first wave cannot hold that.
    with engine.begin() as connection:
        connection.execute(text("UPDATE project SET awaiting_receipt = true"))
    with pytest.raises(RuntimeError, match="not yet taken"):
        command.downgrade(config, "0004")
    assert current_revisions(engine) == head_revisions()
    with engine.begin() as connection:
        connection.execute(text("UPDATE project SET awaiting_receipt = false"))

    # And back: the first wave's shape again, then forward once more.
    command.downgrade(config, "0004")
    command.upgrade(config, "head")
    again = projects.get(engine, PID)
    assert again is not None and again.model_dump() == shown.model_dump()
