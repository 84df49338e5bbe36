"""What every recorded step writes beside its own rows: its timeline entry, its inbox
changes and its credit events, in the same transaction."""

from collections.abc import Iterable

from sqlmodel import Session

from agencyflow.domain.inbox import InboxChanges
from agencyflow.domain.project import CreditEvent
from agencyflow.domain.timeline import TimelineEntry

from . import credit, inbox, timeline


def follow_in(
    session: Session,
    event: TimelineEntry,
    changes: InboxChanges,
    credit_events: Iterable[CreditEvent] = (),
) -> None:
    timeline.append_in(session, event)
    inbox.apply(session, changes)
    for credit_event in credit_events:
        credit.append_in(session, credit_event)
