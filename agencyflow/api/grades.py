"""Credit grades for the agencies a list shows, read from their ledgers (R8)."""

import datetime as dt

import anyio.to_thread
from sqlalchemy import Engine

from agencyflow.api.schemas.credit import grade_of
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.credit import CreditGrade, CreditRules
from agencyflow.store import credit


async def grades_of(
    engine: Engine, found: list[AgencySnapshot], rules: CreditRules
) -> dict[str, CreditGrade]:
    """Each listed agency's grade now, from its ledger: one query for the page."""
    usccs = [snapshot.uscc for snapshot in found]
    events = await anyio.to_thread.run_sync(credit.of_agencies, engine, usccs)
    now = dt.datetime.now(dt.UTC)
    return {uscc: grade_of(events.get(uscc, []), now, rules) for uscc in usccs}
