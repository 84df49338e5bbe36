"""Quarterly inspections as the read model keeps them: one row per county and quarter, one
per agency to inspect in it, and each county's coverage (planned, done, overdue)."""

import datetime as dt
from typing import Any, Literal

from sqlalchemy import JSON, Engine, func
from sqlalchemy import select as sa_select
from sqlmodel import Field, SQLModel, col, select

from agencyflow.domain.agency import AgencyStatus
from agencyflow.domain.inspections import Campaign, InspectionTarget, InspectionTask
from agencyflow.domain.records import InspectionRecord

from . import effects
from .agencies import AgencyRow
from .engine import transaction
from .projects import ProjectRow
from .queries import page, where_given
from .rows import advance, insert_first
from .types import UtcDateTime


class InspectionCampaignRow(SQLModel, table=True):
    __tablename__ = "inspection_campaign"

    campaign_id: str = Field(primary_key=True, max_length=16)
    workflow_id: str = Field(max_length=100)
    version: int
    county_code: str = Field(max_length=6, index=True)
    quarter: str = Field(max_length=6, index=True)
    opened_at: dt.datetime = Field(sa_type=UtcDateTime)
    ends_at: dt.datetime = Field(sa_type=UtcDateTime)
    closes_at: dt.datetime = Field(sa_type=UtcDateTime)
    ended: bool = False


class InspectionTaskRow(SQLModel, table=True):
    __tablename__ = "inspection_task"

    campaign_id: str = Field(primary_key=True, max_length=16)
    agency_uscc: str = Field(primary_key=True, max_length=18, index=True)
    version: int
    county_code: str = Field(max_length=6, index=True)
    quarter: str = Field(max_length=6, index=True)
    agency_name: str = Field(max_length=200)
    out_of_town: bool
    planned: bool
    inspected: bool
    overdue: bool
    rectifying: bool
    """A rectification was ordered and no re-check has found it put right."""
    task: dict[str, Any] = Field(sa_type=JSON)


class InspectionView(SQLModel):
    campaign: Campaign
    task: InspectionTask


class InspectionCoverage(SQLModel):
    county_code: str
    quarter: str
    planned: int
    done: int
    overdue: int
    """Not inspected by the quarter's end (and not since)."""
    rectifying: int
    ended: bool


def _campaign_id(county_code: str, quarter: str) -> str:
    return f"{county_code}-{quarter}"


def record(engine: Engine, entry: InspectionRecord) -> None:
    """Write a campaign's step, all or nothing; a repeated or late attempt writes nothing."""
    campaign = entry.campaign
    key = _campaign_id(campaign.county_code, campaign.quarter)
    with transaction(engine) as session:
        took = advance(
            session, InspectionCampaignRow, {"campaign_id": key}, entry.seq, {"ended": entry.ended}
        ) or insert_first(
            session,
            InspectionCampaignRow,
            {
                "campaign_id": key,
                "workflow_id": entry.workflow_id,
                "version": entry.seq,
                "county_code": campaign.county_code,
                "quarter": campaign.quarter,
                "opened_at": campaign.opened_at,
                "ends_at": campaign.ends_at,
                "closes_at": campaign.closes_at,
                "ended": entry.ended,
            },
        )
        if not took:
            return
        for task in entry.tasks:
            values: dict[str, Any] = {
                "agency_name": task.agency_name,
                "inspected": task.result is not None,
                "overdue": task.overdue and task.result is None,
                "rectifying": task.rectification is not None and not task.rectification.closed,
                "task": task.model_dump(mode="json"),
            }
            row_key = {"campaign_id": key, "agency_uscc": task.agency_uscc}
            advance(session, InspectionTaskRow, row_key, entry.seq, values) or insert_first(
                session,
                InspectionTaskRow,
                {
                    **values,
                    **row_key,
                    "version": entry.seq,
                    "county_code": campaign.county_code,
                    "quarter": campaign.quarter,
                    "out_of_town": task.out_of_town,
                    "planned": task.planned,
                },
            )
        effects.follow_in(session, entry.event, entry.inbox, entry.credit_events)


PRACTISING = (AgencyStatus.ACTIVE.value, AgencyStatus.RECTIFICATION_REQUIRED.value)
"""Agencies that may practise; a suspended one is followed by its monitoring instead."""


