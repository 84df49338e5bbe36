"""Rules of a service project as pure functions: contract (R3), team (R2, R4), content (R4)."""

import datetime as dt

from pydantic import BaseModel

from .admission import AdmissionRules, full_time_shortfall, is_specialist_for
from .agency import AgencySnapshot, Professional
from .errors import Violation
from .identity import Role
from .project import (
    Contract,
    FilingStatus,
    PracticeNotification,
    ProjectProgress,
    ProjectRequest,
    ProjectStage,
    StaffEntry,
    VisitActivity,
)
from .service_types import ServiceType

CONTRACT_ITEMS: tuple[tuple[str, str], ...] = (
    ("client.name", "委托方名称"),
    ("client.address", "委托方地址"),
    ("agency.name", "受托方名称"),
    ("agency.address", "受托方地址"),
    ("content", "服务内容"),
    ("method", "服务方式"),
    ("frequency", "服务频次"),
    ("requirements", "服务要求"),
    ("term_start", "履行期限（开始）"),
    ("term_end", "履行期限（结束）"),
    ("place", "履行地点"),
    ("manner", "履行方式"),
    ("acceptance_standard", "验收标准"),
    ("acceptance_method", "验收方法"),
    ("fee_yuan", "费用"),
    ("payment_method", "支付方式"),
    ("breach_liability", "违约责任"),
)
"""Every item R3 requires, as (field path in the contract, its name on a contract)."""

CONSULTING_CONTENT: tuple[VisitActivity, ...] = (
    VisitActivity.SYSTEM_BUILDING,
    VisitActivity.INSPECTION,
    VisitActivity.TRAINING,
    VisitActivity.EMERGENCY_DRILL,
)
"""What safety-management consulting must cover (R4); anything less is paperwork only."""


def _value(contract: Contract, path: str) -> object:
    value: object = contract
    for part in path.split("."):
        value = getattr(value, part)
    return value


def missing_contract_items(contract: Contract) -> list[Violation]:
    """Each R3 item that is absent or blank, as its own violation."""
    violations = []
    for path, label in CONTRACT_ITEMS:
        value = _value(contract, path)
        if value is None or (isinstance(value, str) and not value.strip()):
            violations.append(
                Violation(
                    code="contract.missing_item",
                    field=f"contract.{path}",
                    message=f"the contract must state {label} (R3)",
                )
            )
    if contract.term_start and contract.term_end and contract.term_end < contract.term_start:
        violations.append(
            Violation(
                code="contract.term_inverted",
                field="contract.term_end",
                message="the contract's term ends before it starts",
            )
        )
    return violations


def check_project_request(
    request: ProjectRequest, agency: AgencySnapshot, rules: AdmissionRules, today: dt.date
) -> list[Violation]:
    """Everything wrong with a new project, at once: contract, scope, team, office."""
    violations = missing_contract_items(request.contract)
    if request.service_type not in agency.facts.service_types:
        violations.append(
            Violation(
                code="project.service_type_not_admitted",
                field="service_type",
                message=(
                    f"the agency is not admitted for {request.service_type.label}; it is "
                    "admitted for " + "、".join(s.label for s in agency.facts.service_types)
                ),
            )
        )
    team = team_members(request.team, agency)
    for index, professional_id in enumerate(request.team):
        member = team.get(professional_id)
        if member is None:
            violations.append(
                Violation(
                    code="project.unknown_team_member",
                    field=f"team.{index}",
                    message=f"{professional_id} is not a professional of this agency",
                )
            )
            continue
        shortfall = full_time_shortfall(member, rules, today)
        if shortfall:
            violations.append(
                Violation(
                    code="project.team_member_not_full_time",
                    field=f"team.{index}",
                    message=f"{member.name} ({professional_id}) is not full-time here: {shortfall}",
                )
            )
    if len(set(request.team)) != len(request.team):
        violations.append(
            Violation(
                code="project.team_repeats",
                field="team",
                message="the team lists someone twice",
            )
        )
    industry = request.enterprise.industry
    specialty = rules.high_risk_industries.get(industry)
    if specialty is not None and not any(
        is_specialist_for(member, industry, rules, today) for member in team.values()
    ):
        violations.append(
            Violation(
                code="project.missing_specialist",
                field="team",
                message=(
                    f"serving a {industry.label} enterprise needs an intermediate engineer "
                    f"(中级工程师) in {specialty.label} on the team (R2, R4)"
                ),
            )
        )
    if (
        agency.facts.out_of_town
        and request.service_type.is_long_running
        and agency.facts.local_office is None
    ):
        violations.append(
            Violation(
                code="project.local_office_required",
                field="service_type",
                message=(
                    f"an agency from outside Lishui needs a local office for "
                    f"{request.service_type.label} (R6)"
                ),
            )
        )
    return violations


