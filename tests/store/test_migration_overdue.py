"""Migration 0023: ``overdue`` counts reports past due and still missing, not those uploaded
late."""

import datetime as dt

from alembic import command
from sqlalchemy import Engine, select

from agencyflow.store.migrate import alembic_config
from agencyflow.store.projects import ProjectRow

AGENCY = "91331102MA0000001X"
MOMENT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
REPORT = {
    "file": {
        "sha256": "c" * 64,
        "size": 10,
        "filename": "r.pdf",
        "content_type": "application/pdf",
    },
    "uploaded_at": MOMENT.isoformat(),
}


def _row(number: int, progress: dict[str, object]) -> dict[str, object]:
    return {
        "project_id": f"{AGENCY}-{number:012d}",
        "workflow_id": f"project-{number}",
        "version": 5,
        "agency_uscc": AGENCY,
        "agency_name": "机构",
        "enterprise_uscc": AGENCY,
        "county_code": "331102",
        "service_type": "hazard_investigation",
        "contract_number": f"LS-{number}",
        "stage": "spot_check" if "report" in progress else "reporting",
        "overdue": bool(progress.get("overdue")),
        "awaiting_receipt": False,
        "created_at": MOMENT,
        "updated_at": MOMENT,
        "request": {},
        "notification": {},
        "progress": {"stage": "reporting", "updated_at": MOMENT.isoformat(), **progress},
    }


def _overdue(engine: Engine) -> dict[str, bool]:
    table = ProjectRow.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.contract_number, table.c.overdue)).all()
    return {number: bool(overdue) for number, overdue in rows}


def test_a_report_uploaded_late_no_longer_counts_as_overdue_after_the_upgrade(
    engine: Engine,
) -> None:
    config = alembic_config(engine)
    command.downgrade(config, "0022")
    table = ProjectRow.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [
                _row(1, {"overdue": True}),
                _row(2, {"overdue": True, "report": REPORT}),
                _row(3, {"overdue": False, "report": REPORT}),
            ],
        )

    command.upgrade(config, "head")
    assert _overdue(engine) == {"LS-1": True, "LS-2": False, "LS-3": False}

    command.downgrade(config, "0022")
    assert _overdue(engine) == {"LS-1": True, "LS-2": True, "LS-3": False}
    command.upgrade(config, "head")
