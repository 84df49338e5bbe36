"""Spot-check activities: recording a check's steps, and the half-year's draw (R14)."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.config.policy import Policy
from agencyflow.domain.records import SpotCheckRecord
from agencyflow.domain.spot_checks import SpotCheckOrigin, SpotCheckSubject
from agencyflow.spot_check_sampling import draw_for
from agencyflow.store import projects, spot_checks
from agencyflow.workflows.spot_check.models import DrawAnswer, DrawRequest

from .names import SPOT_CHECK_DRAW, SPOT_CHECK_RECORD
from .read_model import ReadModelActivities

DRAWN_BY = "系统（半年抽样）"


class SpotCheckActivities(ReadModelActivities):
    @activity.defn(name=SPOT_CHECK_RECORD)
    def record(self, entry: SpotCheckRecord) -> None:
        spot_checks.record(self._engine, entry)


class SpotCheckDrawActivities(ReadModelActivities):
    """The draw under the policy this worker runs with: the policy in force."""

    def __init__(self, engine: Engine, policy: Policy) -> None:
        super().__init__(engine)
        self._policy = policy

    @activity.defn(name=SPOT_CHECK_DRAW)
    def draw(self, request: DrawRequest) -> DrawAnswer:
        """Draw the county's half year, or take the kept draw (a retry draws nothing new),
        and describe each drawn report; due the policy's time after the draw."""
        kept = draw_for(
            self._engine, self._policy, request.county_code, request.period, request.seed, DRAWN_BY
        )
        due_at = kept.created_at + self._policy.spot_check_sample_due
        opened = []
        for project_id in kept.result.drawn:
            head = projects.head(self._engine, project_id)
            if head is None:
                continue
            opened.append(
                SpotCheckSubject(
                    project_id=project_id,
                    agency_uscc=head.agency_uscc,
                    agency_name=head.agency_name,
                    enterprise_name=head.request.enterprise.name,
                    county_code=head.county_code,
                    service_type=head.request.service_type,
                    team=list(head.request.team),
                    origin=SpotCheckOrigin.SAMPLED,
                    period=request.period,
                    due_at=due_at,
                    guideline=head.request.guideline,
                )
            )
        return DrawAnswer(policy=self._policy, opened=opened)