def team_members(professional_ids: list[str], agency: AgencySnapshot) -> dict[str, Professional]:
    """The agency's professionals named in the team, by id; unknown ids are left out."""
    by_id = {pid: id_number for id_number, pid in agency.professional_ids.items()}
    people = {p.id_number: p for p in agency.facts.professionals}
    # The references outlive a person's departure (a returning person keeps theirs).
    return {
        pid: people[by_id[pid]] for pid in professional_ids if pid in by_id and by_id[pid] in people
    }


def practice_notification(
    request: ProjectRequest, agency: AgencySnapshot, revision: int = 1
) -> PracticeNotification:
    """The 执业告知 generated from the contract and the team."""
    members = team_members(request.team, agency)
    office = agency.facts.local_office
    return PracticeNotification(
        agency_uscc=agency.uscc,
        agency_name=agency.facts.legal_name,
        agency_out_of_town=agency.facts.out_of_town,
        agency_local_office=office.address if office else None,
        enterprise=request.enterprise,
        service_type=request.service_type,
        content=request.contract.content or "",
        term_start=request.contract.term_start,
        term_end=request.contract.term_end,
        staff=[
            StaffEntry(
                professional_id=pid,
                name=member.name,
                titles=[
                    c.kind.label + (f"（{c.specialty.label}）" if c.specialty else "")
                    for c in member.certificates
                ],
            )
            for pid, member in members.items()
        ],
        revision=revision,
    )


def missing_consulting_content(
    service_type: ServiceType, covered: set[VisitActivity]
) -> list[VisitActivity]:
    """What a consulting project's visits have not yet covered; empty for other services."""
    if service_type is not ServiceType.SAFETY_MANAGEMENT_CONSULTING:
        return []
    return [activity for activity in CONSULTING_CONTENT if activity not in covered]


def stage_of(progress: ProjectProgress) -> ProjectStage:
    """Where the project is, from what has happened to it."""
    if progress.closed_at is not None:
        return ProjectStage.CLOSED
    if progress.report is not None:
        return ProjectStage.SPOT_CHECK
    if progress.service_ended_on is not None:
        return ProjectStage.REPORTING
    if progress.filing_status is FilingStatus.ACKNOWLEDGED and progress.plan_submitted_at:
        return ProjectStage.IN_SERVICE
    if progress.filing_status is FilingStatus.ACKNOWLEDGED:
        return ProjectStage.PLANNING
    return ProjectStage.FILING


class NextStep(BaseModel):
    step: str
    who: Role | None
    description: str
    due_at: dt.datetime | None = None


def next_step(progress: ProjectProgress) -> NextStep:
    """The step the project waits for, and whose it is."""
    if progress.closed_at is not None:
        return NextStep(step="none", who=None, description="项目已归档")
    if progress.filing_status is FilingStatus.RETURNED:
        return NextStep(
            step="filing.refile", who=Role.AGENCY, description="按退回理由补正执业告知后重新报送"
        )
    if progress.filing_status is FilingStatus.PENDING:
        return NextStep(
            step="filing.review",
            who=Role.COUNTY_REGULATOR,
            description="县级应急管理部门确认执业告知",
            due_at=progress.filing_due_at,
        )
    if progress.plan_submitted_at is None:
        return NextStep(step="plan.submit", who=Role.AGENCY, description="提交服务方案")
    if progress.service_ended_on is None:
        return NextStep(
            step="service.visit_or_end",
            who=Role.AGENCY,
            description="开展服务并记录每次服务，结束后申报服务结束",
        )
    if progress.report is None:
        return NextStep(
            step="report.upload",
            who=Role.AGENCY,
            description="上传服务报告至省平台"
            + (
                f"（上次上传被省平台退回：{progress.report_refused}）"
                if progress.report_refused
                else ""
            ),
            due_at=progress.report_due_at,
        )
    if progress.spot_check is not None and progress.spot_check.verdict is None:
        return NextStep(
            step="spot_check.verdict", who=Role.COUNTY_REGULATOR, description="作出抽查结论"
        )
    if progress.report.awaiting_receipt:
        return NextStep(
            step="report.awaiting_receipt",
            who=None,
            description="服务报告已上传，等待省平台回执；回执后可抽查",
        )
    return NextStep(
        step="spot_check.optional",
        who=Role.COUNTY_REGULATOR,
        description="可抽查服务报告；抽查期届满未抽查则自动归档",
        due_at=progress.spot_check_window_ends_at,
    )
