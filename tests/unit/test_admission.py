"""Every admission rule (R2, R6), accepting and rejecting at its boundary."""

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from agencyflow.config.policy import Policy
from agencyflow.domain.admission import check_admission, months_insured
from agencyflow.domain.agency import AgencyFacts
from agencyflow.domain.id_numbers import mask_id_number, normalise_id_number
from agencyflow.domain.qualifications import CertificateKind, Specialty
from tests.factories import TODAY, facts, id_number, professional

RULES = Policy().admission_rules()


def _codes(application: dict[str, Any], today: dt.date = TODAY) -> list[str]:
    return [v.code for v in check_admission(AgencyFacts.model_validate(application), RULES, today)]


def test_a_complete_application_passes() -> None:
    assert _codes(facts()) == []


@pytest.mark.parametrize(
    ("kind", "admitted"),
    [
        ("enterprise", True),
        ("public_institution", True),
        ("social_organisation", True),
        ("individual_business", False),
        ("other", False),
    ],
)
def test_organisation_kind(kind: str, admitted: bool) -> None:
    codes = _codes(facts(organisation_kind=kind))
    assert ("admission.organisation_kind" not in codes) is admitted


@pytest.mark.parametrize(("area", "admitted"), [(99, False), (99.9, False), (100, True)])
def test_workplace_area_boundary(area: float, admitted: bool) -> None:
    assert ("admission.area_too_small" not in _codes(facts(workplace_area_m2=area))) is admitted


@pytest.mark.parametrize(("count", "admitted"), [(4, False), (5, True)])
def test_full_time_professionals_boundary(count: int, admitted: bool) -> None:
    codes = _codes(facts(professionals=count))
    assert ("admission.too_few_professionals" not in codes) is admitted


@pytest.mark.parametrize(
    ("insured_since", "months", "admitted"),
    [("2026-09", 2, False), ("2026-08", 3, True)],
)
def test_full_time_needs_three_months_of_insurance(
    insured_since: str, months: int, admitted: bool
) -> None:
    assert months_insured(dt.date.fromisoformat(insured_since + "-01"), TODAY) == months
    application = facts(professionals=4)
    application["professionals"].append(professional(5, insured_since=insured_since))
    assert ("admission.too_few_professionals" not in _codes(application)) is admitted


@pytest.mark.parametrize(
    ("valid_until", "admitted"),
    [(TODAY - dt.timedelta(days=1), False), (TODAY, True)],
)
def test_a_certificate_expired_yesterday_does_not_count(
    valid_until: dt.date, admitted: bool
) -> None:
    application = facts(professionals=4)
    application["professionals"].append(professional(5, valid_until=valid_until))
    assert ("admission.too_few_professionals" not in _codes(application)) is admitted


def test_part_time_and_uninsured_people_do_not_count_and_the_message_says_who() -> None:
    application = facts(professionals=3)
    application["professionals"] += [
        professional(4, full_time=False),
        professional(5, insured_since="2026-10"),
    ]
    [violation] = check_admission(AgencyFacts.model_validate(application), RULES, TODAY)
    assert violation.code == "admission.too_few_professionals"
    assert violation.field == "professionals"
    assert "3 full-time professionals" in violation.message
    assert "not declared full-time" in violation.message
    assert "insured by this agency for 1 months, 3 needed" in violation.message
    assert mask_id_number(id_number(4)) in violation.message
    assert id_number(4) not in violation.message


@pytest.mark.parametrize(
    ("industry", "specialty", "admitted"),
    [
        ("hazardous_chemicals", Specialty.CHEMICAL, True),
        ("hazardous_chemicals", Specialty.MINING, False),
        ("non_coal_mining", Specialty.MINING, True),
        ("non_coal_mining", Specialty.CHEMICAL, False),
        ("machinery", None, True),
    ],
)
def test_chemical_and_mining_scopes_need_an_intermediate_engineer_of_that_specialty(
    industry: str, specialty: Specialty | None, admitted: bool
) -> None:
    application = facts(industries=[industry])
    if specialty:
        application["professionals"].append(
            professional(9, kind=CertificateKind.INTERMEDIATE_ENGINEER, specialty=specialty)
        )
    assert ("admission.missing_specialist" not in _codes(application)) is admitted


def test_an_expired_or_part_time_specialist_does_not_count() -> None:
    expired = facts(industries=["chemical"])
    expired["professionals"].append(
        professional(
            9,
            kind=CertificateKind.INTERMEDIATE_ENGINEER,
            specialty=Specialty.CHEMICAL,
            valid_until=TODAY - dt.timedelta(days=1),
        )
    )
    part_time = facts(industries=["chemical"])
    part_time["professionals"].append(
        professional(
            9,
            full_time=False,
            kind=CertificateKind.INTERMEDIATE_ENGINEER,
            specialty=Specialty.CHEMICAL,
        )
    )
    assert "admission.missing_specialist" in _codes(expired)
    assert "admission.missing_specialist" in _codes(part_time)


def _out_of_town(**overrides: Any) -> dict[str, Any]:
    return facts(out_of_town=True, registered_county_code="330106", **overrides)


def test_out_of_town_agency_offering_long_running_services_needs_a_local_office() -> None:
    assert _codes(_out_of_town()) == ["admission.local_office_required"]


def test_out_of_town_office_needs_stationed_technicians() -> None:
    office = {
        "address": "丽水市莲都区人民路2号",
        "county_code": "331102",
        "stationed_technicians": [],
    }
    assert _codes(_out_of_town(local_office=office)) == ["admission.no_stationed_technicians"]
    office["stationed_technicians"] = [id_number(1)]
    assert _codes(_out_of_town(local_office=office)) == []


def test_out_of_town_agency_offering_only_short_services_needs_no_office() -> None:
    assert _codes(_out_of_town(service_types=["education_training"])) == []


def test_every_failed_check_is_reported_at_once() -> None:
    application = _out_of_town(
        organisation_kind="other", workplace_area_m2=50, professionals=2, industries=["chemical"]
    )
    assert _codes(application) == [
        "admission.organisation_kind",
        "admission.area_too_small",
        "admission.too_few_professionals",
        "admission.missing_specialist",
        "admission.local_office_required",
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {"registered_county_code": "330106"},
            "registered_county_code",
        ),  # not Lishui, not out of town
        ({"out_of_town": True}, "registered_county_code"),  # Lishui yet out of town
        ({"service_types": []}, "service_types"),
        ({"service_types": ["risk_census", "risk_census"]}, "service_types"),
        ({"uscc": "91331102MA0000001X"}, "uscc"),
    ],
)
def test_inconsistent_facts_are_refused_naming_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        AgencyFacts.model_validate(facts(**overrides))
    assert error.value.errors()[0]["loc"][0] == field


def test_the_same_person_twice_and_unknown_stationed_technicians_are_refused() -> None:
    twice = facts()
    twice["professionals"].append(professional(1))
    with pytest.raises(ValidationError, match="same ID number twice"):
        AgencyFacts.model_validate(twice)
    office = {"address": "x", "county_code": "331102", "stationed_technicians": [id_number(99)]}
    with pytest.raises(ValidationError, match="stationed technician"):
        AgencyFacts.model_validate(_out_of_town(local_office=office))


def test_id_numbers_are_checked_and_masked() -> None:
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValueError, match="expected X"):
        normalise_id_number("110105194912310021")
    with pytest.raises(ValueError, match="date of birth"):
        normalise_id_number("110105194913310021")
    assert mask_id_number("11010519491231002X") == "**************002X"
