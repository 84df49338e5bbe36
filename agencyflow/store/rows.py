"""Rows a workflow keeps: each takes a step only if the step is newer than the row.

A workflow numbers its steps; a row remembers the number of the last step it took
(``version``). A retried attempt of a step already written, or a late attempt that
arrives after a newer step, matches no row and so changes nothing.
"""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, SQLModel

from .dialects import upsert_insert


def advance(
    session: Session, table: type[SQLModel], key: dict[str, Any], seq: int, values: dict[str, Any]
) -> bool:
    """``UPDATE … SET values, version = seq WHERE key AND version < seq``; whether it took."""
    columns = table.__table__.c  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(*(columns[name] == value for name, value in key.items()))
        .where(columns["version"] < seq)
        .values(version=seq, **values)
        .returning(columns["version"])
    )
    return session.execute(statement).first() is not None


def insert_first(session: Session, table: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert the row unless it exists already; whether it was inserted."""
    columns = table.__table__.c  # type: ignore[attr-defined]
    statement = (
        upsert_insert(session, table).values(**values).on_conflict_do_nothing().returning(*columns)
    )
    # RETURNING, not the row count: psycopg reports no count for ON CONFLICT inserts.
    return session.execute(statement).first() is not None
