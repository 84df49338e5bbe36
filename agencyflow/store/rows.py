"""Rows a workflow keeps: each takes a step only if the step is newer than the row.

A workflow numbers its steps; a row remembers the number of the last step it took
(``version``). A retried attempt of a step already written, or a late attempt that
arrives after a newer step, matches no row and so changes nothing.

Every record activity runs these statements, so each is built once per shape (table,
dialect, columns) and then executed with parameters: building a statement with its
values inline costs more than running it.
"""

from functools import lru_cache
from typing import Any

from sqlalchemy import Executable, Table, bindparam, update
from sqlmodel import Session, SQLModel

from .dialects import insert_for

SHAPES = 256
"""Statement shapes kept: a handful per table, whatever the load."""


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def advance(
    session: Session, model: type[SQLModel], key: dict[str, Any], seq: int, values: dict[str, Any]
) -> bool:
    """``UPDATE … SET values, version = seq WHERE key AND version < seq``; whether it took."""
    statement = _advance(_table(model), tuple(key), tuple(values))
    parameters = {f"k_{name}": value for name, value in key.items()}
    parameters.update({f"v_{name}": value for name, value in values.items()}, k_seq=seq)
    return session.execute(statement, parameters).first() is not None


def insert_first(session: Session, model: type[SQLModel], values: dict[str, Any]) -> bool:
    """Insert the row unless it exists already; whether it was inserted."""
    dialect = session.get_bind().dialect.name
    statement = _insert_first(dialect, _table(model), tuple(values))
    parameters = {f"v_{name}": value for name, value in values.items()}
    return session.execute(statement, parameters).first() is not None


@lru_cache(maxsize=SHAPES)
def _advance(table: Table, keys: tuple[str, ...], names: tuple[str, ...]) -> Executable:
    return (
        update(table)
        .where(*(table.c[name] == bindparam(f"k_{name}") for name in keys))
        .where(table.c["version"] < bindparam("k_seq"))
        .values({"version": bindparam("k_seq"), **{n: bindparam(f"v_{n}") for n in names}})
        .returning(table.c["version"])
    )


@lru_cache(maxsize=SHAPES)
def _insert_first(dialect: str, table: Table, names: tuple[str, ...]) -> Executable:
    statement: Executable = (
        insert_for(dialect, table)
        .values({name: bindparam(f"v_{name}") for name in names})
        .on_conflict_do_nothing()
        # RETURNING, not the row count: psycopg reports no count for ON CONFLICT inserts.
        .returning(*table.primary_key.columns)
    )
    return statement
