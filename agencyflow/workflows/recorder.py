"""What every long-lived workflow shares: one step at a time, each recorded before it counts.

A workflow holds one `Recorder`. Its lock makes steps take turns; `write` hands a step's
record to the record local activity (in the worker, no extra trip through the server)
with a bounded retry; `sleep_until` is the timer loop's wait; `history_is_long` says
when to continue as new; `search_attributes` keeps the Temporal UI's filters current.
"""

import asyncio
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from agencyflow.config.limits import HistoryLimits
    from agencyflow.domain.errors import AgencyflowError, Unavailable

    from .rejections import rejection

T = TypeVar("T")

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


class Recorder:
    def __init__(self, activity: str, limits: HistoryLimits) -> None:
        self.lock = asyncio.Lock()
        self._activity = activity
        self._limits = limits
        self._woken = False
        self._search: dict[str, Any] = {}
        self.retry_timers_at: dt.datetime | None = None
        """Set when a timer's step could not be recorded."""

    async def write(self, record: BaseModel, result_type: type[T] | None = None) -> T | None:
        """Record a step; `RecordFailed` if it cannot be, after a few quick attempts."""
        try:
            result: T | None = await workflow.execute_local_activity(
                self._activity,
                record,
                result_type=result_type,
                start_to_close_timeout=RECORD_TIMEOUT,
                retry_policy=RECORD_RETRY,
            )
        except ActivityError as failure:
            cause = failure.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
            workflow.logger.warning("step not recorded: %s", reason)
            raise RecordFailed(reason) from None
        self.wake()
        return result

    def wake(self) -> None:
        """Timers may have moved: the timer loop looks again."""
        self._woken = True

    async def started(self, created: Any) -> bool:
        """Wait for the first step (the update that started the workflow) or its refusal."""
        await workflow.wait_condition(lambda: created() or workflow.all_handlers_finished())
        return bool(created())

    async def sleep_until(self, wake_at: dt.datetime | None) -> None:
        """Until ``wake_at`` (forever if None), a recorded step, or a history grown long."""
        if self.retry_timers_at is not None and wake_at is not None:
            wake_at = max(wake_at, self.retry_timers_at)
        self._woken = False

        def woken() -> bool:
            return self._woken or self.history_is_long()

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

    async def quiet(self) -> None:
        """Until no handler runs and no step is being taken: safe to continue as new."""
        await workflow.wait_condition(
            lambda: workflow.all_handlers_finished() and not self.lock.locked()
        )

    def timer_step_failed(self) -> None:
        self.retry_timers_at = workflow.now() + TIMER_RETRY_AFTER

    def timer_steps_done(self) -> None:
        self.retry_timers_at = None

    def history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._limits.max_events
            or info.get_current_history_size() > self._limits.max_bytes
        )

    def search_attributes(self, updates: Sequence[SearchAttributeUpdate[Any]]) -> None:
        """Upsert the values that changed since the last upsert."""
        changed = [u for u in updates if self._search.get(u.key.name, ...) != u.value]
        if not changed:
            return
        for update in changed:
            self._search[update.key.name] = update.value
        workflow.upsert_search_attributes(changed)
