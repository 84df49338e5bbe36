"""What time does to a hazard: the acknowledgement ladder, lateness, 久拖不改."""

import datetime as dt
from datetime import timedelta

from agencyflow.config.policy import Policy
from agencyflow.domain.hazard import HazardRecord
from agencyflow.workflows.steps import Context

from . import major, rectification
from .models import HazardChange


def _ack_due(record: HazardRecord, policy: Policy) -> dt.datetime | None:
    state = record.major
    if state is None or state.acknowledged_at is not None or state.escalated:
        return None
    return record.found_at + policy.major_hazard_ack_within


def _long_unrectified_due(record: HazardRecord, policy: Policy) -> dt.datetime | None:
    """A general hazard is long unrectified 30 days past its deadline, or at once when it
    has been open at enough consecutive visits."""
    if record.major is not None or record.long_unrectified:
        return None
    if record.open_at_visits >= policy.long_unrectified_visits:
        return record.found_at
    return record.deadline + policy.long_unrectified_after if record.deadline else None


def next_due(record: HazardRecord, policy: Policy) -> dt.datetime | None:
    """When time next changes something for this hazard; None: only people will."""
    if not record.is_open:
        return None
    due = [_ack_due(record, policy), _long_unrectified_due(record, policy)]
    if record.deadline is not None and not record.overdue:
        due.append(record.deadline)
    return min((at for at in due if at is not None), default=None)


def take_due(record: HazardRecord, ctx: Context) -> HazardChange | None:
    """The first step that is due now, taken on the record; None if nothing is."""
    if not record.is_open:
        return None
    now, policy = ctx.now, ctx.policy
    ack_due = _ack_due(record, policy)
    if ack_due is not None and now >= ack_due:
        return major.escalate(record, ctx)
    if record.deadline is not None and not record.overdue and now >= record.deadline:
        return major.overdue(record)
    long_due = _long_unrectified_due(record, policy)
    if long_due is not None and now >= long_due:
        if record.open_at_visits >= policy.long_unrectified_visits:
            why = f"连续 {record.open_at_visits} 次服务时仍未整改"
        else:
            why = f"逾期 {policy.long_unrectified_after / timedelta(days=1):g} 天仍未整改"
        return rectification.long_unrectified(record, why)
    return None