def targets(engine: Engine, county_code: str, since: dt.datetime) -> list[InspectionTarget]:
    """The agencies active in the county: those under it that may practise, and the others
    (out-of-town ones too) with a project for an enterprise there still open, or closed
    since ``since``."""
    serving = select(ProjectRow.agency_uscc).where(
        ProjectRow.county_code == county_code,
        col(ProjectRow.closed_at).is_(None) | (col(ProjectRow.closed_at) >= since),
    )
    query = (
        select(AgencyRow.uscc, AgencyRow.legal_name, AgencyRow.jurisdiction_code)
        .where(col(AgencyRow.status).in_(PRACTISING))
        .where((col(AgencyRow.jurisdiction_code) == county_code) | col(AgencyRow.uscc).in_(serving))
        .order_by(col(AgencyRow.legal_name), col(AgencyRow.uscc))
    )
    with transaction(engine) as session:
        return [
            InspectionTarget(agency_uscc=u, agency_name=n, out_of_town=j != county_code)
            for u, n, j in session.exec(query).all()
        ]


def campaign(engine: Engine, county_code: str, quarter: str) -> Campaign | None:
    with transaction(engine) as session:
        row = session.get(InspectionCampaignRow, _campaign_id(county_code, quarter))
        return _campaign(row) if row is not None else None


def get(engine: Engine, county_code: str, quarter: str, agency_uscc: str) -> InspectionView | None:
    key = _campaign_id(county_code, quarter)
    with transaction(engine) as session:
        found = session.get(InspectionCampaignRow, key)
        row = session.get(InspectionTaskRow, (key, agency_uscc))
        if found is None or row is None:
            return None
        return InspectionView(
            campaign=_campaign(found), task=InspectionTask.model_validate(row.task)
        )


TaskStatus = Literal["pending", "done", "overdue", "rectifying"]


def search(
    engine: Engine,
    *,
    county_code: str | None,
    quarter: str | None,
    agency_uscc: str | None,
    status: TaskStatus | None,
    limit: int,
    offset: int,
) -> tuple[int, list[InspectionView]]:
    """Tasks matching every given filter: newest quarter first, the undone before the done
    and the overdue first among them."""
    task = InspectionTaskRow
    query = where_given(
        select(task),
        (task.county_code, county_code),
        (task.quarter, quarter),
        (task.agency_uscc, agency_uscc),
    )
    match status:
        case "pending":
            query = query.where(~col(task.inspected))
        case "done":
            query = query.where(col(task.inspected))
        case "overdue":
            query = query.where(col(task.overdue))
        case "rectifying":
            query = query.where(col(task.rectifying))
    order = [
        col(task.quarter).desc(),
        col(task.inspected),
        col(task.overdue).desc(),
        col(task.county_code),
        col(task.agency_name),
        col(task.agency_uscc),
    ]
    with transaction(engine) as session:
        total, rows = page(session, query, order, offset, limit)
        keys = {row.campaign_id for row in rows}
        campaigns = {
            c.campaign_id: _campaign(c)
            for c in session.exec(
                select(InspectionCampaignRow).where(
                    col(InspectionCampaignRow.campaign_id).in_(keys)
                )
            ).all()
        }
        return total, [
            InspectionView(
                campaign=campaigns[row.campaign_id], task=InspectionTask.model_validate(row.task)
            )
            for row in rows
        ]


def coverage(engine: Engine, *, county_code: str | None, quarter: str) -> list[InspectionCoverage]:
    """Per county, the quarter's campaign: planned, done, overdue, still rectifying."""
    campaign, task = InspectionCampaignRow.__table__, InspectionTaskRow.__table__  # type: ignore[attr-defined]

    def counted(flag: Any) -> Any:
        return func.count(task.c.agency_uscc).filter(flag)

    query = (
        sa_select(
            campaign.c.county_code,
            campaign.c.ended,
            counted(task.c.planned),
            counted(task.c.inspected),
            counted(task.c.overdue),
            counted(task.c.rectifying),
        )
        .select_from(campaign.outerjoin(task, task.c.campaign_id == campaign.c.campaign_id))
        .where(campaign.c.quarter == quarter)
        .group_by(campaign.c.county_code, campaign.c.ended)
        .order_by(campaign.c.county_code)
    )
    if county_code is not None:
        query = query.where(campaign.c.county_code == county_code)
    with engine.connect() as connection:
        return [
            InspectionCoverage(
                county_code=c,
                quarter=quarter,
                planned=p,
                done=d,
                overdue=o,
                rectifying=r,
                ended=ended,
            )
            for c, ended, p, d, o, r in connection.execute(query).all()
        ]


def _campaign(row: InspectionCampaignRow) -> Campaign:
    return Campaign(
        county_code=row.county_code,
        quarter=row.quarter,
        opened_at=row.opened_at,
        ends_at=row.ends_at,
        closes_at=row.closes_at,
    )
