"""A service project's facts: the enterprise served, the contract (R3), the team, the visits."""

import datetime as dt
import hashlib
from typing import Annotated

from pydantic import BaseModel, Field

from .bounded import Day, Label
from .hazard import HazardReport, Reinspection
from .industries import Industry
from .labels import LabelledEnum
from .reform import GuidelineCode
from .regions import CountyCode
from .service_types import ServiceType
from .uscc import Uscc

Text = Annotated[str, Field(max_length=2000)]
ShortText = Annotated[str, Field(max_length=300)]


class Enterprise(BaseModel):
    """The served enterprise (委托单位)."""

    uscc: Uscc
    name: Annotated[str, Field(min_length=2, max_length=200)]
    address: Annotated[str, Field(min_length=1, max_length=500)]
    county_code: CountyCode
    """The county whose regulator receives the practice notification (R2)."""
    industry: Industry


class ContractParty(BaseModel):
    name: ShortText | None = None
    address: ShortText | None = None


class Contract(BaseModel):
    """The written contract (书面合同, R3).

    Every R3 item may arrive missing or blank: the rules, not the parser, say which are
    missing, so the agency hears of all of them at once with one stable code.
    """

    number: Annotated[str, Field(min_length=1, max_length=64)]
    signed_on: Day
    client: ContractParty = ContractParty()
    """委托方: the enterprise, with its address."""
    agency: ContractParty = ContractParty()
    """受托方: the agency, with its address."""
    content: Text | None = None
    method: Text | None = None
    frequency: Text | None = None
    requirements: Text | None = None
    term_start: Day | None = None
    term_end: Day | None = None
    place: Text | None = None
    manner: Text | None = None
    acceptance_standard: Text | None = None
    acceptance_method: Text | None = None
    fee_yuan: Annotated[float, Field(ge=0, le=100_000_000)] | None = None
    payment_method: Text | None = None
    breach_liability: Text | None = None


class ProjectRequest(BaseModel):
    """What the agency submits to start a project."""

    enterprise: Enterprise
    service_type: ServiceType
    contract: Contract
    team: Annotated[list[Label], Field(min_length=1, max_length=50)]
    """Professional ids (``p1``…) of the agency's people on this project."""
    guideline: GuidelineCode | None = None
    """The report guideline (报告导则) the report follows, by its code: one the enterprise's
    county adopted for the service type, when it has adopted any (R1); a spot check judges
    the report against it."""


class VisitActivity(LabelledEnum):
    INSPECTION = ("inspection", "全面检查（隐患排查）")
    RE_INSPECTION = ("re_inspection", "复查")
    TRAINING = ("training", "安全培训")
    EMERGENCY_DRILL = ("emergency_drill", "应急演练")
    SYSTEM_BUILDING = ("system_building", "安全管理体系建设")


class VisitBase(BaseModel):
    visited_on: Day
    present: Annotated[list[Label], Field(min_length=1, max_length=50)]
    """Professional ids of the team members on site."""
    activities: Annotated[list[VisitActivity], Field(min_length=1, max_length=len(VisitActivity))]
    notes: Text = ""
    late_reason: Text = ""
    """Why a visit is recorded more than the policy's days after it took place."""


class VisitReport(VisitBase):
    """A service visit as the agency reports it, with what it found and re-inspected."""

    hazards: Annotated[list[HazardReport], Field(max_length=200)] = []
    reinspections: Annotated[list[Reinspection], Field(max_length=200)] = []


class Visit(VisitBase):
    visit_id: str
    """``v1``, ``v2``…: what hazards found on this visit point at."""
    recorded_at: dt.datetime
    hazard_ids: list[str] = []
    """The hazards found on this visit."""
    reinspected: list[str] = []
    """The hazards re-inspected on this visit."""


class StaffEntry(BaseModel):
    """A team member as the practice notification lists them: name and titles."""

    professional_id: str
    name: str
    titles: list[str]


class PracticeNotification(BaseModel):
    """执业告知: what the county regulator where the enterprise is must be told (R2, R6)."""

    agency_uscc: str
    agency_name: str
    agency_out_of_town: bool
    agency_local_office: str | None
    enterprise: Enterprise
    service_type: ServiceType
    content: str
    term_start: dt.date | None
    term_end: dt.date | None
    staff: list[StaffEntry]
    revision: int = 1
    """1 for the first filing, then one more for each refiling after a return."""


def project_id(agency_uscc: str, contract_number: str) -> str:
    """The project's id: the agency and a digest of its contract number.

    Contract numbers carry brackets, Chinese characters and slashes (丽安咨〔2026〕12号);
    the digest keeps ids short and safe in URLs while one contract still means one project.
    """
    digest = hashlib.sha256(contract_number.strip().encode()).hexdigest()[:12]
    return f"{agency_uscc}-{digest}"


