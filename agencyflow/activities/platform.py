"""The report's way to the provincial platform 工业企业安全在线, and what still awaits it."""

from pydantic import BaseModel
from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from agencyflow.domain.platform import PlatformReceipt, ReportSubmission
from agencyflow.files import FileStore
from agencyflow.platform import PlatformRefused, ProvincialPlatform
from agencyflow.store import projects

from .names import PLATFORM_AWAITING_RECEIPT, PLATFORM_SUBMIT_REPORT


class AwaitingPage(BaseModel):
    """Projects after ``after`` (by id) whose report has no receipt yet, ``limit`` at most."""

    after: str = ""
    limit: int = 200


class PlatformActivities:
    def __init__(self, engine: Engine, files: FileStore, platform: ProvincialPlatform) -> None:
        self._engine = engine
        self._files = files
        self._platform = platform

    @activity.defn(name=PLATFORM_SUBMIT_REPORT)
    def submit_report(self, submission: ReportSubmission) -> PlatformReceipt:
        content = self._files.read(submission.file.sha256)
        try:
            return self._platform.submit(submission, content)
        except PlatformRefused as refused:
            raise ApplicationError(
                str(refused), type="PlatformRefused", non_retryable=True
            ) from None

    @activity.defn(name=PLATFORM_AWAITING_RECEIPT)
    def reports_awaiting_receipt(self, page: AwaitingPage) -> list[str]:
        return projects.awaiting_receipt(self._engine, after=page.after, limit=page.limit)
