"""An agency's credit (信用评定, R8) as its workflow keeps it: each event its projects and
hazards report is taken once, the score and grade are recomputed, and again when an event
stops counting; a change of grade reaches the agency, and its regulator when it falls to C
or D (重点监管)."""

import datetime as dt

from agencyflow.domain.credit import (
    VETO_KINDS,
    CreditGrade,
    CreditRules,
    RecordedKind,
    counts,
    deduction,
    first_expiry,
    grade,
    standing,
)
from agencyflow.domain.errors import Conflict, RuleViolations, Violation
from agencyflow.domain.inbox import Addressee, InboxChanges
from agencyflow.domain.project import CreditEvent
from agencyflow.domain.untrustworthy import Referral, is_listed
from agencyflow.workflows import changes
from agencyflow.workflows.steps import Change, Context, done, message, require, tell

from .application import check_regulator, regulator_of, snapshot_of
from .models import AgencyChange, AgencyState, CreditRecording, agency_resource

GRADE_CHANGED = "credit.grade_changed"
GRADE_DROPPED = "credit.grade_dropped"
UNTRUSTWORTHY_REFERRAL = "credit.untrustworthy_referral"
VETOED = "：一票否决，信用等级直接降为 D 级，移送严重失信名单认定"
"""The city decides whether a vetoed agency goes on the seriously-untrustworthy list."""


def is_new(state: AgencyState, event: CreditEvent, now: dt.datetime, rules: CreditRules) -> bool:
    """Not taken before (a signal sent again), and counting now."""
    known = any(taken.source == event.source for taken in state.credit)
    return not known and counts(event, now, rules)


def take_event(
    draft: AgencyState, event: CreditEvent, rules: CreditRules, ctx: Context
) -> AgencyChange:
    draft.credit.append(event)
    change = AgencyChange(
        kind="credit.event",
        summary=f"信用事件 {event.kind}：扣 {deduction(event, rules)} 分（{event.source}）",
    )
    if event.kind in VETO_KINDS and changes.SIGNALLED_VETO in ctx.changes:
        # A veto found elsewhere (a county's inspection): referred like one recorded here.
        reference = str(event.details.get("reference", event.source))
        kind = next(k for k in RecordedKind if k.value == event.kind)
        change.inbox = refer(draft, event, kind, reference, ctx)
    change.then = rescored(draft, rules, ctx)
    return change


def refer(
    draft: AgencyState, event: CreditEvent, kind: RecordedKind, reference: str, ctx: Context
) -> InboxChanges:
    """A veto's referral to the city for the seriously-untrustworthy list (R8)."""
    snapshot = snapshot_of(draft)
    snapshot.referrals.append(
        Referral(source=event.source, kind=kind.value, reference=reference, referred_at=ctx.now)
    )
    return tell(
        referral_resource(draft.uscc, reference),
        UNTRUSTWORTHY_REFERRAL,
        Addressee.city(),
        f"严重失信名单认定：{snapshot.facts.legal_name}（{kind.label}）",
    )


def referral_resource(uscc: str, reference: str) -> str:
    return f"{agency_resource(uscc)}#veto.{reference}"


def recorded_source(uscc: str, recording: CreditRecording) -> str:
    """One event per kind and reference: the same decision recorded twice is refused."""
    return f"{agency_resource(uscc)}#credit.{recording.kind.value}.{recording.reference}"


def check_recording(state: AgencyState, recording: CreditRecording) -> None:
    check_regulator(state, recording.actor)
    known = set(snapshot_of(state).professional_ids.values())
    unknown = [
        Violation(
            code="agency.unknown_professional",
            field=f"professionals.{i}",
            message=f"the agency lists no professional {pid}",
        )
        for i, pid in enumerate(recording.professionals)
        if pid not in known
    ]
    if unknown:
        raise RuleViolations(unknown)
    source = recorded_source(state.uscc, recording)
    require(
        all(event.source != source for event in state.credit),
        Conflict(
            f"{recording.kind.label} {recording.reference} is recorded already",
            code="credit.already_recorded",
        ),
    )


