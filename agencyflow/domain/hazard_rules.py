"""Rules of hazards (R5) as pure functions: what a record must hold, when it is late, counts."""

import datetime as dt

from pydantic import BaseModel

from .calendar import CHINA_TZ
from .errors import Violation
from .hazard import HazardKind, HazardLevel, HazardRecord, HazardReport, TreatmentPlan

PLAN_ITEMS: tuple[tuple[str, str], ...] = (
    ("goal", "治理目标"),
    ("measures", "治理措施"),
    ("funds_yuan", "治理经费"),
    ("responsible_people", "治理责任人"),
    ("time_limit", "治理时限"),
    ("safety_measures", "安全措施和应急预案"),
)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def hazard_violations(
    report: HazardReport, field: str, found_on: dt.date, now: dt.datetime
) -> list[Violation]:
    """Everything a hazard record lacks, each named by its field under ``field``; the hazard
    was found on the visit of ``found_on`` and is reported at ``now``."""
    violations = []

    def missing(name: str, what: str) -> None:
        violations.append(
            Violation(
                code="hazard.missing_field",
                field=f"{field}.{name}",
                message=f"a hazard record needs {what}",
            )
        )

    for name, what in (
        ("location", "its location"),
        ("description", "its content (a description)"),
        ("responsible_person", "the enterprise's responsible person"),
        ("rectification_deadline", "a rectification deadline"),
    ):
        if _blank(getattr(report, name)):
            missing(name, what)
    if report.kind is HazardKind.ON_SITE:
        if not report.photos:
            missing("photos", "at least one photo of the on-site hazard (R5)")
        if _blank(report.suggestion):
            missing("suggestion", "an actionable rectification suggestion (R5)")
        if not report.example_photos:
            missing("example_photos", "an example picture of a correct fix (R5)")
    if report.level is HazardLevel.MAJOR:
        if report.discovered_at is None:
            missing("discovered_at", "the time the major hazard was found (the 2-hour rule)")
        plan = report.treatment_plan or TreatmentPlan()
        for name, label in PLAN_ITEMS:
            if _blank(getattr(plan, name)):
                missing(f"treatment_plan.{name}", f"a treatment plan with {label}")
    if report.rectification_deadline is not None and report.rectification_deadline < found_on:
        violations.append(
            Violation(
                code="hazard.deadline_in_past",
                field=f"{field}.rectification_deadline",
                message="the rectification deadline comes before the hazard was found",
            )
        )
    if report.discovered_at is not None and not discovered_in_visit(
        report.discovered_at, found_on, now
    ):
        violations.append(
            Violation(
                code="hazard.discovered_at",
                field=f"{field}.discovered_at",
                message="a hazard is found during its visit: on the visit's day (or the night "
                "after, China time) and not later than now",
            )
        )
    return violations


CLOCK_SKEW = dt.timedelta(minutes=5)
"""How far ahead of ours the clock of an inspector's device may run: a discovery time taken
on site a few seconds "in the future" is a clock's error, not a major hazard to refuse."""


def discovered_in_visit(discovered_at: dt.datetime, visited_on: dt.date, now: dt.datetime) -> bool:
    """Found on the visit's day, or the night after for a visit that ran past midnight, and
    not in the future (beyond `CLOCK_SKEW`): a discovery time cannot be moved to dodge the
    2-hour rule."""
    day = discovered_at.astimezone(CHINA_TZ).date()
    in_visit = visited_on <= day <= visited_on + dt.timedelta(days=1)
    return in_visit and discovered_at <= now + CLOCK_SKEW


def report_delay(report: HazardReport, reported_at: dt.datetime) -> dt.timedelta | None:
    """How long after its discovery on site the hazard was reported here, if known."""
    if report.discovered_at is None:
        return None
    return max(reported_at - report.discovered_at, dt.timedelta(0))


def is_overdue(record: HazardRecord, now: dt.datetime) -> bool:
    """Past its deadline without an accepted re-inspection (or verification)."""
    return record.is_open and record.deadline is not None and now >= record.deadline


class HazardCounts(BaseModel):
    found: int
    rectified: int
    open: int
    overdue: int
    long_unrectified: int
    major: int
    rectification_rate: float
    """Rectified over found; 1.0 when nothing was found."""

    @classmethod
    def tallied(
        cls, found: int, rectified: int, overdue: int, long_unrectified: int, major: int
    ) -> "HazardCounts":
        return cls(
            found=found,
            rectified=rectified,
            open=found - rectified,
            overdue=overdue,
            long_unrectified=long_unrectified,
            major=major,
            rectification_rate=round(rectified / found, 4) if found else 1.0,
        )


def count(records: list[HazardRecord], now: dt.datetime) -> HazardCounts:
    return HazardCounts.tallied(
        found=len(records),
        rectified=sum(1 for r in records if not r.is_open),
        overdue=sum(1 for r in records if is_overdue(r, now)),
        long_unrectified=sum(1 for r in records if r.is_open and r.long_unrectified),
        major=sum(1 for r in records if r.report.level is HazardLevel.MAJOR),
    )
