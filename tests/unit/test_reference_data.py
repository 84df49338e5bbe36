import pytest
from pydantic import ValidationError

from agencyflow.config.policy import Policy
from agencyflow.domain.identity import Actor, Binding, Role, may_access
from agencyflow.domain.inbox import Addressee, ScopeKind, addressee_of
from agencyflow.domain.industries import Industry
from agencyflow.domain.qualifications import CertificateKind, Specialty
from agencyflow.domain.regions import CITY_CODE, JURISDICTIONS, jurisdiction
from agencyflow.domain.service_types import ServiceType
from tests.factories import uscc


def test_lishui_has_nine_counties_and_the_development_zone() -> None:
    counties = [j for j in JURISDICTIONS if not j.is_development_zone]
    zones = [j for j in JURISDICTIONS if j.is_development_zone]
    assert len(counties) == 9
    assert [z.name for z in zones] == ["丽水经济技术开发区"]
    assert len({j.code for j in JURISDICTIONS}) == 10
    assert all(j.code.startswith("3311") and len(j.code) == 6 for j in JURISDICTIONS)
    assert jurisdiction("331181").name == "龙泉市"


def test_an_unknown_county_code_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="331102 莲都区"):
        jurisdiction("330102")


def test_labels_are_chinese_and_values_stable() -> None:
    assert ServiceType.HAZARD_INVESTIGATION.value == "hazard_investigation"
    assert ServiceType.HAZARD_INVESTIGATION.label == "隐患排查"
    assert CertificateKind.REGISTERED_SAFETY_ENGINEER.label == "注册安全工程师"
    assert Role("county_regulator").label == "县级应急管理部门"
    assert len(ServiceType) == 7


def test_long_running_services_are_consulting_and_hazard_investigation() -> None:
    assert {s for s in ServiceType if s.is_long_running} == {
        ServiceType.SAFETY_MANAGEMENT_CONSULTING,
        ServiceType.HAZARD_INVESTIGATION,
    }
    assert ServiceType.SAFETY_EVALUATION.is_province_managed


def test_high_risk_industries_name_the_specialty_they_need() -> None:
    high_risk = Policy().high_risk_industries
    assert high_risk[Industry.HAZARDOUS_CHEMICALS] is Specialty.CHEMICAL
    assert high_risk[Industry.NON_COAL_MINING] is Specialty.MINING
    assert high_risk[Industry.FIREWORKS] is Specialty.CHEMICAL
    assert Industry.MACHINERY not in high_risk
    assert CertificateKind.INTERMEDIATE_ENGINEER.needs_specialty


@pytest.mark.parametrize(
    "binding",
    [
        {"role": "agency"},
        {"role": "agency", "agency_uscc": uscc(1), "county_code": "331102"},
        {"role": "county_regulator", "county_code": "999999"},
        {"role": "city_regulator", "county_code": "331102"},
        {"role": "enterprise", "enterprise_uscc": "not-a-code"},
    ],
)
def test_a_user_is_bound_to_exactly_the_scope_of_its_role(binding: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Binding.model_validate(binding)


def _actor(role: Role, **binding: str) -> Actor:
    return Actor(user_id=1, name="x", role=role, **binding)


def test_scope_of_each_role() -> None:
    agency, other = uscc(1), uscc(2)
    county = _actor(Role.COUNTY_REGULATOR, county_code="331102")
    assert may_access(county, county_code="331102")
    assert not may_access(county, county_code="331121")
    assert may_access(_actor(Role.AGENCY, agency_uscc=agency), agency_uscc=agency)
    assert not may_access(_actor(Role.AGENCY, agency_uscc=agency), agency_uscc=other)
    assert not may_access(_actor(Role.ENTERPRISE, enterprise_uscc=agency), county_code="331102")
    assert may_access(_actor(Role.CITY_REGULATOR), county_code="331121")


def test_each_role_reads_its_own_inbox() -> None:
    assert addressee_of(_actor(Role.COUNTY_REGULATOR, county_code="331121")) == Addressee(
        role=Role.COUNTY_REGULATOR, scope_kind=ScopeKind.COUNTY, scope_id="331121"
    )
    assert addressee_of(_actor(Role.CITY_REGULATOR)) == Addressee.city()
    assert Addressee.city().scope_id == CITY_CODE
    assert addressee_of(_actor(Role.ADMIN)) is None
    with pytest.raises(ValidationError):
        Addressee(role=Role.AGENCY, scope_kind=ScopeKind.COUNTY, scope_id="331102")
