"""The audit log: one row for every command, accepted or rejected."""

import datetime as dt

from sqlalchemy import Engine, insert, update
from sqlmodel import Field, SQLModel

from agencyflow.domain.labels import LabelledEnum

from .types import UtcDateTime, utcnow


class Outcome(LabelledEnum):
    RECEIVED = ("received", "已接收，结果未记录")
    """Written before the command is acted on; a row still so says the API stopped before
    it could answer, and the command may or may not have taken effect."""
    ACCEPTED = ("accepted", "已受理")
    REJECTED = ("rejected", "已拒绝")
    FAILED = ("failed", "系统错误")

    @classmethod
    def of_status(cls, status_code: int) -> "Outcome":
        if status_code < 400:
            return cls.ACCEPTED
        if status_code < 500:
            return cls.REJECTED
        return cls.FAILED


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, index=True)
    actor_user_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=250)
    """Who, as shown to people: "张三 (县级应急管理部门)", or "anonymous"."""
    role: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=120)
    """The route's operation, e.g. ``users.create``."""
    resource: str = Field(max_length=300, index=True)
    request_id: str = Field(max_length=64, index=True)
    outcome: str = Field(max_length=16)
    status_code: int
    detail: str | None = Field(default=None, max_length=500)
    """For a rejection, the error code or message that explains it."""


_TABLE = AuditEntry.__table__  # type: ignore[attr-defined]


def record(engine: Engine, entry: AuditEntry) -> int:
    """Append the entry; its id. A plain INSERT: the ORM's unit of work would cost more
    than the write (one or two per command)."""
    values = entry.model_dump(exclude={"id"})
    with engine.begin() as connection:
        inserted = connection.execute(insert(_TABLE).values(**values).returning(_TABLE.c.id))
        return int(inserted.scalar_one())


def complete(engine: Engine, entry_id: int, entry: AuditEntry) -> None:
    """The command's outcome, on the row its receipt wrote."""
    values = entry.model_dump(exclude={"id", "at"})
    with engine.begin() as connection:
        connection.execute(update(_TABLE).where(_TABLE.c.id == entry_id).values(**values))
