"""Inbox activities: idempotent writes of inbox items keyed by (resource, kind)."""

from temporalio import activity

from agencyflow.domain.inbox import InboxMessage, InboxWithdrawal
from agencyflow.store import inbox

from .names import INBOX_SEND, INBOX_WITHDRAW
from .read_model import ReadModelActivities


class InboxActivities(ReadModelActivities):
    @activity.defn(name=INBOX_SEND)
    def send(self, message: InboxMessage) -> None:
        inbox.send(self._engine, message)

    @activity.defn(name=INBOX_WITHDRAW)
    def withdraw(self, withdrawal: InboxWithdrawal) -> int:
        return inbox.withdraw(self._engine, withdrawal)