class ProjectStage(LabelledEnum):
    FILING = ("filing", "执业告知")
    PLANNING = ("planning", "服务方案")
    IN_SERVICE = ("in_service", "服务实施")
    REPORTING = ("reporting", "报告上传")
    SPOT_CHECK = ("spot_check", "报告抽查期")
    CLOSED = ("closed", "已归档")


class FilingStatus(LabelledEnum):
    PENDING = ("pending", "待确认")
    RETURNED = ("returned", "退回补正")
    ACKNOWLEDGED = ("acknowledged", "已确认")


class ServicePlan(BaseModel):
    """服务方案, submitted before the first visit."""

    summary: Annotated[str, Field(min_length=1, max_length=20000)]
    submitted_at: dt.datetime | None = None


class StoredFile(BaseModel):
    """A file kept by the API under its content hash; only this crosses Temporal."""

    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    size: int
    filename: str
    content_type: str


class SubmittedReport(BaseModel):
    """The uploaded service report; its upload time is what counts for the 30-day rule."""

    file: StoredFile
    uploaded_at: dt.datetime
    days_late: int = 0
    receipt_number: str | None = None
    """From the provincial platform (工业企业安全在线); None while the hand-off is pending."""
    received_at: dt.datetime | None = None

    @property
    def awaiting_receipt(self) -> bool:
        return self.receipt_number is None


class SpotCheckVerdict(LabelledEnum):
    PASS = ("pass", "合格")
    FAIL = ("fail", "不合格")


class FailureReason(LabelledEnum):
    SERIOUSLY_INACCURATE = ("seriously_inaccurate", "严重失实")
    FALSE = ("false", "虚假报告")
    PAPERWORK_ONLY = ("paperwork_only", "单独做安全台账")


class SpotCheck(BaseModel):
    opened_by_user_id: int
    opened_by: str
    opened_at: dt.datetime
    verdict: SpotCheckVerdict | None = None
    reasons: list[FailureReason] = []
    notes: str = ""
    decided_by: str | None = None
    decided_at: dt.datetime | None = None


class ProjectProgress(BaseModel):
    """Where a project stands: small, and recorded whole with every step it takes.

    The contract, the notification, the plan and the visits are recorded only by the
    steps that change them, so a step's record is bounded by the step, never by the
    project's age.
    """

    stage: ProjectStage
    updated_at: dt.datetime
    filing_status: FilingStatus = FilingStatus.PENDING
    filing_due_at: dt.datetime | None = None
    filing_escalated: bool = False
    filing_return_reasons: list[str] = []
    plan_submitted_at: dt.datetime | None = None
    service_ended_on: dt.date | None = None
    report_due_at: dt.datetime | None = None
    overdue: bool = False
    report_late_settled: bool = False
    """The late report's one credit event is written: at its upload, or once it is the
    policy's serious lateness past its deadline and still missing."""
    report: SubmittedReport | None = None
    report_refused: str | None = None
    """Why the provincial platform refused the last upload, until the next one."""
    handoff_failing: bool = False
    """The platform has not taken the report for longer than the policy allows."""
    spot_check_window_ends_at: dt.datetime | None = None
    spot_check: SpotCheck | None = None
    closed_at: dt.datetime | None = None

    @property
    def report_overdue(self) -> bool:
        """Past the report's deadline with no report uploaded: what the overdue filter and
        counts show. ``overdue`` stays true once the deadline has passed; a report uploaded
        late carries its lateness in ``days_late`` and the agency's credit."""
        return self.overdue and self.report is None


class ProjectHead(ProjectProgress):
    """A project as lists show it: its contract and where it stands."""

    project_id: str
    agency_uscc: str
    agency_name: str
    request: ProjectRequest
    created_at: dt.datetime

    @property
    def county_code(self) -> str:
        return self.request.enterprise.county_code

    @property
    def enterprise_uscc(self) -> str:
        return self.request.enterprise.uscc


class ProjectSnapshot(ProjectHead):
    """One project as the read model shows it: everything recorded of it."""

    notification: PracticeNotification
    plan: ServicePlan | None = None
    visits: list[Visit] = []


class CreditEvent(BaseModel):
    """Something that moves an agency's credit score (R8); the credit issue scores them."""

    agency_uscc: str
    source: str
    """What caused it, e.g. ``projects/<id>#12``: one event per source, however often sent."""
    kind: str
    """``report.late``, ``major_hazard.reported_late``, ``spot_check.failed``…"""
    occurred_at: dt.datetime
    points: int | None = None
    """The deduction the policy sets for it; None where the step that wrote it cannot
    settle them (a failed spot check's points are the regulator's to choose)."""
    clause: str | None = None
    """The policy setting it applies, e.g. ``credit_deductions.administrative_penalty``."""
    recorded_by: str | None = None
    """The regulator who recorded it; None when a workflow's step wrote it."""
    revoked_at: dt.datetime | None = None
    """When an objection to it was upheld (撤销): from then on it counts for nothing."""
    details: dict[str, str | int | list[str]] = {}
