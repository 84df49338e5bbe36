"""The county's reform programme (R1, R15): its service-type list with each type's quality
checkpoints and adopted report guidelines, and its dated tasks tracked on the task list,
the responsibility list and the close-out list (任务清单、责任清单、销号清单).

Pure: the plan's tasks and their due dates, and the rules a task's close-out must meet.
"""

import datetime as dt
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from .bounded import AsciiCode, FileId
from .calendar import CHINA_TZ
from .errors import Violation
from .labels import LabelledEnum
from .service_types import ServiceType

REFORM_YEAR_MIN = 2024
"""The implementation plan's year: no programme before it."""
REFORM_YEAR_MAX = 2099

ReformYear = Annotated[int, Field(ge=REFORM_YEAR_MIN, le=REFORM_YEAR_MAX)]
TaskKey = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
GuidelineCode = Annotated[
    str,
    AsciiCode,
    Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/()-]*$"),
]
"""A report guideline's code as published (``DB3311/T 12-2024``): ASCII, one spelling."""
Checkpoint = Annotated[str, Field(min_length=1, max_length=200)]
"""One quality-control checkpoint (质量过程控制点) of a service flow, in a sentence."""
Owner = Annotated[str, Field(min_length=1, max_length=100)]
"""The responsible unit or post (责任单位), as a label: no person's ID number or phone."""

MAX_CHECKPOINTS = 30
MAX_GUIDELINES = 10
MAX_EVIDENCE_FILES = 20


class ReformPrerequisite(LabelledEnum):
    """What a task's close-out needs of the programme besides its evidence."""

    SERVICE_TYPES = ("service_types", "服务类型清单及质量过程控制")
    GUIDELINES = ("guidelines", "报告导则")


class ReformTaskPlan(BaseModel):
    """One dated task of the plan, as policy sets it: the year comes from the programme."""

    model_config = ConfigDict(frozen=True)

    key: TaskKey
    title: Annotated[str, Field(min_length=1, max_length=100)]
    month: Annotated[int, Field(ge=1, le=12)]
    day: Annotated[int, Field(ge=1, le=31)]
    requires: ReformPrerequisite | None = None

    @model_validator(mode="after")
    def _a_real_day(self) -> Self:
        dt.date(2024, self.month, self.day)  # a leap year: 29 February is a day
        return self

    def due_at(self, year: int) -> dt.datetime:
        """The end of the due day, China time (the task may be closed all that day); a 29
        February in a common year falls to the 28th."""
        day = min(self.day, 28) if (self.month, self.day) == (2, 29) and year % 4 else self.day
        return dt.datetime.combine(
            dt.date(year, self.month, day) + dt.timedelta(days=1), dt.time(), CHINA_TZ
        )


DEFAULT_TASKS: tuple[ReformTaskPlan, ...] = (
    ReformTaskPlan(
        key="type_list",
        title="制定社会化服务类型清单和质量过程控制规则",
        month=9,
        day=30,
        requires=ReformPrerequisite.SERVICE_TYPES,
    ),
    ReformTaskPlan(
        key="guideline",
        title="出台至少一项报告导则",
        month=10,
        day=10,
        requires=ReformPrerequisite.GUIDELINES,
    ),
    ReformTaskPlan(key="capability_test", title="组织从业人员能力测试", month=10, day=31),
    ReformTaskPlan(key="verification", title="开展现场核查并形成检查报告", month=11, day=30),
    ReformTaskPlan(key="summary", title="总结评估改革工作", month=12, day=31),
)
"""The 2024 plan's dated tasks (R15)."""


class ReportGuideline(BaseModel):
    code: GuidelineCode
    title: Annotated[str, Field(min_length=1, max_length=200)]


class ServiceTypeEntry(BaseModel):
    """One service type of the county's list: its flow's checkpoints and its guidelines."""

    service_type: ServiceType
    checkpoints: Annotated[list[Checkpoint], Field(max_length=MAX_CHECKPOINTS)] = []
    guidelines: Annotated[list[ReportGuideline], Field(max_length=MAX_GUIDELINES)] = []

    @model_validator(mode="after")
    def _codes_once(self) -> Self:
        codes = [g.code for g in self.guidelines]
        if len(set(codes)) != len(codes):
            raise ValueError("each guideline is adopted once per service type")
        return self


class ServiceTypeList(BaseModel):
    """社会化服务类型清单: each type at most once."""

    types: Annotated[list[ServiceTypeEntry], Field(max_length=len(ServiceType))] = []

    @model_validator(mode="after")
    def _types_once(self) -> Self:
        kinds = [t.service_type for t in self.types]
        if len(set(kinds)) != len(kinds):
            raise ValueError("each service type is listed once")
        return self

    def guideline_codes(self) -> set[str]:
        return {g.code for t in self.types for g in t.guidelines}

    def adopted_for(self, service_type: ServiceType) -> set[str]:
        return {g.code for t in self.types if t.service_type is service_type for g in t.guidelines}


class TaskEvidence(BaseModel):
    files: list[str]
    note: str = ""
    submitted_by: str
    submitted_by_user_id: int
    submitted_at: dt.datetime


class EvidenceRequest(BaseModel):
    """What the county submits to close a task: at least one file, and a note if it likes."""

    files: Annotated[list[FileId], Field(min_length=1, max_length=MAX_EVIDENCE_FILES)]
    note: Annotated[str, Field(max_length=2000)] = ""


class TaskStatus(LabelledEnum):
    OPEN = ("open", "办理中")
    SUBMITTED = ("submitted", "待销号")
    CLOSED = ("closed", "已销号")


class ReformTask(BaseModel):
    """A line of the task list, with its owner (responsibility list) and close-out."""

    key: str
    title: str
    due_at: dt.datetime
    requires: ReformPrerequisite | None = None
    owner: str | None = None
    evidence: TaskEvidence | None = None
    returned: list[str] = []
    """Why the last evidence was sent back, if it was."""
    signed_off_by: str | None = None
    signed_off_at: dt.datetime | None = None
    overdue: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> TaskStatus:
        """Shown in the lists (a reader need not work it out); ignored when read back."""
        if self.signed_off_at is not None:
            return TaskStatus.CLOSED
        return TaskStatus.SUBMITTED if self.evidence is not None else TaskStatus.OPEN


def seeded_tasks(plan: tuple[ReformTaskPlan, ...], year: int) -> list[ReformTask]:
    return [
        ReformTask(key=p.key, title=p.title, due_at=p.due_at(year), requires=p.requires)
        for p in sorted(plan, key=lambda p: (p.month, p.day))
    ]


def unmet(
    requires: ReformPrerequisite | None, types: ServiceTypeList, min_guidelines: int
) -> Violation | None:
    """What the programme still lacks for a task to be closed (R1): a service-type list
    whose every type has its checkpoints; the policy's number of adopted guidelines."""
    if requires is ReformPrerequisite.SERVICE_TYPES:
        if not types.types or any(not t.checkpoints for t in types.types):
            return Violation(
                code="reform.service_types_incomplete",
                field="service_types",
                message="list the service types first, each with its quality-control "
                "checkpoints (PUT …/service-types)",
            )
    if requires is ReformPrerequisite.GUIDELINES:
        adopted = len(types.guideline_codes())
        if adopted < min_guidelines:
            return Violation(
                code="reform.too_few_guidelines",
                field="guidelines",
                message=f"the county has adopted {adopted} report guideline(s); at least "
                f"{min_guidelines} are needed (PUT …/service-types)",
            )
    return None
