"""Which files were uploaded, by whom: the bytes live in the file store, by hash."""

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.project import StoredFile

from .dialects import upsert_insert
from .engine import transaction
from .rows import insert_first
from .types import UtcDateTime, utcnow


class StoredFileRow(SQLModel, table=True):
    __tablename__ = "stored_file"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    content_type: str = Field(max_length=64)
    filename: str = Field(max_length=300)
    uploaded_by_user_id: int | None = None
    uploaded_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class FileUseRow(SQLModel, table=True):
    """A resource that shows the file (``hazards/…``, ``projects/…``), or a user who
    uploaded it (``users/…``): the file is served to whoever may see one of them."""

    __tablename__ = "file_use"

    sha256: str = Field(primary_key=True, max_length=64)
    resource: str = Field(primary_key=True, max_length=300)


def uploader(user_id: int) -> str:
    return f"users/{user_id}"


def use_in(session: Session, resource: str, sha256s: Iterable[str]) -> None:
    """Link the files to the resource that shows them; linking again changes nothing."""
    for sha256 in dict.fromkeys(sha256s):
        insert_first(session, FileUseRow, {"sha256": sha256, "resource": resource})


def uses(engine: Engine, sha256: str) -> list[str]:
    """Every resource and uploader linked to the file."""
    with engine.connect() as connection:
        table = FileUseRow.__table__  # type: ignore[attr-defined]
        query = select(table.c.resource).where(table.c.sha256 == sha256)
        return list(connection.execute(query).scalars())


def register(engine: Engine, stored: StoredFile, user_id: int, write: Callable[[], None]) -> None:
    """Remember the upload and who made it; the same content uploaded again keeps its
    first record, and its uploader may read it too. ``write`` keeps the bytes once the
    database has taken the row, before it commits: a row refused leaves no file behind,
    and a file that could not be written leaves no row."""
    with transaction(engine) as session:
        use_in(session, uploader(user_id), [stored.sha256])
        keep(session, stored, user_id)
        session.flush()
        write()


def keep(session: Session, stored: StoredFile, user_id: int | None) -> None:
    """The upload's record, once: the same content uploaded again keeps its first."""
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
