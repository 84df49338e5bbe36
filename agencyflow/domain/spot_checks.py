"""A report's spot check (抽查, R10, R14) as a thing of its own: drawn by the half-year's
sample (or named by a regulator), examined, and decided, whether or not its project is
still open."""

import datetime as dt

from pydantic import BaseModel

from .errors import Violation
from .labels import LabelledEnum
from .project import FailureReason, ProjectHead, SpotCheckVerdict
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


def subject_of_project(
    head: ProjectHead, origin: SpotCheckOrigin, due_at: dt.datetime, period: str | None = None
) -> SpotCheckSubject:
    """The report of a project, as its spot check names it."""
    return SpotCheckSubject(
        project_id=head.project_id,
        agency_uscc=head.agency_uscc,
        agency_name=head.agency_name,
        enterprise_name=head.request.enterprise.name,
        county_code=head.county_code,
        service_type=head.request.service_type,
        team=list(head.request.team),
        origin=origin,
        period=period,
        due_at=due_at,
        guideline=head.request.guideline,
    )


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
    rectify_by: dt.date | None = None
    """A failed report the agency must correct by then (责令整改); a regulator confirms it."""
    rectification_due_at: dt.datetime | None = None
    rectified_at: dt.datetime | None = None
    rectification_overdue: bool = False
    referred: bool = False
    """A false report referred as a veto (一票否决) to the city's seriously-untrustworthy list."""

    @property
    def rectifying(self) -> bool:
        return self.rectify_by is not None and self.rectified_at is None


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


def wrong_follow_up(
    verdict: SpotCheckVerdict,
    reasons: list[FailureReason],
    rectify_by: dt.date | None,
    refer: bool,
    today: dt.date,
) -> list[Violation]:
    """A rectification or a referral follows a failure only; a referral (a veto) rests on a
    false report; a rectification's deadline lies ahead."""
    problems = []
    failed = verdict is SpotCheckVerdict.FAIL
    if rectify_by is not None and (not failed or rectify_by <= today):
        problems.append(
            Violation(
                code="spot_check.rectification",
                field="rectify_by",
                message="a failed report is corrected by a date after today",
            )
        )
    if refer and (not failed or FailureReason.FALSE not in reasons):
        problems.append(
            Violation(
                code="spot_check.referral_unfounded",
                field="refer",
                message="only a report found false (false) is referred as a veto",
            )
        )
    return problems


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
