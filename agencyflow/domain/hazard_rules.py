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


def hazard_violations(report: HazardReport, field: str, found_on: dt.date) -> list[Violation]:
    """Everything a hazard record lacks, each named by its field under ``field``."""
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
    return violations


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA_TZ)


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


def count(records: list[HazardRecord], now: dt.datetime) -> HazardCounts:
    found = len(records)
    rectified = sum(1 for r in records if not r.is_open)
    return HazardCounts(
        found=found,
        rectified=rectified,
        open=found - rectified,
        overdue=sum(1 for r in records if is_overdue(r, now)),
        long_unrectified=sum(1 for r in records if r.is_open and r.long_unrectified),
        major=sum(1 for r in records if r.report.level is HazardLevel.MAJOR),
        rectification_rate=round(rectified / found, 4) if found else 1.0,
    )
