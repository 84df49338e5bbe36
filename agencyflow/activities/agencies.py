"""Agency activities: recording an agency's steps, full-time claims included."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.domain.records import AgencyRecord, RecordOutcome
from agencyflow.store import agencies

from .names import AGENCY_RECORD


class AgencyActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name=AGENCY_RECORD)
    def record(self, entry: AgencyRecord) -> RecordOutcome:
        return agencies.record(self._engine, entry)
