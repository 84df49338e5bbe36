"""Safety evaluation (安全评价) is admitted by the province (R1, R9); the city records it."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.admission import check_admission
from agencyflow.domain.agency import AgencyFacts
from tests.factories import TODAY, facts

EVALUATION = ["safety_evaluation", "hazard_investigation"]


def _codes(**overrides: object) -> list[str]:
    application = AgencyFacts.model_validate(
        facts(88, **{"service_types": EVALUATION, **overrides})
    )
    return [v.code for v in check_admission(application, Policy().admission_rules(), TODAY)]


def test_safety_evaluation_without_the_provinces_registration_is_refused_naming_it() -> None:
    application = AgencyFacts.model_validate(facts(88, service_types=EVALUATION))
    (violation,) = check_admission(application, Policy().admission_rules(), TODAY)
    assert violation.code == "admission.province_managed"
    assert violation.field == "province_registration"
    assert "浙江省应急管理厅" in violation.message


def test_a_valid_provincial_registration_is_recorded_and_admits_it_here() -> None:
    registration = {"number": "ZJ-AP-2025-017", "valid_until": "2028-06-30"}
    assert _codes(province_registration=registration) == []


def test_an_expired_registration_does_not() -> None:
    expired = (TODAY - dt.timedelta(days=1)).isoformat()
    registration = {"number": "ZJ-AP-2020-003", "valid_until": expired}
    assert _codes(province_registration=registration) == ["admission.province_managed"]


def test_other_services_need_no_registration() -> None:
    assert _codes(service_types=["hazard_investigation"]) == []
