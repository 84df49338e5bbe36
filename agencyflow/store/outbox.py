"""Reports handed to the provincial platform, as the outbox platform records them."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Engine, UniqueConstraint
from sqlmodel import Field, SQLModel, select

from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.platform import PlatformReceipt, ReportSubmission

from .engine import transaction
from .types import UtcDateTime, utcnow


class OutboxRow(SQLModel, table=True):
    __tablename__ = "platform_outbox"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_platform_outbox_key"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    project_id: str = Field(max_length=64, index=True)
    receipt_number: str = Field(default="", max_length=64)
    submitted_at: dt.datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    payload: dict[str, Any] = Field(sa_type=JSON)


def submit(engine: Engine, submission: ReportSubmission) -> PlatformReceipt:
    """Record the submission once; a repeat returns the receipt already issued."""
    key = submission.idempotency_key
    with transaction(engine) as session:
        row = session.exec(select(OutboxRow).where(OutboxRow.idempotency_key == key)).first()
        if row is None:
            row = OutboxRow(
                idempotency_key=key,
                project_id=submission.project_id,
                payload=submission.model_dump(mode="json"),
            )
            session.add(row)
            session.flush()
            day = row.submitted_at.astimezone(CHINA_TZ)
            row.receipt_number = f"ZJAQ-{day:%Y%m%d}-{row.id:06d}"
            session.add(row)
        return PlatformReceipt(receipt_number=row.receipt_number, accepted_at=row.submitted_at)
