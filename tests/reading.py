"""Reading the read model in tests: open inbox items and timeline entries of a resource."""

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agencyflow.domain.inbox import InboxStatus
from agencyflow.store.inbox import InboxItemRow
from agencyflow.store.timeline import TimelineRow


def open_items_of(engine: Engine, resource: str) -> dict[str, InboxItemRow]:
    """The resource's open inbox items, by kind."""
    with Session(engine) as session:
        rows = session.exec(
            select(InboxItemRow).where(
                InboxItemRow.resource == resource, InboxItemRow.status == InboxStatus.OPEN.value
            )
        ).all()
        return {row.kind: row for row in rows}


def timeline_kinds_of(engine: Engine, resource: str) -> list[str]:
    """The kinds of the resource's timeline entries, in order."""
    with Session(engine) as session:
        rows = session.exec(
            select(TimelineRow)
            .where(TimelineRow.resource == resource)
            .order_by(col(TimelineRow.seq))
        ).all()
        return [row.kind for row in rows]
