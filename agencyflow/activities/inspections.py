"""Inspection-campaign activities: recording a campaign's steps, and its plan (R7, R14)."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.config.policy import Policy
from agencyflow.domain.inspections import previous_quarter, quarter_bounds
from agencyflow.domain.records import InspectionRecord
from agencyflow.store import inspections
from agencyflow.workflows.inspection.models import Plan, PlanRequest

from .names import INSPECTION_PLAN, INSPECTION_RECORD
from .read_model import ReadModelActivities


class InspectionActivities(ReadModelActivities):
    @activity.defn(name=INSPECTION_RECORD)
    def record(self, entry: InspectionRecord) -> None:
        inspections.record(self._engine, entry)


class InspectionPlanActivities(ReadModelActivities):
    """The plan under the policy this worker runs with: the policy in force."""

    def __init__(self, engine: Engine, policy: Policy) -> None:
        super().__init__(engine)
        self._policy = policy

    @activity.defn(name=INSPECTION_PLAN)
    def plan(self, request: PlanRequest) -> Plan:
        """Every agency active in the county: an out-of-town agency counts while it serves
        an enterprise there, or served one during the quarter before."""
        since, _ = quarter_bounds(previous_quarter(request.quarter))
        targets = inspections.targets(self._engine, request.county_code, since)
        return Plan(policy=self._policy, targets=targets)
