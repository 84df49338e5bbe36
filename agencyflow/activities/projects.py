"""Project activities: the read model, and the report's way to the provincial platform."""

from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from agencyflow.domain.platform import PlatformReceipt, ReportSubmission
from agencyflow.domain.records import ProjectRecord
from agencyflow.files import FileStore
from agencyflow.platform import PlatformRefused, ProvincialPlatform
from agencyflow.store import projects

from .names import PLATFORM_SUBMIT_REPORT, PROJECT_RECORD


class ProjectActivities:
    def __init__(self, engine: Engine, files: FileStore, platform: ProvincialPlatform) -> None:
        self._engine = engine
        self._files = files
        self._platform = platform

    @activity.defn(name=PROJECT_RECORD)
    def record(self, entry: ProjectRecord) -> None:
        projects.record(self._engine, entry)

    @activity.defn(name=PLATFORM_SUBMIT_REPORT)
    def submit_report(self, submission: ReportSubmission) -> PlatformReceipt:
        content = self._files.read(submission.file.sha256)
        try:
            return self._platform.submit(submission, content)
        except PlatformRefused as refused:
            raise ApplicationError(
                str(refused), type="PlatformRefused", non_retryable=True
            ) from None
