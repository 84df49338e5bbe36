"""A small workflow that exercises the foundation: an inbox step with a durable deadline.

It stands in for the real workflows of later issues: it opens an inbox item for a
county regulator, waits for the step (a signal) or for the deadline (a durable timer),
escalates to the city on expiry, and withdraws what is done.
"""

import datetime as dt

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from agencyflow.domain.inbox import Addressee, InboxMessage
    from agencyflow.workflows import inbox


class StepInput(BaseModel):
    resource: str
    county_code: str
    deadline: dt.timedelta


class StepResult(BaseModel):
    outcome: str
    started_at: dt.datetime
    ended_at: dt.datetime


@workflow.defn
class StepWithDeadline:
    """Signals: ``done``. Updates: ``opened`` (returns once the item is recorded).

    Waits for ``done`` until the deadline, then escalates.
    """

    def __init__(self) -> None:
        self._done = False
        self._opened = False

    @workflow.signal
    def done(self) -> None:
        self._done = True

    @workflow.update
    async def opened(self) -> None:
        await workflow.wait_condition(lambda: self._opened)

    @workflow.run
    async def run(self, step: StepInput) -> StepResult:
        started = workflow.now()
        review = InboxMessage(
            resource=step.resource,
            kind="probe.review",
            addressee=Addressee.county(step.county_code),
            title="审核",
            due_at=started + step.deadline,
        )
        await inbox.send(review)
        # A repeated send must not create a second item.
        await inbox.send(review)
        self._opened = True
        try:
            await workflow.wait_condition(lambda: self._done, timeout=step.deadline)
            outcome = "done"
        except TimeoutError:
            outcome = "escalated"
            await inbox.send(
                InboxMessage(
                    resource=step.resource,
                    kind="probe.escalation",
                    addressee=Addressee.city(),
                    title="逾期未审核",
                )
            )
        await inbox.withdraw(step.resource, "probe.review")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return StepResult(outcome=outcome, started_at=started, ended_at=workflow.now())