def record(
    draft: AgencyState, recording: CreditRecording, rules: CreditRules, ctx: Context
) -> AgencyChange:
    kind = recording.kind
    # A veto deducts nothing: it makes the grade D by itself (R8, 一票否决).
    points: int = 0 if kind.is_veto else getattr(ctx.policy.credit_deductions, kind.value)
    event = CreditEvent(
        agency_uscc=draft.uscc,
        source=recorded_source(draft.uscc, recording),
        kind=kind.value,
        occurred_at=ctx.now,
        points=points,
        clause="veto" if kind.is_veto else f"credit_deductions.{kind.value}",
        recorded_by=recording.actor.label,
        details={
            "reference": recording.reference,
            "reason": recording.reason,
            "professionals": list(recording.professionals),
        },
    )
    draft.credit.append(event)
    change = AgencyChange(
        kind="credit.recorded",
        summary=f"{kind.label}（{recording.reference}）"
        + (VETOED if kind.is_veto else f"：扣 {points} 分"),
        actor=recording.actor,
        reasons=[recording.reason],
        credit_events=[event],
    )
    if kind.is_veto:
        change.inbox = refer(draft, event, kind, recording.reference, ctx)
    change.then = rescored(draft, rules, ctx)
    return change


def next_change(
    draft: AgencyState, incoming: list[CreditEvent], rules: CreditRules, ctx: Context
) -> AgencyChange | None:
    """The first signalled event not yet taken (those taken already, or no longer counting,
    are dropped from ``incoming``), else the expiry of events whose window has ended."""
    while incoming:
        if draft.snapshot is not None and is_new(draft, incoming[0], ctx.now, rules):
            return take_event(draft, incoming[0], rules, ctx)
        incoming.pop(0)
    expiry = expiry_due(draft, rules)
    if expiry is not None and ctx.now >= expiry:
        return expire(draft, rules, ctx)
    return None


def expiry_due(state: AgencyState, rules: CreditRules) -> dt.datetime | None:
    return first_expiry(state.credit, rules)


def expire(draft: AgencyState, rules: CreditRules, ctx: Context) -> AgencyChange:
    """Events past the window stop counting; the score rises by what they deducted."""
    ended = [e for e in draft.credit if not counts(e, ctx.now, rules)]
    draft.credit = [e for e in draft.credit if counts(e, ctx.now, rules)]
    kept = {e.source for e in draft.credit}
    draft.objected = [source for source in draft.objected if source in kept]
    points = sum(deduction(e, rules) for e in ended)
    change = AgencyChange(
        kind="credit.event_expired",
        summary=f"{len(ended)} 项信用事件期满不再计分，恢复 {points} 分",
        reasons=[e.source for e in ended],
    )
    change.then = rescored(draft, rules, ctx)
    return change


def rescored(draft: AgencyState, rules: CreditRules, ctx: Context) -> Change | None:
    """The new score on the agency; a change of grade, if any, as a change of its own."""
    snapshot = snapshot_of(draft)
    before = snapshot.credit_grade or grade(rules.initial_score, rules)
    listed = is_listed(snapshot.listing, ctx.now)
    points, after = standing(draft.credit, ctx.now, rules, listed=listed)
    snapshot.credit_score, snapshot.credit_grade = points, after
    if after is before:
        return None
    resource = agency_resource(draft.uscc)
    summary = f"信用等级由 {before.value} 级变为 {after.value} 级（{points} 分）"
    inbox = InboxChanges(
        send=[message(resource, GRADE_CHANGED, Addressee.agency(draft.uscc), summary)]
    )
    if after.needs_close_supervision and _worse(after, before):
        title = f"{snapshot.facts.legal_name} {summary}，列为重点监管"
        inbox.send.append(message(resource, GRADE_DROPPED, regulator_of(snapshot), title))
    elif not after.needs_close_supervision:
        inbox += done(resource, GRADE_DROPPED)
    return Change(kind="credit.grade_changed", summary=summary, inbox=inbox)


def _worse(after: CreditGrade, before: CreditGrade) -> bool:
    return after.value > before.value  # "D" > "C" > "B" > "A"
