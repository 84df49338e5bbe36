"""A complaint's steps (R13): filed, then accepted (受理) or refused within the policy's
working days; investigated within the policy's period, with reminders and one extension;
answered with its outcome. A deadline passing unanswered goes to the city. A complaint
found true costs the agency its credit deduction and earns the reporter the reward."""

import datetime as dt
from decimal import Decimal

from agencyflow.domain.complaints import (
    ComplaintProgress,
    ComplaintStage,
    ComplaintSubject,
    Report,
    complaint_resource,
    first_reporter,
    reward_for,
)
from agencyflow.domain.credit import RecordedKind
from agencyflow.domain.errors import Conflict, RuleViolations
from agencyflow.domain.identity import Actor
from agencyflow.domain.inbox import Addressee, InboxChanges, InboxMessage
from agencyflow.domain.project import CreditEvent
from agencyflow.workflows import changes
from agencyflow.workflows.agency.models import agency_resource
from agencyflow.workflows.steps import (
    Context,
    credit_event,
    done,
    message,
    require,
    require_regulator,
    tell,
)

from .models import (
    Acceptance,
    ComplaintChange,
    ComplaintState,
    Extension,
    Outcome,
    Penalty,
    Refusal,
)

ACCEPTANCE_ITEM = "complaint.acceptance"
INVESTIGATION_ITEM = "complaint.investigation"
REMINDER_ITEM = "complaint.reminder"
REWARD_ITEM = "complaint.reward"
ACCEPTANCE_OVERDUE_ITEM = "complaint.acceptance_overdue"
INVESTIGATION_OVERDUE_ITEM = "complaint.investigation_overdue"
ALL_ITEMS = (
    ACCEPTANCE_ITEM,
    INVESTIGATION_ITEM,
    REMINDER_ITEM,
    ACCEPTANCE_OVERDUE_ITEM,
    INVESTIGATION_OVERDUE_ITEM,
)
OPEN = (ComplaintStage.FILED, ComplaintStage.INVESTIGATING)


def subject_of(state: ComplaintState) -> ComplaintSubject:
    assert state.subject is not None, "a complaint's steps come after its filing"
    return state.subject


def progress_of(state: ComplaintState) -> ComplaintProgress:
    assert state.progress is not None, "a complaint's steps come after its filing"
    return state.progress


def handler_of(subject: ComplaintSubject) -> Addressee:
    return Addressee.county(subject.county_code) if subject.county_code else Addressee.city()


def _title(subject: ComplaintSubject, what: str) -> str:
    return f"{what}：举报{subject.agency_name}（{subject.code}）"


def file(
    draft: ComplaintState, filing: ComplaintSubject, acceptance_due_at: dt.datetime
) -> ComplaintChange:
    draft.subject = filing
    draft.progress = ComplaintProgress(acceptance_due_at=acceptance_due_at)
    kind = "内部吹哨人举报" if filing.whistleblower else "举报"
    return ComplaintChange(
        kind="complaint.filed",
        summary=f"收到{kind}：{filing.agency_name}",
        inbox=tell(
            complaint_resource(filing.code),
            ACCEPTANCE_ITEM,
            handler_of(filing),
            _title(filing, "举报待受理"),
            acceptance_due_at,
        ),
    )


def check_stage(state: ComplaintState, actor: Actor, stage: ComplaintStage, what: str) -> None:
    require_regulator(actor, subject_of(state).county_code, "complaint")
    require(
        progress_of(state).stage is stage,
        Conflict(f"the complaint is not {what}", code=f"complaint.not_{stage.value}"),
    )


def own_report(state: ComplaintState) -> Report:
    subject = subject_of(state)
    return Report(code=subject.code, filed_at=subject.filed_at, reporter_ref=subject.reporter_ref)


def check_acceptance(state: ComplaintState, acceptance: Acceptance) -> None:
    check_stage(state, acceptance.actor, ComplaintStage.FILED, "awaiting acceptance")


def accept(draft: ComplaintState, acceptance: Acceptance, ctx: Context) -> ComplaintChange:
    subject, progress = subject_of(draft), progress_of(draft)
    progress.stage, progress.accepted_at = ComplaintStage.INVESTIGATING, ctx.now
    progress.handled_by = acceptance.actor.label
    progress.investigation_due_at = ctx.now + ctx.policy.complaint_investigation_period
    resource = complaint_resource(subject.code)
    return ComplaintChange(
        kind="complaint.accepted",
        summary=f"受理，{progress.investigation_due_at.date().isoformat()} 前调查办结",
        actor=acceptance.actor,
        inbox=InboxChanges(
            withdraw=done(resource, ACCEPTANCE_ITEM, ACCEPTANCE_OVERDUE_ITEM).withdraw,
            send=[_investigation_item(subject, progress)],
        ),
    )


