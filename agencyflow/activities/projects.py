"""Project activities: recording a project's steps."""

from temporalio import activity

from agencyflow.domain.records import ProjectRecord
from agencyflow.store import projects

from .names import PROJECT_RECORD
from .read_model import ReadModelActivities


class ProjectActivities(ReadModelActivities):
    @activity.defn(name=PROJECT_RECORD)
    def record(self, entry: ProjectRecord) -> None:
        projects.record(self._engine, entry)
