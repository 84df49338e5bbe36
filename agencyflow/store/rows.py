"""Rows a workflow keeps: each takes a step only if the step is newer than the row.

A workflow numbers its steps; a row remembers the number of the last step it took
(``version``). A retried attempt of a step already written, or a late attempt that
arrives after a newer step, matches no row and so changes nothing.
"""

from typing import Any

from sqlalchemy import Table, update
from sqlmodel import Session, SQLModel

from .dialects import upsert_insert


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def advance(
    session: Session, model: type[SQLModel], key: dict[str, Any], seq: int, values: dict[str, Any]
) -> bool:
    """``UPDATE … SET values, version = seq WHERE key AND version < seq``; whether it took."""
    table = _table(model)
    statement = (
        update(table)
        .where(*(table.c[name] == value for name, value in key.items()))
        .where(table.c["version"] < seq)
        .values(version=seq, **values)
        .returning(table.c["version"])
    )
    return session.execute(statement).first() is not None


def insert_first(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert the row unless it exists already; whether it was inserted."""
    table = _table(model)
    statement = (
        upsert_insert(session, table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    # RETURNING, not the row count: psycopg reports no count for ON CONFLICT inserts.
    return session.execute(statement).first() is not None
