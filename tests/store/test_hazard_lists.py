"""A list of hazards counts in SQL exactly as the rules count in Python, and pages newest first.

Runs on SQLite, and on PostgreSQL when ``AGENCYFLOW_TEST_DATABASE_URL`` is set (CI sets it).
"""

import datetime as dt
import itertools
from collections import Counter

import pytest
from alembic import command
from sqlalchemy import Engine

from agencyflow.config.policy import Policy
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.hazard import (
    HazardEntry,
    HazardLevel,
    HazardRecord,
    HazardReport,
    HazardStatus,
    MajorHazardState,
)
from agencyflow.domain.hazard_rules import count
from agencyflow.domain.project import ProjectRequest
from agencyflow.domain.records import HazardStepRecord
from agencyflow.store import hazard_lists, hazards
from agencyflow.store.engine import transaction
from agencyflow.store.migrate import alembic_config
from agencyflow.workflows.hazard.found import new_hazard
from agencyflow.workflows.steps import Context
from tests.factories import agency_snapshot, hazard, project_request
from tests.workflows.agency_helpers import agency_actor

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
COUNTIES = ("331102", "331121")
PROJECTS = ("91331102MA0000001X-000000000001", "91331102MA0000001X-000000000002")


def _base() -> HazardRecord:
    return new_hazard(
        "base",
        HazardReport.model_validate(hazard()),
        project_id=PROJECTS[0],
        agency_uscc=agency_snapshot(1).uscc,
        request=ProjectRequest.model_validate(project_request()),
        visit_id="v1",
        actor=agency_actor(1),
        ctx=Context(now=NOW, policy=Policy()),
    ).record


def _variety() -> list[HazardRecord]:
    """Every mix of level, status, deadline (past, future, none) and long-unrectified, spread
    over two counties and two projects; some found at the same moment."""
    base = _base()
    deadlines = (NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=1), None, NOW)
    mixes = itertools.product(HazardLevel, HazardStatus, deadlines, (False, True))
    found = []
    for n, (level, status, deadline, long_unrectified) in enumerate(mixes):
        found_at = NOW - dt.timedelta(days=n)
        acknowledged = MajorHazardState(acknowledged_at=found_at if n % 4 else None)
        found.append(
            base.model_copy(
                update={
                    "hazard_id": f"{PROJECTS[n % 2]}-h{n:03d}",
                    "project_id": PROJECTS[n % 2],
                    "county_code": COUNTIES[n % 3 % 2],
                    "found_at": found_at - dt.timedelta(hours=n % 3 * 24),  # some at once
                    "report": base.report.model_copy(update={"level": level}),
                    "status": status,
                    "deadline": deadline,
                    "long_unrectified": long_unrectified,
                    "closed_at": NOW if status is HazardStatus.CLOSED else None,
                    "major": acknowledged if level is HazardLevel.MAJOR else None,
                }
            )
        )
    return found


def _record(engine: Engine, found: list[HazardRecord]) -> None:
    entries = [
        HazardEntry(hazard_id=h.hazard_id, seq=1, at=NOW, kind="found", summary="", actor="系统")
        for h in found
    ]
    with transaction(engine) as session:
        hazards.record_found(session, found, entries)


def _newest_first(found: list[HazardRecord]) -> list[str]:
    ordered = sorted(found, key=lambda h: (h.found_at, h.hazard_id), reverse=True)
    return [h.hazard_id for h in ordered]


