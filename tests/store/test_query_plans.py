"""Each list reads a page off an index that matches its scope and order (issue 14).

The queries are the store's own, caught as they run; the database explains each one. A page
query must use its index and sort nothing: the newest rows of a scope are read off the index
and reading stops at the page's end, however many rows the scope holds. SQLite is asked with
``EXPLAIN QUERY PLAN``; PostgreSQL with ``EXPLAIN`` after ruling out sequential scans and
sorts, so that a plan it still makes proves the index can serve the query (on tables this
small it would otherwise rightly prefer a scan).

Runs on SQLite, and on PostgreSQL when ``AGENCYFLOW_TEST_DATABASE_URL`` is set (CI sets it).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from agencyflow.domain.hazard import HazardLevel
from agencyflow.domain.identity import Role
from agencyflow.domain.inbox import Addressee, ScopeKind
from agencyflow.domain.project import ProjectStage
from agencyflow.store import hazard_lists, inbox, projects

NOW = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
AGENCY = "91331102MA0000001X"
ENTERPRISE = "91331102MA0000002X"
PID = f"{AGENCY}-000000000001"


@contextmanager
def _caught(engine: Engine, *, counts: bool = False) -> Iterator[list[tuple[str, Any]]]:
    """The SELECTs that read a page (they have a LIMIT), or with ``counts`` those that count
    (``count(*)``), with their parameters."""
    caught: list[tuple[str, Any]] = []

    def catch(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        upper = statement.upper()
        wanted = "COUNT(*)" in upper if counts else "LIMIT" in upper
        if upper.lstrip().startswith("SELECT") and wanted:
            caught.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", catch)
    try:
        yield caught
    finally:
        event.remove(engine, "before_cursor_execute", catch)


def _plan(engine: Engine, statement: str, parameters: Any, *, alone: str | None = None) -> str:
    """How the database would run the statement. On PostgreSQL, with ``alone``, every other
    index of its table is dropped first (and restored: the transaction is rolled back), since
    on tables this small the planner picks among usable indexes by their size."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        for planner_choice in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            connection.exec_driver_sql(f"SET LOCAL {planner_choice} = off")
        if alone is not None:
            others = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = (SELECT tablename FROM pg_indexes "
                "WHERE schemaname = current_schema() AND indexname = %(alone)s) "
                "AND indexname NOT IN (%(alone)s) AND indexname NOT LIKE '%%pkey'",
                {"alone": alone},
            )
            for (name,) in others.all():
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        return "\n".join(str(row[0]) for row in rows)


def _sorts(plan: str, dialect: str) -> bool:
    return "TEMP B-TREE" in plan if dialect == "sqlite" else "Sort" in plan


PAGES: list[tuple[str, Callable[[Engine], object], str]] = [
    (
        "projects, city",
        lambda e: projects.search(e, limit=50, offset=0),
        "ix_project_created",
    ),
    (
        "projects, county",
        lambda e: projects.search(e, county_code="331102", limit=50, offset=0),
        "ix_project_county_code_created",
    ),
    (
        "projects, agency",
        lambda e: projects.search(e, agency_uscc=AGENCY, limit=50, offset=0),
        "ix_project_agency_uscc_created",
    ),
    (
        "projects, enterprise",
        lambda e: projects.search(e, enterprise_uscc=ENTERPRISE, limit=50, offset=0),
        "ix_project_enterprise_uscc_created",
    ),
    (
        "projects, stage",
        lambda e: projects.search(e, stage=ProjectStage.IN_SERVICE, limit=50, offset=0),
        "ix_project_stage_created",
    ),
    (
        "projects, overdue",
        lambda e: projects.search(e, overdue=True, limit=50, offset=0),
        "ix_project_overdue_created",
    ),
    (
        "projects awaiting a receipt",
        lambda e: projects.awaiting_receipt(e, after="", limit=100),
        "ix_project_awaiting_receipt",
    ),
    (
        "hazards, city",
        lambda e: hazard_lists.listing(e, NOW, limit=50, offset=0),
        "ix_hazard_found",
    ),
    (
        "hazards, county",
        lambda e: hazard_lists.listing(
            e, NOW, county_code="331102", level=HazardLevel.MAJOR, limit=50, offset=0
        ),
        "ix_hazard_county_found",
    ),
    (
        "hazards, project",
        lambda e: hazard_lists.listing(e, NOW, project_id=PID, limit=50, offset=0),
        "ix_hazard_project_found",
    ),
]


@pytest.mark.parametrize(("query", "read", "index"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_is_read_off_its_index_without_sorting(
    engine: Engine, query: str, read: Callable[[Engine], object], index: str
) -> None:
    with _caught(engine) as caught:
        read(engine)
    assert len(caught) == 1, f"{query}: expected one page query, caught {caught}"

    plan = _plan(engine, *caught[0])

    assert index in plan, f"{query} does not use {index}:\n{plan}"
    assert not _sorts(plan, engine.dialect.name), f"{query} sorts:\n{plan}"


def test_an_inbox_is_found_by_its_addressee(engine: Engine) -> None:
    """An inbox is sorted by urgency, which no index holds (items without a due time come
    last); but it is found by its addressee's index, so only that office's items are sorted."""
    county = Addressee(role=Role.COUNTY_REGULATOR, scope_kind=ScopeKind.COUNTY, scope_id="331102")
    with _caught(engine) as caught:
        inbox.open_items(engine, county, limit=50, offset=0)

    plan = _plan(engine, *caught[0])

    assert "ix_inbox_item_addressee" in plan, plan


SINCE = NOW - dt.timedelta(days=365)
COUNTS: list[tuple[str, Callable[[Engine], object], list[str]]] = [
    (
        "hazards, city",
        lambda e: hazard_lists.listing(e, NOW, limit=50, offset=0),
        ["ix_hazard_counts"],
    ),
    (
        "hazards, county",
        lambda e: hazard_lists.listing(e, NOW, county_code="331102", limit=50, offset=0),
        ["ix_hazard_counts"],
    ),
    (
        "trend, city",
        lambda e: hazard_lists.found_and_closed_by_month(e, None, SINCE),
        ["ix_hazard_found", "ix_hazard_county_closed"],
    ),
    (
        "trend, county",
        lambda e: hazard_lists.found_and_closed_by_month(e, "331102", SINCE),
        ["ix_hazard_county_found", "ix_hazard_county_closed"],
    ),
]


@pytest.mark.parametrize(("query", "read", "indexes"), COUNTS, ids=[c[0] for c in COUNTS])
def test_hazards_are_counted_off_an_index_not_the_rows(
    engine: Engine, query: str, read: Callable[[Engine], object], indexes: list[str]
) -> None:
    """Counting a city's hazards reads every one of them; from an index of the counted
    columns that is a fraction of reading the rows, each with its report and progress."""
    with _caught(engine, counts=True) as caught:
        read(engine)
    assert len(caught) == len(indexes), f"{query}: caught {caught}"

    for (statement, parameters), index in zip(caught, indexes, strict=True):
        plan = _plan(engine, statement, parameters, alone=index)
        assert index in plan, f"{query} does not use {index}:\n{plan}"
        # SQLite says whether it reads the rows too; PostgreSQL decides that as it runs, by
        # which pages are known to be visible, so there the index serving it is the proof.
        if engine.dialect.name == "sqlite":
            assert "COVERING INDEX" in plan, f"{query} reads the rows:\n{plan}"
