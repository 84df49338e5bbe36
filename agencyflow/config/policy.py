"""Every number the reform leaves to policy (../MISSION.md "Policy defaults").

A workflow receives a snapshot of `Policy` in its input when it starts, so a changed
policy never rewrites the rules of a project already running and replay stays
deterministic. An agency takes the policy in force at each assessment instead, through a
local activity whose answer is in its history (README: "Policy, by lifetime").

Durations are ISO-8601 in settings (``AGENCYFLOW_POLICY__REPORT_DEADLINE=P30D``) so a demo or
a black-box test can run a whole lifecycle in seconds.
"""

import datetime as dt
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agencyflow.domain.admission import AdmissionRules
from agencyflow.domain.complaints import RewardRules
from agencyflow.domain.credit import CreditGrade, CreditRules, serious_days
from agencyflow.domain.industries import Industry
from agencyflow.domain.qualifications import Specialty
from agencyflow.domain.reform import DEFAULT_TASKS, REFORM_YEAR_MAX, REFORM_YEAR_MIN, ReformTaskPlan
from agencyflow.domain.sampling import SamplingRules
from agencyflow.domain.untrustworthy import ListingRules

PositiveDuration = Annotated[dt.timedelta, Field(gt=dt.timedelta(0))]
Points = Annotated[int, Field(ge=0)]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


class CreditDeductions(BaseModel):
    """Points taken from an agency's credit score for each kind of event (R8)."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    late_report: Points = 2
    """A service report uploaded after its deadline."""
    late_report_over_60_days: Points = 5
    """…more than `report_late_serious_after` late."""
    service_without_filing: Points = 5
    """Service without a practice notification (执业告知)."""
    complaint_found_true: Points = 5
    """A complaint (举报) found true."""
    spot_check_failed_min: Points = 5
    """A failed report spot check, at least…"""
    spot_check_failed_max: Points = 10
    """…and at most."""
    major_hazard_reported_late: Points = 0
    """A major hazard reported later than `major_hazard_report_within` after its discovery.
    The policy table sets no deduction; the lateness is recorded either way, so a city that
    sets one, and the credit rules, can count it."""
    major_hazard_missed: Points = 10
    """A major hazard the agency missed."""
    work_beyond_scope: Points = 10
    """Work beyond the agency's capacity or admitted scope."""
    administrative_penalty: Points = 10
    """An administrative penalty."""
    administrative_penalty_serious: Points = 20
    """A serious administrative penalty."""


