"""Credit grades as lists show them and filter by them (R8, R11: 差异化监管).

The agency's workflow is the one authority on its score and grade: it recomputes them at
each event, each expiry and each listing, and records them with the agency. Readers take
them from there; an agency no event has touched yet stands at the policy's initial score.
"""

from typing import Annotated, Literal

from fastapi import Depends, Query

from agencyflow.api.deps import SettingsDep
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.credit import CreditGrade, CreditRules, grade
from agencyflow.store.agencies import Grades


def score_of(snapshot: AgencySnapshot, rules: CreditRules) -> int:
    return rules.initial_score if snapshot.credit_score is None else snapshot.credit_score


def grade_of(snapshot: AgencySnapshot, rules: CreditRules) -> CreditGrade:
    return snapshot.credit_grade or grade(rules.initial_score, rules)


def _grades(
    settings: SettingsDep,
    grade_: Annotated[
        list[CreditGrade] | None,
        Query(alias="grade", max_length=4, description="only these credit grades"),
    ] = None,
    sort: Annotated[
        Literal["name", "grade"], Query(description="by name, or by grade (A first) then name")
    ] = "name",
) -> Grades:
    rules = settings.policy.credit_rules()
    return Grades(
        initial=grade(rules.initial_score, rules),
        only=tuple(grade_) if grade_ else None,
        by_grade=sort == "grade",
    )


GradeQuery = Annotated[Grades, Depends(_grades)]
