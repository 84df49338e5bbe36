"""Agency activities: recording an agency's steps, full-time claims included."""

from temporalio import activity

from agencyflow.domain.records import AgencyRecord, RecordOutcome
from agencyflow.store import agencies

from .names import AGENCY_RECORD
from .read_model import ReadModelActivities


class AgencyActivities(ReadModelActivities):
    @activity.defn(name=AGENCY_RECORD)
    def record(self, entry: AgencyRecord) -> RecordOutcome:
        return agencies.record(self._engine, entry)
