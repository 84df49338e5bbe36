"""Hazard activities: a hazard's workflow records its own steps."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.domain.records import HazardStepRecord
from agencyflow.store import hazards

from .names import HAZARD_RECORD


class HazardActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name=HAZARD_RECORD)
    def record(self, step: HazardStepRecord) -> None:
        hazards.record(self._engine, step)