def _investigation_item(subject: ComplaintSubject, progress: ComplaintProgress) -> InboxMessage:
    return message(
        complaint_resource(subject.code),
        INVESTIGATION_ITEM,
        handler_of(subject),
        _title(subject, "举报调查"),
        progress.investigation_due_at,
    )


def check_refusal(state: ComplaintState, refusal: Refusal) -> None:
    check_stage(state, refusal.actor, ComplaintStage.FILED, "awaiting acceptance")


def refuse(draft: ComplaintState, refusal: Refusal, ctx: Context) -> ComplaintChange:
    subject, progress = subject_of(draft), progress_of(draft)
    progress.stage, progress.closed_at = ComplaintStage.REFUSED, ctx.now
    progress.refusal_reasons = list(refusal.reasons)
    progress.published = "不予受理：" + "；".join(refusal.reasons)
    return ComplaintChange(
        kind="complaint.refused",
        summary="不予受理",
        actor=refusal.actor,
        reasons=list(refusal.reasons),
        inbox=done(complaint_resource(subject.code), *ALL_ITEMS),
    )


def check_extension(state: ComplaintState, extension: Extension, ctx: Context) -> None:
    check_stage(state, extension.actor, ComplaintStage.INVESTIGATING, "under investigation")
    require(
        progress_of(state).extended_days is None,
        Conflict("an investigation is extended once only", code="complaint.already_extended"),
    )
    most = ctx.policy.complaint_extension_max_days
    if extension.days > most:
        raise RuleViolations.one(
            "complaint.extension_too_long", "days", f"an extension is at most {most} days"
        )


def extend(draft: ComplaintState, extension: Extension) -> ComplaintChange:
    subject, progress = subject_of(draft), progress_of(draft)
    assert progress.investigation_due_at is not None
    progress.extended_days, progress.extension_reason = extension.days, extension.reason
    progress.investigation_due_at += dt.timedelta(days=extension.days)
    progress.investigation_overdue = False
    resource = complaint_resource(subject.code)
    until = progress.investigation_due_at.date().isoformat()
    return ComplaintChange(
        kind="complaint.extended",
        summary=f"延期 {extension.days} 天，{until} 前办结",
        actor=extension.actor,
        reasons=[extension.reason],
        inbox=InboxChanges(
            withdraw=done(resource, INVESTIGATION_OVERDUE_ITEM).withdraw,
            send=[_investigation_item(subject, progress)],
        ),
    )


def check_outcome(state: ComplaintState, outcome: Outcome) -> None:
    check_stage(state, outcome.actor, ComplaintStage.INVESTIGATING, "under investigation")
    if outcome.penalty is not None and not outcome.outcome.founded:
        raise RuleViolations.one(
            "complaint.penalty_unfounded",
            "penalty",
            "a penalty follows a complaint found (partly) true",
        )
    if outcome.penalty is not None and subject_of(state).agency_uscc is None:
        raise RuleViolations.one(
            "complaint.penalty_unregistered",
            "penalty",
            "the agency is not on the register: record its penalty where it is",
        )


def _penalty_event(subject: ComplaintSubject, penalty: Penalty, ctx: Context) -> CreditEvent:
    """As the credit work records a penalty (`recorded_source`): recorded there again under
    the same decision number, it counts once."""
    assert subject.agency_uscc is not None
    kind = (
        RecordedKind.ADMINISTRATIVE_PENALTY_SERIOUS
        if penalty.serious
        else (RecordedKind.ADMINISTRATIVE_PENALTY)
    )
    deductions = ctx.policy.credit_deductions
    points = (
        deductions.administrative_penalty_serious
        if penalty.serious
        else deductions.administrative_penalty
    )
    return credit_event(
        subject.agency_uscc,
        f"{agency_resource(subject.agency_uscc)}#credit.{kind.value}.{penalty.decision_number}",
        kind.value,
        ctx.now,
        {"reference": penalty.decision_number, "complaint": subject.code},
        points=points,
    )


