"""What differs between SQLite and PostgreSQL, in one place."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_for(dialect: str, table: Any) -> Any:
    """An INSERT for the dialect that supports ``on_conflict_do_update`` /
    ``on_conflict_do_nothing``: both databases we run on have ON CONFLICT, and SQLAlchemy
    exposes it per dialect."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # On the table itself, not a mapped class: a plain statement, without the ORM's bulk
    # machinery, which costs more than the write.
    return insert(getattr(table, "__table__", table))


def upsert_insert(session: Session, table: Any) -> Any:
    """`insert_for` the session's database."""
    return insert_for(session.get_bind().dialect.name, table)
