"""A campaign's clock: the quarter's end sends the uninspected to the city, an unmet
rectification deadline too, and the campaign closes once nothing is left to wait for."""

import datetime as dt

from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.inspections import Campaign, InspectionTask
from agencyflow.workflows.steps import message, tell

from .models import CampaignChange, CampaignState
from .steps import RECTIFICATION_OVERDUE_ITEM, UNINSPECTED_ITEM, campaign_of, task_resource_of


def _uninspected(state: CampaignState) -> list[InspectionTask]:
    return [t for t in state.tasks.values() if t.result is None and not t.overdue]


def _rectifications_due(state: CampaignState) -> list[InspectionTask]:
    return [
        t
        for t in state.tasks.values()
        if t.rectification is not None
        and not t.rectification.closed
        and not t.rectification.overdue
    ]


def next_due(state: CampaignState) -> dt.datetime | None:
    """The next moment time changes something: the quarter's end while tasks are open, an
    open rectification's deadline, the campaign's close."""
    if state.campaign is None or state.ended:
        return None
    moments = [state.campaign.closes_at]
    if _uninspected(state):
        moments.append(state.campaign.ends_at)
    moments.extend(t.rectification.due_at for t in _rectifications_due(state) if t.rectification)
    return min(moments)


def finished(state: CampaignState, now: dt.datetime) -> bool:
    """Past the quarter's end with every agency inspected, or past the next quarter's end;
    and no rectification still open."""
    if state.campaign is None:
        return False
    open_rectification = any(
        t.rectification is not None and not t.rectification.closed for t in state.tasks.values()
    )
    if open_rectification:
        return False
    everyone = all(t.result is not None for t in state.tasks.values())
    return now >= state.campaign.closes_at or (now >= state.campaign.ends_at and everyone)


def due_change(draft: CampaignState, now: dt.datetime) -> CampaignChange | None:
    """The first thing time has made due, applied to the draft."""
    campaign = campaign_of(draft)
    if draft.ended:
        return None
    late = _uninspected(draft)
    if now >= campaign.ends_at and late:
        return _quarter_ended(draft, campaign, late)
    for task in _rectifications_due(draft):
        assert task.rectification is not None
        if task.rectification.due_at <= now:
            return _rectification_overdue(campaign, task)
    if finished(draft, now):
        draft.ended = True
        done_count = sum(t.result is not None for t in draft.tasks.values())
        return CampaignChange(
            kind="campaign.closed",
            summary=f"{campaign.quarter} 全覆盖检查结束：检查 {done_count} / {len(draft.tasks)} 家",
        )
    return None


def _quarter_ended(
    draft: CampaignState, campaign: Campaign, late: list[InspectionTask]
) -> CampaignChange:
    city = Addressee.city()
    for task in late:
        task.overdue = True
    return CampaignChange(
        kind="campaign.quarter_ended",
        summary=f"{campaign.quarter} 季度结束：{len(late)} 家机构未检查，已报市应急管理局",
        inbox=InboxChanges(
            send=[
                message(
                    task_resource_of(campaign, task.agency_uscc),
                    UNINSPECTED_ITEM,
                    city,
                    f"季度未检查：{task.agency_name}（{campaign.county_code}，{campaign.quarter}）",
                )
                for task in late
            ]
        ),
        touched=[task.agency_uscc for task in late],
    )


def _rectification_overdue(campaign: Campaign, task: InspectionTask) -> CampaignChange:
    assert task.rectification is not None
    task.rectification.overdue = True
    deadline = task.rectification.order.deadline.isoformat()
    return CampaignChange(
        kind="inspection.rectification_overdue",
        summary=f"整改期限 {deadline} 已过，未复查确认整改到位，已报市应急管理局",
        inbox=tell(
            task_resource_of(campaign, task.agency_uscc),
            RECTIFICATION_OVERDUE_ITEM,
            Addressee.city(),
            f"检查整改逾期：{task.agency_name}（{deadline} 到期）",
        ),
        touched=[task.agency_uscc],
    )
