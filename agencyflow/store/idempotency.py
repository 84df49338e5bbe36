"""Idempotency keys: a client's name for one command, so that sending it again acts once.

A key belongs to the user who sent it and stands for one request (route, path, content):
the same key again with the same request is the same command (Temporal answers it with
the first outcome); with another request it is a mistake the client must hear of.
"""

import datetime as dt

from sqlalchemy import Engine, select
from sqlmodel import Field, SQLModel

from .engine import transaction
from .rows import insert_first
from .types import UtcDateTime, utcnow


class IdempotencyKeyRow(SQLModel, table=True):
    __tablename__ = "idempotency_key"

    user_id: int = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=64)
    fingerprint: str = Field(max_length=64)
    """SHA-256 of the request the key was first sent with."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


def claim(engine: Engine, user_id: int, key: str, fingerprint: str) -> bool:
    """Whether the key is this request's: new, or first sent with this same request."""
    with transaction(engine) as session:
        values = {"user_id": user_id, "key": key, "fingerprint": fingerprint}
        if insert_first(session, IdempotencyKeyRow, {**values, "created_at": utcnow()}):
            return True
        table = IdempotencyKeyRow.__table__  # type: ignore[attr-defined]
        first = session.execute(
            select(table.c.fingerprint).where(table.c.user_id == user_id, table.c.key == key)
        ).scalar_one()
        return bool(first == fingerprint)
