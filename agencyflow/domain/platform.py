"""What goes to the provincial platform 工业企业安全在线 (R10), and what comes back."""

import datetime as dt

from pydantic import BaseModel

from .project import StoredFile
from .service_types import ServiceType


class ReportSubmission(BaseModel):
    project_id: str
    agency_uscc: str
    agency_name: str
    enterprise_uscc: str
    enterprise_name: str
    service_type: ServiceType
    service_ended_on: dt.date
    file: StoredFile

    @property
    def idempotency_key(self) -> str:
        """One report of one project is submitted once, however often we retry."""
        return f"{self.project_id}:{self.file.sha256}"


class PlatformReceipt(BaseModel):
    receipt_number: str
    accepted_at: dt.datetime
