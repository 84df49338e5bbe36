"""A county's quarterly campaign, step by step: opened with one task per active agency (due
at the quarter's end), each inspection recorded with its decisions, rectifications
re-checked; at the quarter's end the uninspected go to the city, and so does a
rectification whose deadline passes unmet."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.calendar import end_of_day
from agencyflow.domain.credit import RecordedKind
from agencyflow.domain.errors import Conflict, RuleViolations, Violation
from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage
from agencyflow.domain.inspections import (
    Campaign,
    InspectionResult,
    InspectionTarget,
    InspectionTask,
    RecheckResult,
    Rectification,
    decision_violations,
    next_quarter,
    quarter_bounds,
)
from agencyflow.domain.project import CreditEvent
from agencyflow.workflows.steps import (
    Context,
    credit_event,
    done,
    message,
    require,
    require_regulator,
    withdrawal,
)

from .models import CampaignChange, CampaignState, Inspection, Recheck, task_resource

DUE_ITEM = "inspection.due"
UNINSPECTED_ITEM = "inspection.uninspected"
RECHECK_ITEM = "inspection.recheck"
RECTIFICATION_OVERDUE_ITEM = "inspection.rectification_overdue"
RECHECK_FAILED_ITEM = "inspection.recheck_failed"


def campaign_of(state: CampaignState) -> Campaign:
    assert state.campaign is not None, "a campaign's steps come after its opening"
    return state.campaign


def task_resource_of(campaign: Campaign, uscc: str) -> str:
    return task_resource(campaign.county_code, campaign.quarter, uscc)


def new_campaign(county_code: str, quarter: str, now: dt.datetime) -> Campaign:
    _, ends_at = quarter_bounds(quarter)
    _, closes_at = quarter_bounds(next_quarter(quarter))
    return Campaign(
        county_code=county_code,
        quarter=quarter,
        opened_at=now,
        ends_at=ends_at,
        closes_at=closes_at,
    )


def open_campaign(
    draft: CampaignState, campaign: Campaign, targets: list[InspectionTarget]
) -> CampaignChange:
    draft.campaign = campaign
    draft.tasks = {
        t.agency_uscc: InspectionTask(
            agency_uscc=t.agency_uscc, agency_name=t.agency_name, out_of_town=t.out_of_town
        )
        for t in targets
    }
    county = Addressee.county(campaign.county_code)
    return CampaignChange(
        kind="campaign.opened",
        summary=f"{campaign.quarter} 全覆盖检查：{len(targets)} 家机构"
        f"（外地机构 {sum(t.out_of_town for t in targets)} 家）",
        inbox=InboxChanges(
            send=[
                message(
                    task_resource_of(campaign, t.agency_uscc),
                    DUE_ITEM,
                    county,
                    f"季度全覆盖检查：{t.agency_name}",
                    campaign.ends_at,
                )
                for t in targets
            ]
        ),
        touched=list(draft.tasks),
    )


def require_opened(state: CampaignState) -> None:
    """An update that arrives while the campaign is still listing its agencies waits for
    nothing: it is refused, and the caller tries again in a moment."""
    require(
        state.campaign is not None,
        Conflict("the campaign is being opened; try again shortly", code="inspection.opening"),
    )


def check_inspection(state: CampaignState, inspection: Inspection, ctx: Context) -> None:
    campaign = campaign_of(state)
    require_regulator(inspection.actor, campaign.county_code, "campaign")
    require(
        not state.ended,
        Conflict(
            f"the {campaign.quarter} campaign is closed: record it in this quarter's",
            code="inspection.campaign_closed",
        ),
    )
    task = state.tasks.get(inspection.target.agency_uscc)
    require(
        task is None or task.result is None,
        Conflict(
            "this agency's inspection for the quarter is recorded already",
            code="inspection.already_recorded",
        ),
    )
    start, _ = quarter_bounds(campaign.quarter)
    problems = decision_violations(
        inspection.checklist, inspection.decisions, inspection.inspected_on, start.date(), ctx.today
    )
    if problems:
        raise RuleViolations(problems)


def inspect(draft: CampaignState, inspection: Inspection, ctx: Context) -> CampaignChange:
    campaign, target = campaign_of(draft), inspection.target
    task = draft.tasks.get(target.agency_uscc) or InspectionTask(
        agency_uscc=target.agency_uscc,
        agency_name=target.agency_name,
        out_of_town=target.out_of_town,
        planned=False,
    )
    draft.tasks[target.agency_uscc] = task
    decisions = inspection.decisions
    task.result = InspectionResult(
        inspected_on=inspection.inspected_on,
        checklist=inspection.checklist,
        findings=inspection.findings,
        decisions=decisions,
        inspected_by=inspection.actor.label,
        recorded_at=ctx.now,
        late=ctx.now >= campaign.ends_at,
    )
    resource = task_resource_of(campaign, task.agency_uscc)
    inbox = done(resource, DUE_ITEM, UNINSPECTED_ITEM)
    said = [f"{inspection.inspected_on.isoformat()} 检查"]
    failed = inspection.checklist.failed()
    said.append("、".join(item.label for item in failed) + " 不符合" if failed else "全部符合")
    if decisions.rectification is not None:
        order = decisions.rectification
        task.rectification = Rectification(order=order, due_at=end_of_day(order.deadline))
        inbox.send.append(_recheck_item(campaign, task))
        said.append(f"限期整改至 {order.deadline.isoformat()}")
    if decisions.interview is not None:
        said.append(decisions.interview.label)
    events = [_credit(campaign, task, kind, ctx) for kind in decisions.credit]
    said.extend(kind.label for kind in decisions.credit)
    return CampaignChange(
        kind="inspection.recorded",
        summary="；".join(said),
        actor=inspection.actor,
        reasons=[inspection.findings],
        inbox=inbox,
        credit_events=events,
        touched=[task.agency_uscc],
    )


def _credit(
    campaign: Campaign, task: InspectionTask, kind: RecordedKind, ctx: Context
) -> CreditEvent:
    resource = task_resource_of(campaign, task.agency_uscc)
    return credit_event(
        task.agency_uscc,
        f"{resource}#credit.{kind.value}",
        kind.value,
        ctx.now,
        {"reference": f"{campaign.county_code}-{campaign.quarter}", "campaign": resource},
        points=deduction_of(kind, ctx.policy),
    )


def deduction_of(kind: RecordedKind, policy: Policy) -> int:
    """A veto deducts nothing: it makes the grade D by itself (R8, 一票否决)."""
    return 0 if kind.is_veto else int(getattr(policy.credit_deductions, kind.value))


def _recheck_item(campaign: Campaign, task: InspectionTask) -> InboxMessage:
    assert task.rectification is not None
    return message(
        task_resource_of(campaign, task.agency_uscc),
        RECHECK_ITEM,
        Addressee.county(campaign.county_code),
        f"整改复查：{task.agency_name}（{task.rectification.order.deadline.isoformat()} 到期）",
        task.rectification.due_at,
    )


def _open_rectification(state: CampaignState, uscc: str) -> Rectification | None:
    task = state.tasks.get(uscc)
    if task is None or task.rectification is None or task.rectification.closed:
        return None
    return task.rectification


def check_recheck(state: CampaignState, recheck: Recheck, ctx: Context) -> None:
    campaign = campaign_of(state)
    require_regulator(recheck.actor, campaign.county_code, "campaign")
    rectification = _open_rectification(state, recheck.agency_uscc)
    require(
        rectification is not None,
        Conflict(
            "no rectification ordered here awaits a re-check", code="inspection.no_rectification"
        ),
    )
    task = state.tasks[recheck.agency_uscc]
    assert task.result is not None
    problems: list[Violation] = []
    if not task.result.inspected_on <= recheck.rechecked_on <= ctx.today:
        problems.append(
            Violation(
                code="inspection.recheck_date",
                field="rechecked_on",
                message="a re-check lies between the inspection and today",
            )
        )
    if recheck.conforming and recheck.new_deadline is not None:
        problems.append(
            Violation(
                code="inspection.deadline_unneeded",
                field="new_deadline",
                message="the rectification is put right: no new deadline",
            )
        )
    if not recheck.conforming and (
        recheck.new_deadline is None or recheck.new_deadline <= ctx.today
    ):
        problems.append(
            Violation(
                code="inspection.new_deadline_required",
                field="new_deadline",
                message="not put right: set a new deadline after today",
            )
        )
    if problems:
        raise RuleViolations(problems)


def recheck(draft: CampaignState, recheck: Recheck, ctx: Context) -> CampaignChange:
    campaign = campaign_of(draft)
    rectification = _open_rectification(draft, recheck.agency_uscc)
    assert rectification is not None
    task = draft.tasks[recheck.agency_uscc]
    rectification.rechecks.append(
        RecheckResult(
            rechecked_on=recheck.rechecked_on,
            conforming=recheck.conforming,
            notes=recheck.notes,
            rechecked_by=recheck.actor.label,
        )
    )
    resource = task_resource_of(campaign, task.agency_uscc)
    if recheck.conforming:
        rectification.closed = True
        return CampaignChange(
            kind="inspection.rectified",
            summary=f"{recheck.rechecked_on.isoformat()} 复查：整改到位",
            actor=recheck.actor,
            reasons=[recheck.notes],
            inbox=done(resource, RECHECK_ITEM, RECTIFICATION_OVERDUE_ITEM),
            touched=[task.agency_uscc],
        )
    assert recheck.new_deadline is not None
    rectification.order = rectification.order.model_copy(update={"deadline": recheck.new_deadline})
    rectification.due_at, rectification.overdue = end_of_day(recheck.new_deadline), False
    title = f"复查未整改到位：{task.agency_name}，重新限期至 {recheck.new_deadline.isoformat()}"
    return CampaignChange(
        kind="inspection.not_rectified",
        summary=f"{recheck.rechecked_on.isoformat()} 复查：整改未到位，"
        f"重新限期至 {recheck.new_deadline.isoformat()}",
        actor=recheck.actor,
        reasons=[recheck.notes],
        inbox=InboxChanges(
            withdraw=[withdrawal(resource, RECTIFICATION_OVERDUE_ITEM)],
            send=[
                _recheck_item(campaign, task),
                message(resource, RECHECK_FAILED_ITEM, Addressee.city(), title),
            ],
        ),
        touched=[task.agency_uscc],
    )
