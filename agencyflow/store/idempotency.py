"""Idempotency keys: a client's name for one command, so that sending it again acts once.

A key belongs to the user who sent it and stands for one request (route, path, content):
the same key again with the same request is the same command (Temporal answers it with
the first outcome); with another request it is a mistake the client must hear of.
"""

import datetime as dt

from sqlalchemy import Engine, select, update
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
    attempt: int = 0
    """Raised when an attempt is known not to have happened (its step could not be
    recorded): the retry under the same key is then a new attempt, not that failure again."""
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


_TABLE = IdempotencyKeyRow.__table__  # type: ignore[attr-defined]


def claim(engine: Engine, user_id: int, key: str, fingerprint: str) -> int | None:
    """The key's current attempt if the key is this request's (new, or first sent with this
    same request); None if it was first sent with another."""
    with transaction(engine) as session:
        values = {"user_id": user_id, "key": key, "fingerprint": fingerprint, "attempt": 0}
        if insert_first(session, IdempotencyKeyRow, {**values, "created_at": utcnow()}):
            return 0
        first, attempt = session.execute(
            select(_TABLE.c.fingerprint, _TABLE.c.attempt).where(
                _TABLE.c.user_id == user_id, _TABLE.c.key == key
            )
        ).one()
        return int(attempt) if first == fingerprint else None


def next_attempt(engine: Engine, user_id: int, key: str) -> None:
    """The key's last attempt did not happen: the next one is a new command."""
    with transaction(engine) as session:
        session.execute(
            update(_TABLE)
            .where(_TABLE.c.user_id == user_id, _TABLE.c.key == key)
            .values(attempt=_TABLE.c.attempt + 1)
        )
