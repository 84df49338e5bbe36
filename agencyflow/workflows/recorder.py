"""What every long-lived workflow shares: one step at a time, each recorded before it counts.

A workflow holds one `Recorder`, which holds its state. A step takes the lock, checks,
changes a draft copy of the state, and hands the step's record to the record local
activity (in the worker, no extra trip through the server) with a bounded retry; only
once that succeeded does the draft become the state. A failed record leaves the state as
it was (the step's number alone is spent, so that a record that did land after all can
never block a later step). The timer loop waits in `sleep_until`; `history_is_long` says
when to continue as new; `search_attributes` keeps the Temporal UI's filters current.
"""

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from agencyflow.activities.names import WORKING_DAYS_DEADLINE
    from agencyflow.config.limits import HistoryLimits
    from agencyflow.domain.calendar import WorkingDaysDeadline
    from agencyflow.domain.errors import AgencyflowError, Unavailable
    from agencyflow.workflows import changes
    from agencyflow.workflows.memory import Ack, Memory
    from agencyflow.workflows.rejections import rejection

S = TypeVar("S", bound=Memory)
C = TypeVar("C")
T = TypeVar("T")
P = TypeVar("P")

RECORD_TIMEOUT = timedelta(seconds=15)
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=5),
    maximum_attempts=6,
    # Retrying cannot fix a record the database refuses by its shape.
    non_retryable_error_types=[
        "DataError",
        "ValidationError",
        "ValueError",
        "TypeError",
        "KeyError",
        "AssertionError",
    ],
)
TIMER_RETRY_AFTER = timedelta(minutes=1)
"""A step a timer took that could not be recorded is tried again this much later."""


class RecordFailed(Exception):
    """The step could not be recorded: it did not happen, and the state is as it was."""


def taken(changes: frozenset[str]) -> frozenset[str]:
    """Which of ``changes`` this run takes. Asked once, when the workflow starts: a run
    replaying a history recorded before a change answers no, and keeps answering no (Temporal
    remembers the answer for the run), so its steps and timers stay those of its history."""
    return frozenset(change for change in sorted(changes) if workflow.patched(change))


def update_id() -> str | None:
    """The id of the update being handled (None outside updates)."""
    info = workflow.current_update_info()
    return info.id if info else None


@contextmanager
def rejecting() -> Iterator[None]:
    """Turn the domain errors of checks and steps into update rejections."""
    try:
        yield
    except AgencyflowError as error:
        raise rejection(error) from None
    except RecordFailed:
        raise rejection(
            Unavailable(
                "the step could not be recorded and did not happen; try again shortly",
                code="record.failed",
            )
        ) from None


async def working_days_from_now(days: int) -> dt.datetime:
    """The end of a "within ``days`` working days" period starting now.

    A local activity: the holiday tables gain a year each December, and a deadline
    computed in the workflow could move on replay; recorded, it cannot.
    """
    deadline: dt.datetime = await workflow.execute_local_activity(
        WORKING_DAYS_DEADLINE,
        WorkingDaysDeadline(start=workflow.now(), working_days=days),
        result_type=dt.datetime,
        start_to_close_timeout=timedelta(seconds=10),
    )
    return deadline