FILTERS = [
    {},
    {"county_code": COUNTIES[0]},
    {"project_id": PROJECTS[1]},
    {"level": HazardLevel.MAJOR},
    {"status": HazardStatus.OPEN},
    {"county_code": COUNTIES[1], "level": HazardLevel.GENERAL, "status": HazardStatus.CLOSED},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_sql_counts_agree_with_the_rules_and_the_page_is_newest_first(
    engine: Engine, filters: dict[str, object]
) -> None:
    found = _variety()
    _record(engine, found)
    everything = hazards.search(engine, **filters)  # type: ignore[arg-type]
    assert everything, "the filter should match some of the variety"

    counts, page = hazard_lists.listing(engine, NOW, **filters, limit=500, offset=0)  # type: ignore[arg-type]

    assert counts == count(everything, NOW)
    assert [h.hazard_id for h in page] == _newest_first(everything)


def test_a_page_is_a_slice_of_the_whole_list_with_the_counts_of_all(engine: Engine) -> None:
    found = _variety()
    _record(engine, found)
    whole = _newest_first(found)

    counts, page = hazard_lists.listing(engine, NOW, limit=7, offset=7)

    assert [h.hazard_id for h in page] == whole[7:14]
    assert counts.found == len(found)
    assert 0 < min(counts.model_dump().values()), "the variety has some of everything counted"
    _, last = hazard_lists.listing(engine, NOW, limit=7, offset=len(found) - 2)
    assert [h.hazard_id for h in last] == whole[-2:]


def test_a_step_moves_the_counted_columns_with_the_progress(engine: Engine) -> None:
    """The deadline and long-unrectified flag are counted from columns: a step that changes
    them in the progress changes the counts."""
    first = _base().model_copy(
        update={"hazard_id": f"{PROJECTS[0]}-h1", "deadline": NOW + dt.timedelta(days=1)}
    )
    _record(engine, [first])
    counts, _ = hazard_lists.listing(engine, NOW, limit=1, offset=0)
    assert (counts.overdue, counts.long_unrectified) == (0, 0)

    moved = first.progress().model_copy(
        update={"seq": 2, "deadline": NOW - dt.timedelta(hours=1), "long_unrectified": True}
    )
    hazards.record(
        engine,
        HazardStepRecord(
            workflow_id=f"hazard-{first.hazard_id}",
            hazard_id=first.hazard_id,
            progress=moved,
            entry=HazardEntry(
                hazard_id=first.hazard_id, seq=2, at=NOW, kind="supervised", summary="", actor="x"
            ),
        ),
    )

    counts, _ = hazard_lists.listing(engine, NOW, limit=1, offset=0)
    assert (counts.overdue, counts.long_unrectified) == (1, 1)


def test_the_upgrade_fills_the_counted_columns_from_the_progress(engine: Engine) -> None:
    """Hazards written before migration 0020 are counted as the rules count them after it."""
    found = _variety()
    _record(engine, found)
    config = alembic_config(engine)
    command.downgrade(config, "0019")  # the columns go; the progress keeps what they said

    command.upgrade(config, "head")

    counts, _ = hazard_lists.listing(engine, NOW, limit=1, offset=0)
    assert counts == count(found, NOW)
    assert counts.overdue and counts.long_unrectified
    _, closed = hazard_lists.found_and_closed_by_month(engine, None, NOW)
    assert sum(closed.values()) == counts.rectified


def test_the_overview_counts_per_county_as_the_rules_do(engine: Engine) -> None:
    found = _variety()
    _record(engine, found)

    tallied = hazard_lists.by_county(engine, NOW, None)

    assert set(tallied) == set(COUNTIES)
    for county in COUNTIES:
        mine = [h for h in found if h.county_code == county]
        unacknowledged = [
            h for h in mine if h.is_open and h.major is not None and h.major.acknowledged_at is None
        ]
        assert tallied[county] == (count(mine, NOW), len(unacknowledged))
        assert unacknowledged, "the variety has some in each county"
    assert hazard_lists.by_county(engine, NOW, COUNTIES[1]) == {COUNTIES[1]: tallied[COUNTIES[1]]}


def _china_months(moments: list[dt.datetime]) -> Counter[str]:
    return Counter(moment.astimezone(CHINA_TZ).strftime("%Y-%m") for moment in moments)


def test_the_trend_counts_hazards_found_and_closed_by_china_month_since_a_day(
    engine: Engine,
) -> None:
    found = _variety()
    # Either side of midnight, 1 November, in China: October's last second, November's first.
    last_of_october = dt.datetime(2026, 10, 31, 15, 59, 59, tzinfo=dt.UTC)
    edges = [
        found[0].model_copy(
            update={"hazard_id": f"{PROJECTS[0]}-edge{n}", "found_at": at, "closed_at": at}
        )
        for n, at in enumerate((last_of_october, last_of_october + dt.timedelta(seconds=1)))
    ]
    _record(engine, found + edges)
    since = NOW - dt.timedelta(days=40)

    by_found, by_closed = hazard_lists.found_and_closed_by_month(engine, COUNTIES[0], since)

    mine = [h for h in found + edges if h.county_code == COUNTIES[0]]
    assert by_found == _china_months([h.found_at for h in mine if h.found_at >= since])
    assert by_closed == _china_months(
        [h.closed_at for h in mine if h.closed_at is not None and h.closed_at >= since]
    )
    assert by_found["2026-10"] and by_found["2026-11"]
    assert sum(by_found.values()) < len(mine)  # what was found before ``since`` is left out
