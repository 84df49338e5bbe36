"""Hazard activities: a major hazard's workflow records its own steps."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.domain.records import MajorHazardRecord
from agencyflow.store import hazards

from .names import MAJOR_HAZARD_RECORD


class HazardActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name=MAJOR_HAZARD_RECORD)
    def record_major(self, change: MajorHazardRecord) -> None:
        hazards.record(self._engine, change)