def decide(draft: ComplaintState, outcome: Outcome, ctx: Context) -> ComplaintChange:
    subject, progress = subject_of(draft), progress_of(draft)
    progress.stage, progress.closed_at = ComplaintStage.DECIDED, ctx.now
    progress.outcome, progress.findings = outcome.outcome, outcome.findings
    progress.published, progress.fine_yuan = outcome.published, outcome.fine_yuan
    founded = outcome.outcome.founded
    events = []
    inbox = done(complaint_resource(subject.code), *ALL_ITEMS)
    if founded:
        progress.reward = reward_for(outcome.fine_yuan or Decimal(0), ctx.policy.reward_rules())
        progress.reward_holder = first_reporter([own_report(draft), *progress.merged]).code
        if changes.COMPLAINT_REWARD_PAID in ctx.changes:
            inbox.send.append(_reward_item(subject, progress))
        if subject.agency_uscc is not None:
            events.append(
                credit_event(
                    subject.agency_uscc,
                    f"{complaint_resource(subject.code)}#credit",
                    "complaint_found_true",
                    ctx.now,
                    {"reference": subject.code},
                    points=ctx.policy.credit_deductions.complaint_found_true,
                )
            )
            if outcome.penalty is not None:
                events.append(_penalty_event(subject, outcome.penalty, ctx))
    return ComplaintChange(
        kind="complaint.decided",
        summary=f"办结：{outcome.outcome.label}",
        actor=outcome.actor,
        reasons=[outcome.findings],
        inbox=inbox,
        credit_events=events,
    )


# ---------------------------------------------------------------------- reward


def _reward_item(subject: ComplaintSubject, progress: ComplaintProgress) -> InboxMessage:
    assert progress.reward is not None
    return message(
        complaint_resource(subject.code),
        REWARD_ITEM,
        handler_of(subject),
        _title(subject, f"举报奖励 {progress.reward.reward_yuan} 元待兑付"),
    )


# ---------------------------------------------------------------------- time


def _reminders_due(state: ComplaintState, ctx: Context) -> list[dt.datetime]:
    progress = state.progress
    if progress is None or progress.accepted_at is None:
        return []
    return [progress.accepted_at + offset for offset in ctx.policy.complaint_reminders]


def next_due(state: ComplaintState, ctx: Context) -> dt.datetime | None:
    """The next moment time changes something, while the complaint is open."""
    progress = state.progress
    if progress is None or not progress.open:
        return None
    if progress.stage is ComplaintStage.FILED:
        return None if progress.acceptance_overdue else progress.acceptance_due_at
    moments = _reminders_due(state, ctx)[progress.reminders_sent :]
    if not progress.investigation_overdue and progress.investigation_due_at is not None:
        moments.append(progress.investigation_due_at)
    return min(moments, default=None)


def due_change(draft: ComplaintState, ctx: Context) -> ComplaintChange | None:
    """The first thing time has made due, applied to the draft."""
    due = next_due(draft, ctx)
    if due is None or due > ctx.now:
        return None
    subject, progress = subject_of(draft), progress_of(draft)
    resource = complaint_resource(subject.code)
    if progress.stage is ComplaintStage.FILED:
        progress.acceptance_overdue = True
        return ComplaintChange(
            kind="complaint.acceptance_overdue",
            summary="逾期未受理，已报市应急管理局",
            inbox=tell(
                resource,
                ACCEPTANCE_OVERDUE_ITEM,
                Addressee.city(),
                _title(subject, "举报逾期未受理"),
            ),
        )
    reminders = _reminders_due(draft, ctx)
    if progress.reminders_sent < len(reminders) and reminders[progress.reminders_sent] <= ctx.now:
        progress.reminders_sent += 1
        assert progress.investigation_due_at is not None
        left = (progress.investigation_due_at - ctx.now).days
        return ComplaintChange(
            kind="complaint.reminded",
            summary=f"提醒：距办结期限还有 {left} 天",
            inbox=tell(
                resource,
                REMINDER_ITEM,
                handler_of(subject),
                _title(subject, f"举报调查还有 {left} 天到期"),
                progress.investigation_due_at,
            ),
        )
    progress.investigation_overdue = True
    return ComplaintChange(
        kind="complaint.investigation_overdue",
        summary="调查逾期未办结，已报市应急管理局",
        inbox=tell(
            resource,
            INVESTIGATION_OVERDUE_ITEM,
            Addressee.city(),
            _title(subject, "举报调查逾期未办结"),
        ),
    )
