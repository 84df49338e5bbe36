"""Project activities: recording a project's steps."""

from sqlalchemy import Engine
from temporalio import activity

from agencyflow.domain.records import ProjectRecord
from agencyflow.store import projects

from .names import PROJECT_RECORD


class ProjectActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name=PROJECT_RECORD)
    def record(self, entry: ProjectRecord) -> None:
        projects.record(self._engine, entry)
