"""Messages to people, kept before they are sent: an outbox.

A message is written in the same transaction as what it tells of (an inbox item opening),
so it is never lost and never blocks the workflow that opened the item; the notifier sends
it afterwards, retrying with back-off, and a message is claimed for a while before it is
sent so that two notifiers do not both send it.
"""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, update
from sqlmodel import Field, Session, SQLModel, col, select

from agencyflow.domain.inbox import InboxMessage

from .engine import transaction
from .rows import insert_first
from .types import UtcDateTime, utcnow


class NotificationStatus:
    PENDING = "pending"
    SENT = "sent"
    NO_CHANNEL = "no_channel"
    """The office has no e-mail address or robot configured: nothing to send."""
    FAILED = "failed"
    """Every attempt failed; the log says why."""


class NotificationRow(SQLModel, table=True):
    __tablename__ = "notification"

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(max_length=400, unique=True)
    """One message per item opening (``open:…``) or per office and day (``digest:…``)."""
    office: str = Field(max_length=64, index=True)
    """``role:scope``, as settings name offices: ``county_regulator:331102``."""
    subject: str = Field(max_length=500)
    body: str = Field(max_length=20_000)
    link: str = Field(max_length=500)
    """Where in the console the message points, as a path: ``/console/projects/…``."""
    status: str = Field(default=NotificationStatus.PENDING, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(sa_type=UtcDateTime)
    claimed_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    delivered: list[str] = Field(default_factory=list, sa_type=JSON)
    """Channels that have taken it (``email``, ``webhook``): a retry sends only to the rest."""
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


def item_opened(session: Session, message: InboxMessage, now: dt.datetime) -> None:
    """Tell the item's office of it (the item's transaction writes this too)."""
    due = f"\n期限：{message.due_at.isoformat()}" if message.due_at else ""
    add(
        session,
        dedupe_key=f"open:{message.resource}:{message.kind}:{now.isoformat()}",
        office=message.addressee.office,
        subject=f"【待办】{message.title}"[:500],
        body=f"{message.title}{due}",
        link=f"/console/{message.resource}",
        now=now,
    )


def add(
    session: Session,
    *,
    dedupe_key: str,
    office: str,
    subject: str,
    body: str,
    link: str,
    now: dt.datetime,
) -> bool:
    """Keep a message to send; whether it is new (the same key again adds nothing)."""
    values: dict[str, Any] = {
        "dedupe_key": dedupe_key,
        "office": office,
        "subject": subject,
        "body": body[:20_000],
        "link": link,
        "status": NotificationStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "delivered": [],
        "created_at": now,
    }
    return insert_first(session, NotificationRow, values)


def add_once(engine: Engine, **message: Any) -> bool:
    with transaction(engine) as session:
        return add(session, now=utcnow(), **message)


def claim_due(
    engine: Engine, now: dt.datetime, lease: dt.timedelta, limit: int
) -> list[NotificationRow]:
    """Pending messages whose time has come, claimed for ``lease`` by this notifier."""
    with transaction(engine) as session:
        candidates = session.exec(
            select(NotificationRow.id)
            .where(
                NotificationRow.status == NotificationStatus.PENDING,
                col(NotificationRow.next_attempt_at) <= now,
            )
            .order_by(col(NotificationRow.next_attempt_at), col(NotificationRow.id))
            .limit(limit)
        ).all()
    claimed = []
    for notification_id in candidates:
        with transaction(engine) as session:
            result: Any = session.execute(
                update(NotificationRow)
                .where(
                    col(NotificationRow.id) == notification_id,
                    col(NotificationRow.status) == NotificationStatus.PENDING,
                    (col(NotificationRow.claimed_until).is_(None))
                    | (col(NotificationRow.claimed_until) < now),
                )
                .values(claimed_until=now + lease)
            )
            if result.rowcount == 1:
                row = session.get(NotificationRow, notification_id)
                assert row is not None
                session.expunge(row)
                claimed.append(row)
    return claimed


def delivered(engine: Engine, notification_id: int, channel: str) -> None:
    with transaction(engine) as session:
        row = session.get(NotificationRow, notification_id)
        assert row is not None
        row.delivered = sorted({*row.delivered, channel})


def finish(engine: Engine, notification_id: int, status: str) -> None:
    with transaction(engine) as session:
        row = session.get(NotificationRow, notification_id)
        assert row is not None
        row.status, row.finished_at, row.claimed_until = status, utcnow(), None


def failed(engine: Engine, notification_id: int, error: str, retry_at: dt.datetime | None) -> None:
    """An attempt failed: try again at ``retry_at``, or give up (None)."""
    with transaction(engine) as session:
        row = session.get(NotificationRow, notification_id)
        assert row is not None
        row.attempts += 1
        row.last_error = error[:1000]
        row.claimed_until = None
        if retry_at is None:
            row.status, row.finished_at = NotificationStatus.FAILED, utcnow()
        else:
            row.next_attempt_at = retry_at


def get(engine: Engine, dedupe_prefix: str) -> list[NotificationRow]:
    """Messages whose key starts so, oldest first (for tests and operators)."""
    with transaction(engine) as session:
        rows = session.exec(
            select(NotificationRow)
            .where(col(NotificationRow.dedupe_key).startswith(dedupe_prefix))
            .order_by(col(NotificationRow.id))
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)
