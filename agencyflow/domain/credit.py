"""An agency's credit (信用评定, R8) as pure rules: which events count, the score, the grade.

Events only ever append (`CreditEvent`); what changes with time is which of them still
count: an event counts from when it occurred for the policy's window of months, then stops
counting by itself. The score is the initial score less what the counted events deduct;
the grade follows from the score by the policy's thresholds.
"""

import datetime as dt
import math
from calendar import monthrange

from pydantic import BaseModel, ConfigDict

from .labels import LabelledEnum
from .project import CreditEvent


class CreditGrade(LabelledEnum):
    A = ("A", "A 级（守信）")
    B = ("B", "B 级（基本守信）")
    C = ("C", "C 级（失信）")
    D = ("D", "D 级（严重失信）")

    @property
    def needs_close_supervision(self) -> bool:
        """C and D agencies are supervised closely (重点监管)."""
        return self in (CreditGrade.C, CreditGrade.D)


class RecordedKind(LabelledEnum):
    """What a regulator records against an agency; each deducts its policy setting of the
    same name under ``credit_deductions``."""

    SERVICE_WITHOUT_FILING = ("service_without_filing", "未履行执业告知即开展服务")
    COMPLAINT_FOUND_TRUE = ("complaint_found_true", "投诉举报查实")
    MAJOR_HAZARD_MISSED = ("major_hazard_missed", "漏查重大事故隐患")
    WORK_BEYOND_SCOPE = ("work_beyond_scope", "超出能力或资质范围执业")
    ADMINISTRATIVE_PENALTY = ("administrative_penalty", "行政处罚")
    ADMINISTRATIVE_PENALTY_SERIOUS = ("administrative_penalty_serious", "行政处罚（情节严重）")
    FALSE_REPORT = ("false_report", "出具虚假报告（一票否决）")
    AFFILIATION = ("affiliation", "挂靠（一票否决）")
    SUBCONTRACTING = ("subcontracting", "转包（一票否决）")

    @property
    def is_veto(self) -> bool:
        """One-vote veto (一票否决): grade D at once, whatever the score, and a referral to
        the seriously-untrustworthy list."""
        return self in _VETOES


_VETOES = frozenset(
    {RecordedKind.FALSE_REPORT, RecordedKind.AFFILIATION, RecordedKind.SUBCONTRACTING}
)
VETO_KINDS = frozenset(kind.value for kind in _VETOES)


class CreditRules(BaseModel):
    """The policy numbers credit depends on; a slice of `Policy`."""

    model_config = ConfigDict(frozen=True)

    initial_score: int
    grade_a_min: int
    grade_b_min: int
    grade_c_min: int
    window_months: int
    """How long an event counts, from when it occurred."""
    late_report: int
    late_report_serious: int
    late_report_serious_days: int
    """A late report's event written before its points were settled counts by its days."""
    spot_check_failed_min: int
    """A failed spot check whose points the regulator has not chosen counts the least."""


class OpenObjection(BaseModel):
    """An objection (异议) to a counted event, awaiting the regulator's answer."""

    source: str
    number: int
    objected_at: dt.datetime
    review_due_at: dt.datetime
    escalated: bool = False
    """Unanswered in the regulator's working days: the city has been told."""


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` later; the month's last day if it is shorter."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def counts_until(event: CreditEvent, rules: CreditRules) -> dt.datetime:
    """The moment the event stops counting."""
    return add_months(event.occurred_at, rules.window_months)


def counts(event: CreditEvent, now: dt.datetime, rules: CreditRules) -> bool:
    revoked = event.revoked_at is not None and event.revoked_at <= now
    return not revoked and event.occurred_at <= now < counts_until(event, rules)


def deduction(event: CreditEvent, rules: CreditRules) -> int:
    """The points the event takes: its own, or, for an event written before its points were
    settled, what the policy says for its kind."""
    if event.points is not None:
        return event.points
    if event.kind == "report.late":
        days = event.details.get("days_late", 0)
        serious = isinstance(days, int) and days >= rules.late_report_serious_days
        return rules.late_report_serious if serious else rules.late_report
    if event.kind == "spot_check.failed":
        return rules.spot_check_failed_min
    return 0


def score(events: list[CreditEvent], now: dt.datetime, rules: CreditRules) -> int:
    """The initial score less every counted deduction. It may fall below zero: the grade is
    D either way, and the number shows how far the agency has to climb."""
    counted = sum(deduction(e, rules) for e in events if counts(e, now, rules))
    return rules.initial_score - counted


def vetoed(events: list[CreditEvent], now: dt.datetime, rules: CreditRules) -> bool:
    """A one-vote veto among the events that count: it holds for the event's window."""
    return any(e.kind in VETO_KINDS and counts(e, now, rules) for e in events)


def standing(
    events: list[CreditEvent], now: dt.datetime, rules: CreditRules, *, listed: bool = False
) -> tuple[int, CreditGrade]:
    """The score, and the grade: D under a one-vote veto or while on the seriously-
    untrustworthy list, else by the score."""
    points = score(events, now, rules)
    worst = listed or vetoed(events, now, rules)
    return points, CreditGrade.D if worst else grade(points, rules)


def grade(points: int, rules: CreditRules) -> CreditGrade:
    if points >= rules.grade_a_min:
        return CreditGrade.A
    if points >= rules.grade_b_min:
        return CreditGrade.B
    if points >= rules.grade_c_min:
        return CreditGrade.C
    return CreditGrade.D


def first_expiry(events: list[CreditEvent], rules: CreditRules) -> dt.datetime | None:
    """When the first of these events stops counting, past or not: a durable timer's moment
    (no scan), and the step then drops every event whose window has ended."""
    return min((counts_until(e, rules) for e in events), default=None)


def procurement_refusals(
    may_practise: bool, standing: CreditGrade, min_grade: CreditGrade, listing: str | None
) -> list[str]:
    """Why the agency may not sell services bought with public money (R11); none: it may.
    ``listing``: the decision that put it on the seriously-untrustworthy list, if it is."""
    reasons = []
    if not may_practise:
        reasons.append("the agency may not practise now (suspended or not admitted)")
    if listing is not None:
        reasons.append(f"it is on the seriously-untrustworthy list ({listing})")
    if standing.value > min_grade.value:  # "D" > "C" > "B" > "A"
        reasons.append(f"its credit grade {standing.value} is below {min_grade.value}")
    return reasons


def serious_days(serious_after: dt.timedelta) -> int:
    """A serious lateness as whole days, as a late report's ``days_late`` counts them."""
    return math.ceil(serious_after / dt.timedelta(days=1))
