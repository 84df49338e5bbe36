"""Complaint activities: recording a complaint's steps (R13)."""

from temporalio import activity

from agencyflow.domain.records import ComplaintRecord
from agencyflow.store import complaints

from .names import COMPLAINT_RECORD
from .read_model import ReadModelActivities


class ComplaintActivities(ReadModelActivities):
    @activity.defn(name=COMPLAINT_RECORD)
    def record(self, entry: ComplaintRecord) -> None:
        complaints.record(self._engine, entry)
