"""Sending and withdrawing inbox items from a workflow."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import INBOX_SEND, INBOX_WITHDRAW
    from agencyflow.domain.inbox import InboxMessage, InboxWithdrawal

# Recording an inbox item is a small local write; retry it for as long as it takes,
# because a lost item is a step nobody is told to take.
_TIMEOUT = timedelta(seconds=30)


async def send(message: InboxMessage) -> None:
    await workflow.execute_activity(INBOX_SEND, message, start_to_close_timeout=_TIMEOUT)


async def withdraw(resource: str, *kinds: str) -> None:
    """Withdraw the resource's open items of these kinds: the step they wait for is done."""
    await workflow.execute_activity(
        INBOX_WITHDRAW,
        InboxWithdrawal(resource=resource, kinds=list(kinds)),
        start_to_close_timeout=_TIMEOUT,
    )
