"""``GET /audit``: the audit log, for admins."""

import datetime as dt

import anyio.to_thread
from fastapi import APIRouter
from pydantic import BaseModel
from sqlmodel import col, select

from agencyflow.api.deps import Admin, EngineDep
from agencyflow.api.params import Limit, Offset, RequestIdQuery, ResourceQuery
from agencyflow.api.schemas.paging import Page
from agencyflow.store.audit import AuditEntry
from agencyflow.store.engine import transaction
from agencyflow.store.queries import page, where_given

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
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AuditEntryPublic]:
    """What was done, newest first."""
    query = where_given(
        select(AuditEntry), (AuditEntry.resource, resource), (AuditEntry.request_id, request_id)
    )

    def read() -> Page[AuditEntryPublic]:
        with transaction(engine) as session:
            total, rows = page(session, query, [col(AuditEntry.id).desc()], offset, limit)
            return Page(
                total=total,
                items=[AuditEntryPublic.model_validate(row.model_dump()) for row in rows],
            )

    return await anyio.to_thread.run_sync(read)
