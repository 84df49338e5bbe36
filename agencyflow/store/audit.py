"""The audit log: one row for every command, accepted or rejected."""

import datetime as dt

from sqlalchemy import Engine, insert
from sqlmodel import Field, SQLModel

from agencyflow.domain.labels import LabelledEnum

from .types import UtcDateTime, utcnow


class Outcome(LabelledEnum):
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


def record(engine: Engine, entry: AuditEntry) -> None:
    # A plain INSERT: the row is never read back here, and the ORM's unit of work would
    # cost more than the write (one per command).
    values = entry.model_dump(exclude={"id"})
    with engine.begin() as connection:
        connection.execute(insert(AuditEntry.__table__).values(**values))  # type: ignore[attr-defined]
