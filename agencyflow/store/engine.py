"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

POOL_SIZE = 16
"""Connections kept open for reuse. SQLAlchemy's default (5) is below what the API (a
command holds one for its audit row and its answer, at ten at once) and the worker (its
activity threads) use at once, and a connection beyond it is closed when returned and
opened again for the next request: the pragmas again for SQLite, a new login for PostgreSQL
(measured: a twentieth of the API's CPU under load)."""
POOL_OVERFLOW = 8
"""Connections opened beyond those, and closed once returned, before a request waits. With
the pool, 24 per process: the README's Production section sizes PostgreSQL by it."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, creates the file's folder and sets safe pragmas."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    in_memory = sqlite and parsed.database in (None, "", ":memory:")
    if sqlite and not in_memory:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    # The API serves from a thread pool and the worker runs activities in threads.
    connect_args: dict[str, Any] = {"check_same_thread": False} if sqlite else {}
    # An in-memory SQLite database lives in its one connection (a pool of its own kind).
    pooling: dict[str, Any] = (
        {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    )
    # A file-backed SQLite connection cannot go stale; pinging it costs a query per checkout.
    # hide_parameters: an error's text never carries the values (names, ID numbers); it
    # may reach logs and, through a failed activity, Temporal's history.
    engine = create_engine(
        url,
        connect_args=connect_args,
        pool_pre_ping=not sqlite,
        hide_parameters=True,
        **pooling,
    )
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the API read while the worker writes; busy_timeout waits out the writer
    # instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


COMMIT_BY: ContextVar[float | None] = ContextVar("commit_by", default=None)
"""A moment (``time.monotonic()``) after which a transaction rolls back instead of
committing: set for a record's attempt, which the workflow gives up on at its timeout. Its
work landing after that would be a step the workflow was told did not happen."""


class LateCommit(Exception):
    """The attempt outlived its timeout: its work was rolled back, not committed."""


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error, or when
    it would commit after `COMMIT_BY`."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session
            commit_by = COMMIT_BY.get()
            if commit_by is not None and time.monotonic() > commit_by:
                raise LateCommit("the attempt outlived its timeout; nothing was written")
