"""Which files were uploaded, by whom: the bytes live in the file store, by hash."""

import datetime as dt

from sqlalchemy import Engine
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.project import StoredFile

from .dialects import upsert_insert
from .engine import transaction
from .types import UtcDateTime, utcnow


class StoredFileRow(SQLModel, table=True):
    __tablename__ = "stored_file"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content_type: str = Field(max_length=64)
    filename: str = Field(max_length=300)
    uploaded_by_user_id: int | None = None
    uploaded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


def register(engine: Engine, stored: StoredFile, user_id: int) -> None:
    """Remember the upload; the same content uploaded again keeps its first record."""
    with transaction(engine) as session:
        statement = upsert_insert(session, StoredFileRow).values(
            sha256=stored.sha256,
            size=stored.size,
            content_type=stored.content_type,
            filename=stored.filename[:300],
            uploaded_by_user_id=user_id,
            uploaded_at=utcnow(),
        )
        session.execute(statement.on_conflict_do_nothing(index_elements=["sha256"]))


def unknown(engine: Engine, ids: list[str]) -> set[str]:
    """The ids among these that no upload produced."""
    if not ids:
        return set()
    with transaction(engine) as session:
        known = session.exec(
            select(StoredFileRow.sha256).where(col(StoredFileRow.sha256).in_(ids))
        ).all()
        return set(ids) - set(known)


def get(engine: Engine, sha256: str) -> StoredFileRow | None:
    with transaction(engine) as session:
        return session.get(StoredFileRow, sha256)
