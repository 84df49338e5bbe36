"""The provincial platform 工业企业安全在线, which we cannot reach from here.

`ProvincialPlatform` is the one interface; `OutboxPlatform` (the default) records each
submission in a local outbox table and issues a receipt, `HttpPlatform` posts to the
platform's API. Settings choose (``AGENCYFLOW_PLATFORM``).
"""

from typing import Protocol

from agencyflow.domain.platform import PlatformReceipt, ReportSubmission


class ProvincialPlatform(Protocol):
    def submit(self, submission: ReportSubmission, content: bytes) -> PlatformReceipt:
        """Submit a report; submitting the same report again returns the same receipt."""
        ...


class PlatformError(Exception):
    """The platform refused or failed; the activity retries until it accepts."""


class PlatformRefused(PlatformError):
    """The platform answered that the submission itself is wrong: retrying cannot help."""
