"""``/verifications/due``: the agencies each county has still to verify on site this year (R9).

Recording a verification is ``POST /agencies/{uscc}/verifications``; a non-conforming one
puts the agency under rectification, and under suspension if its deadline passes unmet.
"""

import datetime as dt

import anyio.to_thread
from fastapi import APIRouter

from agencyflow.api.deps import EngineDep, Regulator, SettingsDep, own_county
from agencyflow.api.params import CountyQuery, Limit, Offset
from agencyflow.api.schemas.paging import Page
from agencyflow.domain.calendar import CHINA_TZ
from agencyflow.domain.credit import add_months
from agencyflow.store import agencies
from agencyflow.store.agencies import VerificationDue

router = APIRouter(prefix="/verifications", tags=["agencies"])


class VerificationDuePage(Page[VerificationDue]):
    since: dt.date
    """Verified on or after this day counts for the current round."""


@router.get("/due", name="verifications.due")
async def due(
    actor: Regulator,
    engine: EngineDep,
    settings: SettingsDep,
    county: CountyQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> VerificationDuePage:
    """Admitted agencies under the county or working in it not verified on site within the
    policy's months: never verified first. A county regulator sees its own county."""
    county = own_county(actor, county)
    now = dt.datetime.now(CHINA_TZ)
    since = add_months(now, -settings.policy.agency_verification_months).date()
    total, items = await anyio.to_thread.run_sync(
        lambda: agencies.verification_due(
            engine, working_in=county, before=since, limit=limit, offset=offset
        )
    )
    return VerificationDuePage(total=total, since=since, items=items)
