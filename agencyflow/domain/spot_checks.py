"""A report's spot check (抽查, R10, R14) as a thing of its own: drawn by the half-year's
sample (or named by a regulator), examined, and decided, whether or not its project is
still open."""

import datetime as dt

from pydantic import BaseModel

from .errors import Violation
from .labels import LabelledEnum
from .project import FailureReason, SpotCheckVerdict
from .service_types import ServiceType


class SpotCheckOrigin(LabelledEnum):
    SAMPLED = ("sampled", "抽样抽查")
    MANUAL = ("manual", "监管部门指定")


class SpotCheckSubject(BaseModel):
    """The report checked, as the check needs it: no people's names, no ID numbers."""

    project_id: str
    agency_uscc: str
    agency_name: str
    enterprise_name: str
    county_code: str
    service_type: ServiceType
    team: list[str]
    """Professional ids of the team that signed the report: a failure counts against them."""
    origin: SpotCheckOrigin
    period: str | None = None
    """The half year whose sample drew it (``2026H2``)."""
    due_at: dt.datetime
    guideline: str | None = None
    """The report guideline the project named: what the examiner judges the report against."""


class SpotCheckProgress(BaseModel):
    """Where the check stands: recorded whole with every step."""

    opened_at: dt.datetime
    examined_by_user_id: int | None = None
    examined_by: str | None = None
    examined_at: dt.datetime | None = None
    findings: str = ""
    verdict: SpotCheckVerdict | None = None
    reasons: list[FailureReason] = []
    points: int | None = None
    decided_by: str | None = None
    decided_at: dt.datetime | None = None
    overdue: bool = False


def missing_reasons(verdict: SpotCheckVerdict, reasons: list[FailureReason]) -> Violation | None:
    """A failed spot check names why (R14's grounds)."""
    if verdict is not SpotCheckVerdict.FAIL or reasons:
        return None
    return Violation(
        code="spot_check.reasons_required",
        field="reasons",
        message="a failed spot check names why: "
        + "、".join(f"{r.value} ({r.label})" for r in FailureReason),
    )


def wrong_points(
    verdict: SpotCheckVerdict, points: int | None, low: int, high: int
) -> Violation | None:
    """A failed check deducts what the regulator chooses within the policy's range (R8); a
    passed one deducts nothing."""
    failed = verdict is SpotCheckVerdict.FAIL
    if failed and (points is None or not low <= points <= high):
        message = f"a failed spot check deducts between {low} and {high} points: choose"
    elif not failed and points is not None:
        message = "a passed spot check deducts nothing"
    else:
        return None
    return Violation(code="spot_check.points", field="points", message=message)