class Recorder(Generic[S]):
    def __init__(self, state: S, activity: str, limits: HistoryLimits) -> None:
        self.state = state
        self.lock = asyncio.Lock()
        self._activity = activity
        self._limits = limits
        self._woken = False
        self._search: dict[str, Any] = {}
        self._retry_timers_at: dt.datetime | None = None

    # ------------------------------------------------------------------ steps

    def check(self, check: Callable[[S], None]) -> None:
        """For validators: the same request again passes; anything else must pass ``check``."""
        if self.state.replied(update_id()):
            return
        with rejecting():
            check(self.state)

    async def step(
        self,
        check: Callable[[S], None],
        apply: Callable[[S], C],
        adopt: Callable[[S, C], Awaitable[Ack]],
    ) -> Ack:
        """An update's step: checked again under the lock (the state may have moved while
        it waited), applied to a draft, adopted once recorded."""

        async def nothing(_: S) -> None:
            return None

        return await self.prepared_step(check, nothing, lambda draft, _: apply(draft), adopt)

    async def prepared_step(
        self,
        check: Callable[[S], None],
        prepare: Callable[[S], Awaitable[P]],
        apply: Callable[[S, P], C],
        adopt: Callable[[S, C], Awaitable[Ack]],
    ) -> Ack:
        """A step that needs a local activity's answer first (a working-day deadline, the
        rules' verdict): ``prepare`` runs after the check, under the lock, and may refuse."""
        async with self.lock:
            if ack := self.state.replied(update_id()):
                return ack
            with rejecting():
                check(self.state)
                prepared = await prepare(self.state)
                draft = self.state.draft()
                return self.answered(await adopt(draft, apply(draft, prepared)))

    def answered(self, ack: Ack) -> Ack:
        """Remember the update's answer, so that the same update again gets it, even after
        continue-as-new. Only the update's own step: what it set going answers no one."""
        self.state.remember(update_id(), ack)
        return ack

    async def due_steps(
        self,
        next_change: Callable[[S], Awaitable[C | None]],
        adopt: Callable[[S, C], Awaitable[Ack]],
    ) -> None:
        """Every step time has made due, each recorded; called holding the lock. One that
        cannot be recorded is tried again `TIMER_RETRY_AFTER` later."""
        try:
            while True:
                draft = self.state.draft()
                change = await next_change(draft)
                if change is None:
                    break
                await adopt(draft, change)
        except RecordFailed:
            self._retry_timers_at = workflow.now() + TIMER_RETRY_AFTER
            return
        self._retry_timers_at = None

    def numbers(self, draft: S, count: int = 1) -> int:
        """Take the next ``count`` step numbers for the draft; returns the first. Numbers are
        spent even if the step fails to record."""
        first = self.state.seq + 1
        draft.seq = self.state.seq = self.state.seq + count
        return first

    async def commit(
        self, draft: S, record: BaseModel, result_type: type[T] | None = None
    ) -> T | None:
        """Record the step; once written, the draft is the state. `RecordFailed` if the
        record cannot be written after a few quick attempts."""
        result = await self.write(record, result_type)
        self.state = draft
        return result

    async def write(self, record: BaseModel, result_type: type[T] | None = None) -> T | None:
        """Hand the record to the store and return its answer, leaving the state alone: for
        a step the store may refuse (its answer says so), adopted only once accepted."""
        try:
            result: T | None = await workflow.execute_local_activity(
                self._activity,
                record,
                result_type=result_type,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RECORD_RETRY,
            )
        except FailureError as failure:
            # A local activity's failure arrives as itself, not wrapped in an ActivityError.
            cause = failure.cause if isinstance(failure, ActivityError) else failure
            reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
            workflow.logger.warning("step not recorded: %s", reason)
            raise RecordFailed(reason) from None
        return result

    # ------------------------------------------------------------------ time and age

    def wake(self) -> None:
        """Something arrived for the timer loop to take (a notice, a request); kept until the
        loop has looked, even if it was busy when word came."""
        self._woken = True

    async def started(self, created: Callable[[S], bool]) -> bool:
        """Wait for the first step (the update that started the workflow) or its refusal."""
        await workflow.wait_condition(
            lambda: created(self.state) or workflow.all_handlers_finished()
        )
        return created(self.state)

    async def sleep(
        self,
        next_due: Callable[[], dt.datetime | None],
        finished: Callable[[], bool] = lambda: False,
    ) -> None:
        """Until the next due time, or until a step moves it or finishes the workflow's
        thing, or until the history is long.

        A step that leaves the next due time where it was leaves the timer running: every
        timer restarted is two more events in the history.
        """
        if self._woken:  # word left while the loop was busy: look at once
            self._woken = False
            return
        planned = wake_at = next_due()
        if self._retry_timers_at is not None:
            wake_at = self._retry_at(wake_at, self._retry_timers_at)

        def woken() -> bool:
            return self._woken or self.history_is_long() or finished() or next_due() != planned

        if wake_at is None:
            await workflow.wait_condition(woken)
            return
        delay = wake_at - workflow.now()
        if delay <= timedelta(0):
            return
        try:
            await workflow.wait_condition(woken, timeout=delay)
        except TimeoutError:
            pass

    @staticmethod
    def _retry_at(due: dt.datetime | None, retry: dt.datetime) -> dt.datetime | None:
        """When to wake after a step that could not be recorded. Before the change, a
        failed step was tried again only once time made something else due, and never when
        nothing was (a merged complaint whose acceptance had already been escalated stayed
        open for ever). Asked only here, where the two differ, so that histories without a
        failed record carry no marker for it."""
        if (due is None or due > retry) and workflow.patched(changes.RETRY_WITHOUT_DUE):
            return retry
        return None if due is None else max(due, retry)

    def history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._limits.max_events
            or info.get_current_history_size() > self._limits.max_bytes
        )

    async def quiet(self) -> None:
        """Until no handler runs and no step is being taken: safe to continue as new."""
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and not self.lock.locked()
        )

    def search_attributes(self, updates: Sequence[SearchAttributeUpdate[Any]]) -> None:
        """Upsert the values that changed since the last upsert."""
        changed = [u for u in updates if self._search.get(u.key.name, ...) != u.value]
        if not changed:
            return
        for update in changed:
            self._search[update.key.name] = update.value
        workflow.upsert_search_attributes(changed)
