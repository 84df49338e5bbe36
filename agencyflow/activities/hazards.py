"""Hazard activities: a hazard's workflow records its own steps."""

from temporalio import activity

from agencyflow.domain.records import HazardStepRecord
from agencyflow.store import hazards

from .names import HAZARD_RECORD
from .read_model import ReadModelActivities


class HazardActivities(ReadModelActivities):
    @activity.defn(name=HAZARD_RECORD)
    def record(self, step: HazardStepRecord) -> None:
        hazards.record(self._engine, step)
