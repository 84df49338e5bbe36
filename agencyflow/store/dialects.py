"""What differs between SQLite and PostgreSQL, in one place."""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def upsert_insert(session: Session, table: Any) -> Any:
    """An INSERT that supports ``on_conflict_do_update`` / ``on_conflict_do_nothing``.

    Both databases we run on have ON CONFLICT; SQLAlchemy exposes it per dialect.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # On the table itself, not a mapped class: a plain statement, without the ORM's bulk
    # machinery, which costs more than the write.
    return insert(getattr(table, "__table__", table))
