"""A record lands within its attempt's timeout, or not at all.

A workflow gives up on a record's local activity at its timeout and, after its last
attempt, tells the user the step did not happen. An attempt still running then (a slow
database, a thread that started late) must not commit afterwards: its step would be in
the read model but not in the workflow. This interceptor gives every local activity's
transactions a commit deadline a little before the workflow's (`COMMIT_BY`).
"""

import time
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from agencyflow.store.engine import COMMIT_BY

COMMIT_MARGIN = timedelta(seconds=1)
"""Left between the last commit and the timeout: a commit that began in time ends in it."""


class CommitInTime(Interceptor):
    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CommitInTime(next)


class _CommitInTime(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        info = activity.info()
        timeout = info.start_to_close_timeout
        if not info.is_local or timeout is None:
            return await self.next.execute_activity(input)
        # Set here, on the event loop, as the attempt starts: the SDK copies this context
        # into the thread that runs the activity, whenever that thread gets to it.
        token = COMMIT_BY.set(time.monotonic() + (timeout - COMMIT_MARGIN).total_seconds())
        try:
            return await self.next.execute_activity(input)
        finally:
            COMMIT_BY.reset(token)
