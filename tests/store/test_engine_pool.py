"""Connections are kept for reuse at the concurrency the API and the worker run at.

A connection the pool cannot keep is closed when it is returned and opened again for the
next request: for SQLite that re-runs the pragmas (a lock on the file for `journal_mode`),
for PostgreSQL a new login. Runs on SQLite, and on PostgreSQL when
``AGENCYFLOW_TEST_DATABASE_URL`` is set (CI sets it).
"""

from contextlib import ExitStack

from sqlalchemy import Engine, event, text

BUSY = 12
"""Requests at once: the benchmark's concurrency, plus the odd read beside it."""


def opened_while(engine: Engine, rounds: int) -> int:
    """How many connections the engine opened while ``BUSY`` requests, ``rounds`` times
    over, each held a connection at the same time."""
    opened = 0

    def count(*_: object) -> None:
        nonlocal opened
        opened += 1

    event.listen(engine, "connect", count)
    try:
        for _ in range(rounds):
            with ExitStack() as held:
                for _ in range(BUSY):
                    held.enter_context(engine.connect()).execute(text("SELECT 1"))
    finally:
        event.remove(engine, "connect", count)
    return opened


def test_busy_connections_are_kept_and_reused_not_reopened(engine: Engine) -> None:
    engine.dispose()
    assert opened_while(engine, rounds=1) == BUSY
    assert engine.pool.checkedin() == BUSY  # type: ignore[attr-defined]
    assert opened_while(engine, rounds=3) == 0
