"""The admission rules (准入条件, R2, R6) as pure functions.

Each check returns the violations it finds, each with a stable code and a message that
says what to fix. `check_admission` runs them all, so an applicant hears of every
problem at once. The same checks re-run whenever an admitted agency's facts change or a
certificate expires (R9).
"""

import datetime as dt
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from .agency import AgencyFacts, Certificate, Professional
from .errors import Violation
from .industries import Industry
from .qualifications import CertificateKind, Specialty


class AdmissionRules(BaseModel):
    """The policy numbers admission depends on; a slice of `Policy`."""

    model_config = ConfigDict(frozen=True)

    min_area_m2: float
    min_full_time_professionals: int
    full_time_min_insured_months: int
    high_risk_industries: dict[Industry, Specialty]
    """The one list of high-risk industries and their specialties, for admission and teams."""


def months_insured(insured_since: dt.date, today: dt.date) -> int:
    """Whole months of contributions from ``insured_since``'s month up to ``today``'s month.

    Paid since August, it is 3 in November: August, September and October are complete.
    """
    return (today.year * 12 + today.month) - (insured_since.year * 12 + insured_since.month)


def is_valid_on(certificate: Certificate, today: dt.date) -> bool:
    return certificate.valid_until >= today


def full_time_shortfall(
    professional: Professional, rules: AdmissionRules, today: dt.date
) -> str | None:
    """Why the professional does not count as full-time (专职) here, or None if they do."""
    if not professional.full_time:
        return "not declared full-time"
    if professional.insured_since is None:
        return "no pension insurance paid by this agency"
    months = months_insured(professional.insured_since, today)
    if months < rules.full_time_min_insured_months:
        needed = rules.full_time_min_insured_months
        return f"insured by this agency for {max(months, 0)} months, {needed} needed"
    return None


def qualifying_certificates(professional: Professional, today: dt.date) -> list[Certificate]:
    """Unexpired certificates that make a professional count (R2): all four kinds do."""
    return [c for c in professional.certificates if is_valid_on(c, today)]


def _why_not_counted(
    professional: Professional, rules: AdmissionRules, today: dt.date
) -> str | None:
    shortfall = full_time_shortfall(professional, rules, today)
    if shortfall:
        return shortfall
    if not professional.certificates:
        return "holds no qualifying certificate"
    if not qualifying_certificates(professional, today):
        last = max(c.valid_until for c in professional.certificates)
        return f"every certificate has expired (the last on {last.isoformat()})"
    return None


def check_organisation_kind(
    facts: AgencyFacts, rules: AdmissionRules, today: dt.date
) -> list[Violation]:
    if facts.organisation_kind.may_be_admitted:
        return []
    return [
        Violation(
            code="admission.organisation_kind",
            field="organisation_kind",
            message=(
                f"a {facts.organisation_kind.label} cannot be admitted: an agency must be a "
                "legally registered enterprise, public institution or social organisation"
            ),
        )
    ]


def check_area(facts: AgencyFacts, rules: AdmissionRules, today: dt.date) -> list[Violation]:
    if facts.workplace_area_m2 >= rules.min_area_m2:
        return []
    return [
        Violation(
            code="admission.area_too_small",
            field="workplace_area_m2",
            message=(
                f"the workplace has {facts.workplace_area_m2:g} m²; at least "
                f"{rules.min_area_m2:g} m² are required"
            ),
        )
    ]


def check_professionals(
    facts: AgencyFacts, rules: AdmissionRules, today: dt.date
) -> list[Violation]:
    reasons = {
        p.masked_id: (p.name, _why_not_counted(p, rules, today)) for p in facts.professionals
    }
    counted = sum(1 for _, why in reasons.values() if why is None)
    if counted >= rules.min_full_time_professionals:
        return []
    not_counted = "; ".join(
        f"{name} ({masked}): {why}" for masked, (name, why) in reasons.items() if why
    )
    return [
        Violation(
            code="admission.too_few_professionals",
            field="professionals",
            message=(
                f"{counted} full-time professionals with a valid certificate; at least "
                f"{rules.min_full_time_professionals} are required"
                + (f". Not counted: {not_counted}" if not_counted else "")
            ),
        )
    ]


