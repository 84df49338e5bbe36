"""Migration 0008: a late report's two events of the earlier code become one."""

import json

from alembic import command
from sqlalchemy import Engine, text

from agencyflow.store import credit
from agencyflow.store.migrate import alembic_config

AGENCY = "91331102MA0000001X"
UPLOADED = f"projects/{AGENCY}-000000000001"
MISSING = f"projects/{AGENCY}-000000000002"
FAILED = f"projects/{AGENCY}-000000000003"


def _insert(engine: Engine, source: str, kind: str, details: dict[str, object]) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO credit_event (agency_uscc, source, kind, occurred_at, details) "
                "VALUES (:agency, :source, :kind, :at, :details)"
            ),
            {
                "agency": AGENCY,
                "source": source,
                "kind": kind,
                "at": "2026-11-20 02:00:00.000000",
                "details": json.dumps(details),
            },
        )


def test_a_late_report_is_one_event_after_the_upgrade(engine: Engine) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0007")
    _insert(engine, f"{UPLOADED}#report.overdue", "report.late", {})
    _insert(engine, f"{UPLOADED}#report.uploaded", "report.late_uploaded", {"days_late": 3})
    _insert(engine, f"{MISSING}#report.overdue", "report.late", {})
    _insert(engine, f"{FAILED}#spot_check", "spot_check.failed", {"reasons": ["paperwork"]})

    command.upgrade(config, "head")

    events = credit.of_agency(engine, AGENCY)
    assert [(e.source, e.kind, e.points, e.details) for e in events] == [
        (f"{UPLOADED}#report.late", "report.late", None, {"days_late": 3}),
        (f"{FAILED}#spot_check", "spot_check.failed", None, {"reasons": ["paperwork"]}),
    ]
