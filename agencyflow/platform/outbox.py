"""The default platform: an outbox table, with receipts issued locally."""

from sqlalchemy import Engine

from agencyflow.domain.platform import PlatformReceipt, ReportSubmission
from agencyflow.store import outbox


class OutboxPlatform:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def submit(self, submission: ReportSubmission, content: bytes) -> PlatformReceipt:
        return outbox.submit(self._engine, submission)
