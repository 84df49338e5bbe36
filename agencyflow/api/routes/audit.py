"""``GET /audit``: the audit log, for admins."""

import datetime as dt
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from agencyflow.api.deps import Admin, EngineDep
from agencyflow.api.params import Offset, RequestIdQuery, ResourceQuery
from agencyflow.store.audit import AuditEntry
from agencyflow.store.engine import transaction

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryPublic(BaseModel):
    id: int
    at: dt.datetime
    actor_user_id: int | None
    actor: str
    role: str | None
    action: str
    resource: str
    request_id: str
    outcome: str
    status_code: int
    detail: str | None


@router.get("", name="audit.list")
async def list_audit(
    _admin: Admin,
    engine: EngineDep,
    resource: ResourceQuery = None,
    request_id: RequestIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[AuditEntryPublic]:
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc())
    if resource is not None:
        query = query.where(AuditEntry.resource == resource)
    if request_id is not None:
        query = query.where(AuditEntry.request_id == request_id)

    def read() -> list[AuditEntryPublic]:
        with transaction(engine) as session:
            rows = session.exec(query.offset(offset).limit(limit)).all()
            return [AuditEntryPublic.model_validate(row.model_dump()) for row in rows]

    return await anyio.to_thread.run_sync(read)
