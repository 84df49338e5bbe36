"""The half-year's spot-check draw (issue 12, point 1): its share, weights, coverage and
reproducibility, as pure rules."""

import random
from collections import Counter

from agencyflow.domain.credit import CreditGrade
from agencyflow.domain.sampling import Candidate, SamplingRules, draw
from agencyflow.domain.service_types import ServiceType

RULES = SamplingRules(
    min_share=0.15,
    weights={CreditGrade.A: 1, CreditGrade.B: 2, CreditGrade.C: 3, CreditGrade.D: 4},
)


def _reports(
    per_agency: dict[str, tuple[CreditGrade, int]],
    kind: ServiceType = ServiceType.EDUCATION_TRAINING,
) -> list[Candidate]:
    return [
        Candidate(
            project_id=f"{agency}-{i:04d}", agency_uscc=agency, service_type=kind, grade=grade
        )
        for agency, (grade, count) in per_agency.items()
        for i in range(count)
    ]


def test_at_least_the_share_is_drawn() -> None:
    reports = _reports({"A1": (CreditGrade.A, 100), "B1": (CreditGrade.B, 100)})
    result = draw(reports, RULES, "seed-1")
    assert result.target == 30
    assert len(result.drawn) >= 30


def test_every_agency_with_reports_is_drawn_at_least_once() -> None:
    reports = _reports({f"AG{i}": (CreditGrade.A, 1 if i else 200) for i in range(40)})
    result = draw(reports, RULES, "s")
    assert {r.split("-")[0] for r in result.drawn} == {f"AG{i}" for i in range(40)}
    assert Counter(result.reasons.values())["agency"] == 40


def test_every_r14_type_present_is_drawn() -> None:
    reports = _reports({"A1": (CreditGrade.A, 50)}) + [
        Candidate(
            project_id=f"X-{kind.value}", agency_uscc="A1", service_type=kind, grade=CreditGrade.A
        )
        for kind in (ServiceType.RISK_CENSUS, ServiceType.SAFETY_EVALUATION)
    ]
    result = draw(reports, RULES, "s")
    assert "X-risk_census" in result.drawn and "X-safety_evaluation" in result.drawn
    assert result.reasons["X-safety_evaluation"] == "type:safety_evaluation"


def test_lower_grades_are_drawn_more_often() -> None:
    reports = _reports({"A1": (CreditGrade.A, 500), "D1": (CreditGrade.D, 500)})
    drawn = Counter(
        r.split("-")[0] for seed in range(20) for r in draw(reports, RULES, f"s{seed}").drawn
    )
    assert drawn["D1"] > 2 * drawn["A1"]


def test_the_same_seed_gives_the_same_draw_in_any_order_and_another_seed_another() -> None:
    reports = _reports({"A1": (CreditGrade.A, 60), "C1": (CreditGrade.C, 60)})
    first = draw(reports, RULES, "2026H2-331102-7f3a")
    shuffled = reports[:]
    random.Random(4).shuffle(shuffled)
    assert draw(shuffled, RULES, "2026H2-331102-7f3a") == first
    assert draw(reports, RULES, "2026H2-331102-other").drawn != first.drawn


def test_nothing_uploaded_draws_nothing() -> None:
    assert draw([], RULES, "s").drawn == []
