"""The quarterly full-coverage inspection (全覆盖检查, R7, R14): every agency active in a
county is inspected each quarter, on a checklist of its internals (R7) and of what R14
forbids, with the decisions the findings call for."""

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, Field

from .bounded import Day
from .calendar import CHINA_TZ
from .credit import RecordedKind
from .errors import Violation
from .labels import LabelledEnum

QUARTER = re.compile(r"^([0-9]{4})Q([1-4])$")
r"""``2026Q4``, in ASCII digits only (``\d`` would take any script's digits)."""
FIRST_QUARTER = "2024Q1"
"""The reform's first quarter (Lishui's 2024 document): no campaign is opened before it."""

Findings = Annotated[str, Field(min_length=1, max_length=4000)]
Requirements = Annotated[str, Field(min_length=1, max_length=2000)]


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.datetime, dt.datetime]:
    """``2026Q4`` → its first moment and the first moment after it, in China time."""
    found = QUARTER.fullmatch(quarter)
    if found is None:
        raise ValueError(f"{quarter!r} is not a quarter: write 2026Q1 … 2026Q4")
    year, number = int(found[1]), int(found[2])
    start = dt.datetime(year, 3 * number - 2, 1, tzinfo=CHINA_TZ)
    end = (
        dt.datetime(year + 1, 1, 1, tzinfo=CHINA_TZ)
        if number == 4
        else dt.datetime(year, 3 * number + 1, 1, tzinfo=CHINA_TZ)
    )
    return start, end


def next_quarter(quarter: str) -> str:
    _, end = quarter_bounds(quarter)
    return quarter_of(end.date())


def previous_quarter(quarter: str) -> str:
    start, _ = quarter_bounds(quarter)
    return quarter_of(start.date() - dt.timedelta(days=1))


class ChecklistItem(LabelledEnum):
    """What an inspection looks at: the agency's internals (R7), then what R14 forbids."""

    MANAGEMENT_RULES = ("management_rules", "内部管理制度")
    SERVICE_PROCEDURES = ("service_procedures", "服务程序")
    ARCHIVES = ("archives", "档案管理")
    QUALITY_CONTROL = ("quality_control", "质量控制体系")
    STAFF_FILES = ("staff_files", "从业人员档案")
    REPORTS = ("reports", "服务报告抽查")
    TRAINING = ("training", "培训未走过场")
    NO_AFFILIATION = ("no_affiliation", "无挂靠")
    NO_SUBCONTRACTING = ("no_subcontracting", "无转包")
    NO_FALSE_REPORTS = ("no_false_reports", "无虚假或严重失实报告")


class Checklist(BaseModel):
    """Each item: true when it conforms. Every item must be answered."""

    management_rules: bool
    service_procedures: bool
    archives: bool
    quality_control: bool
    staff_files: bool
    reports: bool
    training: bool
    no_affiliation: bool
    no_subcontracting: bool
    no_false_reports: bool

    def failed(self) -> list[ChecklistItem]:
        return [item for item in ChecklistItem if not getattr(self, item.value)]


VETO_EVIDENCE: dict[RecordedKind, ChecklistItem] = {
    RecordedKind.AFFILIATION: ChecklistItem.NO_AFFILIATION,
    RecordedKind.SUBCONTRACTING: ChecklistItem.NO_SUBCONTRACTING,
    RecordedKind.FALSE_REPORT: ChecklistItem.NO_FALSE_REPORTS,
}
"""A veto (一票否决) rests on the checklist item it names having failed."""


class InterviewDecision(LabelledEnum):
    WARNING = ("warning", "警示")
    INTERVIEW = ("interview", "约谈")


class RectificationOrder(BaseModel):
    """整改通知: what to put right, by when; a re-check follows."""

    deadline: Day
    requirements: Requirements


class InspectionDecisions(BaseModel):
    rectification: RectificationOrder | None = None
    interview: InterviewDecision | None = None
    credit: Annotated[list[RecordedKind], Field(max_length=len(RecordedKind))] = []
    """Credit events recorded against the agency; a veto kind refers it to the city for the
    seriously-untrustworthy list."""


class InspectionResult(BaseModel):
    """What the inspectors recorded, as the workflow keeps it: no people's names."""

    inspected_on: Day
    checklist: Checklist
    findings: Findings
    decisions: InspectionDecisions = InspectionDecisions()
    inspected_by: str
    recorded_at: dt.datetime
    late: bool = False
    """Recorded after the quarter's end."""


class RecheckResult(BaseModel):
    rechecked_on: dt.date
    conforming: bool
    notes: str
    rechecked_by: str


class Rectification(BaseModel):
    """An ordered rectification and its re-checks, until one finds it put right."""

    order: RectificationOrder
    due_at: dt.datetime
    """The end of the deadline's day, China time."""
    rechecks: list[RecheckResult] = []
    closed: bool = False
    overdue: bool = False


class InspectionTask(BaseModel):
    """One agency's inspection in one county's quarter."""

    agency_uscc: str
    agency_name: str
    out_of_town: bool
    planned: bool = True
    """Listed when the quarter began; false: inspected though not listed (admitted since)."""
    result: InspectionResult | None = None
    rectification: Rectification | None = None
    overdue: bool = False
    """Not inspected by the quarter's end: the city was told."""


class InspectionTarget(BaseModel):
    """An agency to inspect, as the campaign needs it."""

    agency_uscc: str
    agency_name: str
    out_of_town: bool


class Campaign(BaseModel):
    county_code: str
    quarter: str
    opened_at: dt.datetime
    ends_at: dt.datetime
    """The quarter's end: the inspections' due date."""
    closes_at: dt.datetime
    """The next quarter's end: late inspections are taken until then."""


def decision_violations(
    checklist: Checklist,
    decisions: InspectionDecisions,
    inspected_on: dt.date,
    quarter_start: dt.date,
    today: dt.date,
) -> list[Violation]:
    """What makes an inspection's record inconsistent, each naming its field."""
    problems: list[Violation] = []
    failed = checklist.failed()
    if inspected_on > today:
        problems.append(
            Violation(
                code="inspection.future",
                field="inspected_on",
                message="an inspection is recorded once it has taken place",
            )
        )
    if inspected_on < quarter_start:
        problems.append(
            Violation(
                code="inspection.before_quarter",
                field="inspected_on",
                message=f"the quarter began on {quarter_start.isoformat()}",
            )
        )
    order = decisions.rectification
    if order is not None and not failed:
        problems.append(
            Violation(
                code="inspection.nothing_to_rectify",
                field="decisions.rectification",
                message="every checklist item conforms: there is nothing to rectify",
            )
        )
    if order is not None and order.deadline <= max(inspected_on, today):
        problems.append(
            Violation(
                code="inspection.deadline_passed",
                field="decisions.rectification.deadline",
                message="a rectification deadline lies after the inspection and after today",
            )
        )
    if len(set(decisions.credit)) != len(decisions.credit):
        problems.append(
            Violation(
                code="inspection.credit_repeated",
                field="decisions.credit",
                message="each kind of credit event once per inspection",
            )
        )
    for i, kind in enumerate(decisions.credit):
        item = VETO_EVIDENCE.get(kind)
        if item is not None and item not in failed:
            problems.append(
                Violation(
                    code="inspection.veto_unfounded",
                    field=f"decisions.credit.{i}",
                    message=f"{kind.label} needs the checklist item {item.value} "
                    f"({item.label}) found not to conform",
                )
            )
    return problems
