"""The inbox: open items per addressee, written by workflows' activities, read by the API."""

import datetime as dt
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Engine, Index, UniqueConstraint, bindparam, case, func, update
from sqlmodel import Field, Session, SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from agencyflow.domain.inbox import (
    Addressee,
    InboxChanges,
    InboxMessage,
    InboxStatus,
    InboxWithdrawal,
    ScopeKind,
)

from . import notifications
from .dialects import insert_for
from .engine import transaction
from .queries import page
from .types import UtcDateTime, utcnow


class InboxItemRow(SQLModel, table=True):
    __tablename__ = "inbox_item"
    __table_args__ = (
        UniqueConstraint("resource", "kind", name="uq_inbox_item_resource_kind"),
        Index("ix_inbox_item_addressee", "role", "scope_kind", "scope_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    resource: str = Field(max_length=300)
    kind: str = Field(max_length=100)
    role: str = Field(max_length=32)
    scope_kind: str = Field(max_length=16)
    scope_id: str = Field(max_length=32)
    title: str = Field(max_length=500)
    due_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    status: str = Field(default=InboxStatus.OPEN, max_length=16)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    withdrawn_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


def send(engine: Engine, message: InboxMessage) -> None:
    """Open the item for (resource, kind), or refresh it if it exists.

    Sending again is harmless (one item stays), and a step that comes round again,
    such as a returned filing's second review, reopens its withdrawn item.
    """
    with transaction(engine) as session:
        send_in(session, message)


def withdraw(engine: Engine, withdrawal: InboxWithdrawal) -> int:
    """Withdraw the open items of those kinds for the resource; returns how many."""
    with transaction(engine) as session:
        return withdraw_in(session, withdrawal)


def apply(session: Session, changes: InboxChanges) -> None:
    """Withdrawals first, then sends: a step that is withdrawn and reopened ends up open."""
    for withdrawal in changes.withdraw:
        withdraw_in(session, withdrawal)
    for message in changes.send:
        send_in(session, message)


def send_in(session: Session, message: InboxMessage) -> None:
    now = utcnow()
    was = session.execute(
        select(InboxItemRow.status).where(
            InboxItemRow.resource == message.resource, InboxItemRow.kind == message.kind
        )
    ).scalar_one_or_none()
    if was != InboxStatus.OPEN.value:
        # A new item (or one reopened): its office is told, once, whenever the write is
        # retried, for the retry finds the item open.
        notifications.item_opened(session, message, now)
    statement = _send_statement(session.get_bind().dialect.name)
    values = {
        "resource": message.resource,
        "kind": message.kind,
        "role": message.addressee.role.value,
        "scope_kind": message.addressee.scope_kind.value,
        "scope_id": message.addressee.scope_id,
        "title": message.title,
        "due_at": message.due_at,
        "status": InboxStatus.OPEN.value,
        "created_at": now,
        "updated_at": now,
        "withdrawn_at": None,
    }
    session.execute(statement, {f"v_{name}": value for name, value in values.items()})


def withdraw_in(session: Session, withdrawal: InboxWithdrawal) -> int:
    parameters = {
        "k_resource": withdrawal.resource,
        "k_kinds": list(withdrawal.kinds),
        "v_now": utcnow(),
    }
    result: Any = session.execute(_WITHDRAW, parameters)
    return int(result.rowcount)


_COLUMNS = (
    "resource",
    "kind",
    "role",
    "scope_kind",
    "scope_id",
    "title",
    "due_at",
    "status",
    "created_at",
    "updated_at",
    "withdrawn_at",
)
_TABLE = InboxItemRow.__table__  # type: ignore[attr-defined]
# Built once: every step that opens or closes an item runs them (see `rows`).
_WITHDRAW = (
    update(_TABLE)
    .where(
        _TABLE.c.resource == bindparam("k_resource"),
        _TABLE.c.kind.in_(bindparam("k_kinds", expanding=True)),
        _TABLE.c.status == InboxStatus.OPEN.value,
    )
    .values(
        status=InboxStatus.WITHDRAWN.value,
        withdrawn_at=bindparam("v_now"),
        updated_at=bindparam("v_now"),
    )
)


@cache
def _send_statement(dialect: str) -> Any:
    """Open the item, or refresh it (everything but its key and creation time)."""
    statement = insert_for(dialect, _TABLE).values({c: bindparam(f"v_{c}") for c in _COLUMNS})
    refreshed = {c: statement.excluded[c] for c in _COLUMNS if c not in _KEPT}
    return statement.on_conflict_do_update(index_elements=["resource", "kind"], set_=refreshed)


_KEPT = ("resource", "kind", "created_at")


def _open_for(addressee: Addressee | None) -> SelectOfScalar[InboxItemRow]:
    query = select(InboxItemRow).where(InboxItemRow.status == InboxStatus.OPEN.value)
    if addressee is not None:
        query = query.where(
            InboxItemRow.role == addressee.role.value,
            InboxItemRow.scope_kind == addressee.scope_kind.value,
            InboxItemRow.scope_id == addressee.scope_id,
        )
    return query


_MOST_URGENT = (
    case((col(InboxItemRow.due_at).is_(None), 1), else_=0),
    col(InboxItemRow.due_at),
    col(InboxItemRow.created_at),
    col(InboxItemRow.id),
)
"""The earliest due time first; items without a due time after all that have one, oldest
first."""


def open_items(
    engine: Engine, addressee: Addressee | None, *, limit: int, offset: int
) -> list[InboxItemRow]:
    """Open items for the addressee (None: everyone's), most urgent first."""
    query = _open_for(addressee).order_by(*_MOST_URGENT)
    with transaction(engine) as session:
        return list(session.exec(query.offset(offset).limit(limit)).all())


def open_page(
    engine: Engine, addressee: Addressee | None, *, limit: int, offset: int
) -> tuple[int, list[InboxItemRow]]:
    """How many items are open for the addressee in all, and one page of them, most urgent
    first, read together."""
    with transaction(engine) as session:
        total, rows = page(session, _open_for(addressee), _MOST_URGENT, offset, limit)
        return total, list(rows)


class OfficeCounts(NamedTuple):
    kind: str
    office: str
    """A county's code, ``city``, or ``agency`` for the items agencies hold."""
    open: int
    overdue: int


def open_counts(engine: Engine, now: dt.datetime) -> list[OfficeCounts]:
    """Open and overdue items by kind and office, for the metrics."""
    office = case(
        (col(InboxItemRow.scope_kind) == ScopeKind.COUNTY.value, col(InboxItemRow.scope_id)),
        else_=InboxItemRow.scope_kind,
    )
    overdue = col(InboxItemRow.due_at).is_not(None) & (col(InboxItemRow.due_at) < now)
    query = (
        select(
            InboxItemRow.kind,
            office,
            func.count(),
            func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        )
        .where(InboxItemRow.status == InboxStatus.OPEN.value)
        .group_by(InboxItemRow.kind, office)
        .order_by(InboxItemRow.kind, office)
    )
    with transaction(engine) as session:
        return [OfficeCounts(*row) for row in session.exec(query).all()]


def open_items_of(engine: Engine, resource: str) -> list[InboxItemRow]:
    """The open items of one resource, whoever they are addressed to."""
    query = select(InboxItemRow).where(
        InboxItemRow.resource == resource, InboxItemRow.status == InboxStatus.OPEN.value
    )
    with transaction(engine) as session:
        return list(session.exec(query.order_by(col(InboxItemRow.id))).all())
