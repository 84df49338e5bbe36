"""``GET /inbox``: the caller's open items, most urgent first."""

import datetime as dt

import anyio.to_thread
from fastapi import APIRouter
from pydantic import BaseModel

from agencyflow.api.deps import AnyActor, EngineDep
from agencyflow.api.params import Limit, Offset
from agencyflow.api.schemas.paging import Page
from agencyflow.domain.identity import Role
from agencyflow.domain.inbox import ScopeKind, addressee_of
from agencyflow.store import inbox

router = APIRouter(prefix="/inbox", tags=["inbox"])


class InboxItemPublic(BaseModel):
    id: int
    resource: str
    kind: str
    title: str
    role: Role
    scope_kind: ScopeKind
    scope_id: str
    due_at: dt.datetime | None
    overdue: bool
    created_at: dt.datetime


@router.get("", name="inbox.list")
async def list_inbox(
    actor: AnyActor,
    engine: EngineDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[InboxItemPublic]:
    """Open items for the caller's office, most urgent first."""
    addressee = addressee_of(actor)
    total, rows = await anyio.to_thread.run_sync(
        lambda: inbox.open_page(engine, addressee, limit=limit, offset=offset)
    )
    now = dt.datetime.now(dt.UTC)
    return Page(
        total=total,
        items=[
            InboxItemPublic.model_validate(
                {**row.model_dump(), "overdue": row.due_at is not None and row.due_at < now}
            )
            for row in rows
        ],
    )
