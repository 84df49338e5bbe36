"""Capability test activities: recording a session's steps (R12)."""

from temporalio import activity

from agencyflow.domain.records import CapabilityRecord
from agencyflow.store import capability

from .names import CAPABILITY_RECORD
from .read_model import ReadModelActivities


class CapabilityActivities(ReadModelActivities):
    @activity.defn(name=CAPABILITY_RECORD)
    def record(self, entry: CapabilityRecord) -> None:
        capability.record(self._engine, entry)