def is_specialist_for(
    professional: Professional, industry: Industry, rules: AdmissionRules, today: dt.date
) -> bool:
    """A full-time intermediate engineer whose valid title is in the industry's specialty."""
    specialty = rules.high_risk_industries.get(industry)
    return full_time_shortfall(professional, rules, today) is None and any(
        c.kind is CertificateKind.INTERMEDIATE_ENGINEER and c.specialty is specialty
        for c in qualifying_certificates(professional, today)
    )


def check_specialists(facts: AgencyFacts, rules: AdmissionRules, today: dt.date) -> list[Violation]:
    violations = []
    for industry in facts.industries:
        specialty = rules.high_risk_industries.get(industry)
        if specialty is None:
            continue
        if not any(is_specialist_for(p, industry, rules, today) for p in facts.professionals):
            violations.append(
                Violation(
                    code="admission.missing_specialist",
                    field="professionals",
                    message=(
                        f"serving {industry.label} needs a full-time intermediate engineer "
                        f"(中级工程师) in {specialty.label} with a valid title"
                    ),
                )
            )
    return violations


def check_local_office(
    facts: AgencyFacts, rules: AdmissionRules, today: dt.date
) -> list[Violation]:
    long_running = [s for s in facts.service_types if s.is_long_running]
    if not facts.out_of_town or not long_running:
        return []
    services = "、".join(s.label for s in long_running)
    office = facts.local_office
    if office is None:
        return [
            Violation(
                code="admission.local_office_required",
                field="local_office",
                message=(
                    f"an agency from outside Lishui offering {services} must keep a fixed "
                    "local office with technicians stationed there (R6)"
                ),
            )
        ]
    if not office.stationed_technicians:
        return [
            Violation(
                code="admission.no_stationed_technicians",
                field="local_office.stationed_technicians",
                message=(
                    "the local office must have at least one of the agency's listed "
                    "professionals stationed there (R6)"
                ),
            )
        ]
    return []


Check = Callable[[AgencyFacts, AdmissionRules, dt.date], list[Violation]]

PROVINCE_AUTHORITY = "浙江省应急管理厅"


def check_province_managed(
    facts: AgencyFacts, rules: AdmissionRules, today: dt.date
) -> list[Violation]:
    """Safety evaluation is admitted by the province, not here (R1, R9): the city records an
    agency for it only with a valid provincial registration."""
    managed = [s for s in facts.service_types if s.is_province_managed]
    registration = facts.province_registration
    if not managed or (registration is not None and registration.valid_until >= today):
        return []
    services = "、".join(s.label for s in managed)
    why = "has expired" if registration is not None else "is not given"
    return [
        Violation(
            code="admission.province_managed",
            field="province_registration",
            message=(
                f"{services} is admitted by the province ({PROVINCE_AUTHORITY}), not by the "
                f"city: apply there; its registration number and validity {why}, and once "
                "registered, record them here so that your projects in Lishui are filed here"
            ),
        )
    ]


CHECKS: tuple[Check, ...] = (
    check_organisation_kind,
    check_area,
    check_professionals,
    check_specialists,
    check_local_office,
    check_province_managed,
)


def check_admission(facts: AgencyFacts, rules: AdmissionRules, today: dt.date) -> list[Violation]:
    """Every violated admission rule; empty when the agency may be admitted."""
    return [violation for check in CHECKS for violation in check(facts, rules, today)]


class AdmissionQuestion(BaseModel):
    """`check_admission`'s arguments, as a workflow sends them to its local activity."""

    facts: AgencyFacts
    rules: AdmissionRules
    today: dt.date
