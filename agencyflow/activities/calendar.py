"""The working-day calendar, served to workflows as a local activity.

A deadline "within 5 working days" depends on the holiday tables of `chinese_calendar`,
which gain a year each December. Computed inside a workflow, an upgrade could change
a running workflow's timers on replay; as an activity, the result is recorded in the
history once and replay reads it back.
"""

import datetime as dt

from temporalio import activity

from agencyflow.domain.calendar import WorkingDaysDeadline, working_days_deadline

from .names import WORKING_DAYS_DEADLINE


@activity.defn(name=WORKING_DAYS_DEADLINE)
def compute_working_days_deadline(request: WorkingDaysDeadline) -> dt.datetime:
    return working_days_deadline(request.start, request.working_days)
