"""``/agencies/{uscc}/whistleblower-rewards``: rewards an agency paid its own internal
whistleblowers (内部吹哨人, R13's internal channel). The agency records them; it and its
regulators read them. A record of a fact with no deadline to it, so it is written to the
read model directly, once per request."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from agencyflow.api.deps import AgencyUser
from agencyflow.api.params import Limit, Offset, UsccPath
from agencyflow.api.routes.agencies import Agencies, Reader
from agencyflow.api.schemas.paging import Page
from agencyflow.api.temporal_errors import update_id
from agencyflow.domain.bounded import Day
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.complaints import CENT
from agencyflow.domain.errors import RuleViolations
from agencyflow.store import complaints
from agencyflow.store.complaints import WhistleblowerRewardRow
from agencyflow.store.types import utcnow

router = APIRouter(prefix="/agencies", tags=["complaints"])

Service = Annotated[Agencies, Depends(Agencies)]


class WhistleblowerRewardBody(BaseModel):
    matter: Annotated[str, Field(min_length=1, max_length=2000)]
    """What the whistleblower reported, without naming them."""
    amount_yuan: Annotated[float, Field(gt=0, le=10_000_000)]
    paid_on: Day


WhistleblowerRewardPage = Page[WhistleblowerRewardRow]


@router.post(
    "/{uscc}/whistleblower-rewards",
    name="agencies.record_whistleblower_reward",
    status_code=status.HTTP_201_CREATED,
)
async def record(
    uscc: UsccPath, body: WhistleblowerRewardBody, actor: AgencyUser, service: Service
) -> WhistleblowerRewardRow:
    """The agency records a reward it paid an internal whistleblower."""
    await service.visible(uscc, actor)
    today = dt.datetime.now(CHINA_TZ).date()
    if body.paid_on > today:
        raise RuleViolations.one("reward.future", "paid_on", "a day up to today")
    row = WhistleblowerRewardRow(
        command_id=await update_id(service.request, actor, body, service.engine),
        agency_uscc=uscc,
        matter=body.matter,
        amount_yuan=Decimal(str(body.amount_yuan)).quantize(CENT),
        paid_on=body.paid_on,
        recorded_by=actor.label,
        recorded_at=utcnow(),
    )
    await anyio.to_thread.run_sync(complaints.record_whistleblower_reward, service.engine, row)
    return row


@router.get("/{uscc}/whistleblower-rewards", name="agencies.whistleblower_rewards")
async def listing(
    uscc: UsccPath,
    actor: Reader,
    service: Service,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WhistleblowerRewardPage:
    """The agency's internal whistleblower rewards, latest first."""
    await service.visible(uscc, actor)
    total, items = await anyio.to_thread.run_sync(
        lambda: complaints.whistleblower_rewards(service.engine, uscc, limit=limit, offset=offset)
    )
    return WhistleblowerRewardPage(total=total, items=items)
