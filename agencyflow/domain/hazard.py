"""Hazards (隐患, R5): what a visit finds, how it is rectified, and the ledger that only grows."""

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from .bounded import Day, FileId, Moment
from .labels import LabelledEnum, clipped

Text = Annotated[str, Field(max_length=4000)]


class HazardKind(LabelledEnum):
    MANAGEMENT = ("management", "管理类")
    ON_SITE = ("on_site", "现场类")


class HazardCategory(LabelledEnum):
    DUST_EXPLOSION = ("dust_explosion", "粉尘涉爆")
    AMMONIA_REFRIGERATION = ("ammonia_refrigeration", "涉氨制冷")
    CONFINED_SPACE = ("confined_space", "有限空间作业")
    HAZARDOUS_CHEMICALS = ("hazardous_chemicals", "危险化学品")
    ELECTRICAL = ("electrical", "电气安全")
    FIRE = ("fire", "消防安全")
    SPECIAL_EQUIPMENT = ("special_equipment", "特种设备")
    MACHINERY = ("machinery", "机械防护")
    HOT_WORK = ("hot_work", "动火作业")
    WORK_AT_HEIGHT = ("work_at_height", "高处作业")
    SAFETY_MANAGEMENT = ("safety_management", "安全管理制度")
    TRAINING = ("training", "教育培训")
    EMERGENCY = ("emergency", "应急管理")
    OTHER = ("other", "其他")


class HazardLevel(LabelledEnum):
    GENERAL = ("general", "一般隐患")
    MAJOR = ("major", "重大事故隐患")


class HazardStatus(LabelledEnum):
    OPEN = ("open", "待整改")
    EVIDENCE_SUBMITTED = ("evidence_submitted", "整改待复查")
    CLOSED = ("closed", "已整改销号")


class TreatmentPlan(BaseModel):
    """A major hazard's treatment plan (治理方案); every item is required, checked by the rules."""

    goal: Text | None = None
    measures: Text | None = None
    funds_yuan: Annotated[float, Field(ge=0, le=1_000_000_000)] | None = None
    responsible_people: Text | None = None
    time_limit: Day | None = None
    safety_measures: Text | None = None
    """Safety and emergency measures during treatment (安全措施和应急预案)."""


class HazardReport(BaseModel):
    """A hazard as the agency records it on a visit."""

    location: Text | None = None
    description: Text | None = None
    kind: HazardKind
    category: HazardCategory
    level: HazardLevel
    discovered_at: Moment | None = None
    """When it was found on site (发现时间), with its offset. A major hazard needs it: the
    agency reports one within the policy's hours of finding it (the 2-hour rule)."""
    responsible_person: Text | None = None
    """The enterprise's person responsible for the rectification."""
    rectification_deadline: Day | None = None
    photos: Annotated[list[FileId], Field(max_length=20)] = []
    suggestion: Text | None = None
    """An actionable rectification suggestion (R5)."""
    example_photos: Annotated[list[FileId], Field(max_length=20)] = []
    """Pictures of a correct fix."""
    treatment_plan: TreatmentPlan | None = None


class ReinspectionOutcome(LabelledEnum):
    RECTIFIED = ("rectified", "已整改")
    NOT_RECTIFIED = ("not_rectified", "未整改")


class Reinspection(BaseModel):
    """A re-inspection on a visit: its outcome is appended to the hazard (R5)."""

    hazard_id: Annotated[str, Field(min_length=1, max_length=64)]
    outcome: ReinspectionOutcome
    after_photos: Annotated[list[FileId], Field(max_length=20)] = []
    notes: Text = ""


class RectificationEvidence(BaseModel):
    after_photos: Annotated[list[FileId], Field(min_length=1, max_length=20)]
    description: Annotated[str, Field(min_length=1, max_length=4000)]
    rectified_on: Day


class Correction(BaseModel):
    """Corrects facts of an entry; the entry itself stays as it was."""

    corrects_seq: Annotated[int, Field(ge=1, le=1_000_000)]
    location: Text | None = None
    description: Text | None = None
    category: HazardCategory | None = None
    responsible_person: Text | None = None
    rectification_deadline: Day | None = None
    suggestion: Text | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)]

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude={"corrects_seq", "reason"}, exclude_none=True)


class MajorHazardState(BaseModel):
    reported_after: dt.timedelta | None = None
    """From its discovery on site to its report here; None for a hazard recorded before
    the discovery time was asked for."""
    reported_late: bool = False
    """Reported later than the policy allows (``major_hazard_report_within``)."""
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    escalated: bool = False
    supervised_deadline: dt.date | None = None
    """挂牌督办: a deadline the regulator sets and supervises."""
    verification_reasons: list[str] = []


class HazardEntry(BaseModel):
    """One line of the ledger (隐患台账): appended, never changed."""

    hazard_id: str
    seq: int
    at: dt.datetime
    kind: str
    """``found``, ``evidence``, ``reinspection``, ``correction``, ``overdue``…"""
    summary: Annotated[str, clipped(2000)]
    actor: str
    actor_user_id: int | None = None
    data: dict[str, Any] = {}
    corrects_seq: int | None = None


class HazardProgress(BaseModel):
    """Where a hazard stands: small, and recorded whole with every step of it."""

    status: HazardStatus = HazardStatus.OPEN
    deadline: dt.datetime | None
    """The end of the rectification deadline's day, China time."""
    overdue: bool = False
    long_unrectified: bool = False
    open_at_visits: int = 0
    """Visits after the one that found it at which it was still open."""
    last_visit_noted: int = 0
    """The number of the project's latest visit this hazard has taken into account."""
    evidence: RectificationEvidence | None = None
    closed_at: dt.datetime | None = None
    major: MajorHazardState | None = None
    seq: int = 0
    """The latest ledger entry's sequence number."""

    @property
    def is_open(self) -> bool:
        return self.status is not HazardStatus.CLOSED


class HazardRecord(HazardProgress):
    """A hazard as it stands: where it was found, its report (corrections applied), progress."""

    hazard_id: str
    project_id: str
    visit_id: str
    agency_uscc: str
    enterprise_uscc: str
    enterprise_name: str
    county_code: str
    report: HazardReport
    found_at: dt.datetime

    def progress(self) -> HazardProgress:
        return HazardProgress(**{name: getattr(self, name) for name in HazardProgress.model_fields})