class Policy(BaseModel):
    """The reform's tunable rules, with the defaults of the mission's policy table."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    # Projects and reports (R10)
    report_deadline: PositiveDuration = _days(30)
    """Service report upload after the service activity ends."""
    report_reminders: tuple[PositiveDuration, ...] = (_days(20), _days(27))
    """Reminders to the agency, counted from the service end."""
    report_late_serious_after: PositiveDuration = _days(60)
    """A report this late (uploaded then, or still missing) costs the larger deduction."""
    platform_handoff_alert_after: PositiveDuration = dt.timedelta(hours=6)
    """A report the provincial platform has not taken within this goes to an admin's inbox."""
    spot_check_window: PositiveDuration = _days(30)
    """How long after the platform's receipt a project waits for a spot check before it closes."""
    spot_check_four_eyes: bool = False
    """When on, a spot-check verdict must come from another regulator than its opener."""
    spot_check_sample_due: PositiveDuration = _days(60)
    """A sampled spot check is decided within this of its draw, or the city is told."""
    spot_check_min_share: Annotated[float, Field(gt=0, le=1)] = 0.15
    """Share of a county's reports of a half year its sample draws at least (R14)."""
    spot_check_grade_weights: dict[CreditGrade, Annotated[float, Field(gt=0, le=100)]] = {
        CreditGrade.A: 1.0,
        CreditGrade.B: 2.0,
        CreditGrade.C: 3.0,
        CreditGrade.D: 4.0,
    }
    """How much likelier a report is drawn, by its agency's grade: lower grades more (R8)."""

    # Filings and reviews (R2, R6)
    filing_review_working_days: Annotated[int, Field(ge=1)] = 5
    """The county regulator acts on a practice notification (执业告知) within this."""
    agency_review_working_days: Annotated[int, Field(ge=1)] = 5
    """The county regulator acts on an agency's admission application within this."""

    # Hazards (R5)
    major_hazard_report_within: PositiveDuration = dt.timedelta(hours=2)
    """An agency reports a major hazard (重大事故隐患) to the regulator within this."""
    major_hazard_ack_within: PositiveDuration = dt.timedelta(hours=24)
    """The county regulator acknowledges a major hazard within this, or the city is told."""
    visit_record_within_days: Annotated[int, Field(ge=0, le=366)] = 7
    """A visit is recorded within this many days of its date; an older one only with a reason
    (a back-dated visit is how a major hazard's 2-hour rule would be dodged)."""
    long_unrectified_after: PositiveDuration = _days(30)
    """A general hazard this far past its deadline is long unrectified (久拖不改)."""
    long_unrectified_visits: Annotated[int, Field(ge=2)] = 2
    """…as is one still open at this many consecutive visits."""

    # Admission and monitoring (R2, R6, R9)
    admission_min_area_m2: Annotated[float, Field(gt=0)] = 100
    """Workplace area an agency needs, in m²."""
    admission_min_full_time_professionals: Annotated[int, Field(ge=1)] = 5
    """Full-time (专职) professionals with a qualifying certificate."""
    full_time_min_insured_months: Annotated[int, Field(ge=1)] = 3
    """Pension insurance paid by the agency this many continuous months makes one 专职."""
    high_risk_industries: dict[Industry, Specialty] = {
        Industry.HAZARDOUS_CHEMICALS: Specialty.CHEMICAL,
        Industry.CHEMICAL: Specialty.CHEMICAL,
        Industry.FIREWORKS: Specialty.CHEMICAL,
        Industry.NON_COAL_MINING: Specialty.MINING,
        Industry.METALLURGY: Specialty.METALLURGY,
    }
    """High-risk industries (化工、矿山等高危行业) and the intermediate engineer's specialty each
    needs: at admission for the industries an agency serves, and on each project's team."""
    agency_verification_months: Annotated[int, Field(ge=1, le=60)] = 12
    """Every admitted agency is verified on site (现场核查) at least this often (R9)."""
    agency_rectification_period: PositiveDuration = _days(30)
    """An agency that no longer meets admission has this long to restore it."""
    certificate_expiry_notice: PositiveDuration = _days(30)
    """An agency is reminded this long before a professional's certificate expires."""

    # Credit (R8, R11)
    credit_initial_score: Points = 100
    """Every agency's credit score starts here."""
    credit_grade_a_min: Points = 90
    """Lowest score of grade A."""
    credit_grade_b_min: Points = 80
    """Lowest score of grade B."""
    credit_grade_c_min: Points = 70
    """Lowest score of grade C; below is D."""
    credit_deductions: CreditDeductions = CreditDeductions()
    """Points deducted per event."""
    credit_window_months: Annotated[int, Field(ge=1, le=120)] = 12
    """An event counts against the score for this many months after it occurred."""
    credit_objection_working_days: Annotated[int, Field(ge=1, le=60)] = 5
    """An agency may object (异议) to a credit event within this many working days of it."""
    credit_objection_review_working_days: Annotated[int, Field(ge=1, le=60)] = 10
    """The county regulator upholds or revokes an objected event within this, or the city is
    told."""
    untrustworthy_listing_years: Annotated[int, Field(ge=1, le=10)] = 3
    """Years on the seriously-untrustworthy list (严重失信)."""
    untrustworthy_removal_after_months: Annotated[int, Field(ge=1, le=120)] = 12
    """Months after which removal from the list may be requested."""
    procurement_min_grade: CreditGrade = CreditGrade.C
    """Lowest grade that may sell services bought with public money (R11)."""

    # The county's reform programme (R1, R15)
    reform_year: Annotated[int, Field(ge=REFORM_YEAR_MIN, le=REFORM_YEAR_MAX)] | None = None
    """The year whose programme the yearly Schedule starts in every county; empty: the year
    it runs in (China time). Any year may also be started by hand (``POST /reform/…``)."""
    reform_tasks: Annotated[tuple[ReformTaskPlan, ...], Field(min_length=1, max_length=20)] = (
        DEFAULT_TASKS
    )
    """The dated tasks of each county's programme (任务清单): key, title, due month and day,
    and what closing it needs of the programme (``service_types``, ``guidelines``)."""
    reform_min_guidelines: Annotated[int, Field(ge=1, le=10)] = 1
    """Report guidelines (报告导则) a county adopts at least before its guideline task closes."""

    # Complaints (R13)
    complaint_acceptance_working_days: Annotated[int, Field(ge=1, le=60)] = 5
    """A complaint is accepted (受理) or refused within this many working days, or the city
    is told."""
    complaint_investigation_period: PositiveDuration = _days(60)
    """An accepted complaint is investigated and answered within this, or the city is told."""
    complaint_reminders: tuple[PositiveDuration, ...] = (_days(30), _days(50))
    """Reminders to the handling regulator, counted from the acceptance."""
    complaint_extension_max_days: Annotated[int, Field(ge=1, le=365)] = 30
    """The one extension of an investigation is at most this many days, with a reason."""
    complaint_reward_share_percent: Annotated[int, Field(ge=1, le=100)] = 15
    """The reward for a complaint found true: this share of the fine…"""
    complaint_reward_min_yuan: Annotated[int, Field(ge=0, le=10_000_000)] = 3_000
    """…at least this…"""
    complaint_reward_max_yuan: Annotated[int, Field(ge=0, le=10_000_000)] = 500_000
    """…and at most this (Zhejiang; the national rules say 300,000)."""

    def admission_rules(self) -> AdmissionRules:
        return AdmissionRules(
            min_area_m2=self.admission_min_area_m2,
            min_full_time_professionals=self.admission_min_full_time_professionals,
            full_time_min_insured_months=self.full_time_min_insured_months,
            high_risk_industries=self.high_risk_industries,
        )

    def credit_rules(self) -> CreditRules:
        deductions = self.credit_deductions
        return CreditRules(
            initial_score=self.credit_initial_score,
            grade_a_min=self.credit_grade_a_min,
            grade_b_min=self.credit_grade_b_min,
            grade_c_min=self.credit_grade_c_min,
            window_months=self.credit_window_months,
            late_report=deductions.late_report,
            late_report_serious=deductions.late_report_over_60_days,
            late_report_serious_days=serious_days(self.report_late_serious_after),
            spot_check_failed_min=deductions.spot_check_failed_min,
        )

    def reward_rules(self) -> RewardRules:
        return RewardRules(
            share_percent=self.complaint_reward_share_percent,
            min_yuan=self.complaint_reward_min_yuan,
            max_yuan=self.complaint_reward_max_yuan,
        )

    def sampling_rules(self) -> SamplingRules:
        return SamplingRules(
            min_share=self.spot_check_min_share, weights=self.spot_check_grade_weights
        )

    def listing_rules(self) -> ListingRules:
        return ListingRules(
            years=self.untrustworthy_listing_years,
            removal_after_months=self.untrustworthy_removal_after_months,
        )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if any(reminder >= self.report_deadline for reminder in self.report_reminders):
            raise ValueError("report_reminders must all come before report_deadline")
        if list(self.report_reminders) != sorted(self.report_reminders):
            raise ValueError("report_reminders must be in increasing order")
        if not (self.credit_grade_a_min > self.credit_grade_b_min > self.credit_grade_c_min):
            raise ValueError("credit grade thresholds must decrease from A to C")
        deductions = self.credit_deductions
        if deductions.spot_check_failed_min > deductions.spot_check_failed_max:
            raise ValueError("spot_check_failed_min must not exceed spot_check_failed_max")
        if set(self.spot_check_grade_weights) != set(CreditGrade):
            raise ValueError("spot_check_grade_weights needs a weight for every grade")
        if self.untrustworthy_removal_after_months >= 12 * self.untrustworthy_listing_years:
            raise ValueError("untrustworthy_removal_after_months must fall within the listing")
        keys = [task.key for task in self.reform_tasks]
        if len(set(keys)) != len(keys):
            raise ValueError("reform_tasks must each have their own key")
        if any(r >= self.complaint_investigation_period for r in self.complaint_reminders):
            raise ValueError("complaint_reminders must all come before the investigation's end")
        if self.complaint_reward_min_yuan > self.complaint_reward_max_yuan:
            raise ValueError("complaint_reward_min_yuan must not exceed complaint_reward_max_yuan")
        return self
