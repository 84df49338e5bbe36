"""One list of high-risk industries, in policy, read by admission and by the team rule alike."""

import datetime as dt

from agencyflow.config.policy import Policy
from agencyflow.domain.admission import check_admission
from agencyflow.domain.agency import AgencyFacts
from agencyflow.domain.industries import Industry
from agencyflow.domain.project import ProjectRequest
from agencyflow.domain.project_rules import check_project_request
from tests.factories import TODAY, agency_snapshot, facts, project_request

FIREWORKS_AGENCY = 77


def _codes(violations: list) -> set[str]:  # type: ignore[type-arg]
    return {v.code for v in violations}


def _verdicts(policy: Policy) -> tuple[set[str], set[str]]:
    """What admission says of an agency serving fireworks with no specialist, and what the
    team rule says of its project for a fireworks enterprise."""
    rules = policy.admission_rules()
    application = AgencyFacts.model_validate(facts(FIREWORKS_AGENCY, industries=["fireworks"]))
    admission = check_admission(application, rules, TODAY)
    agency = agency_snapshot(FIREWORKS_AGENCY, industries=["fireworks"])
    request = ProjectRequest.model_validate(project_request(900, industry="fireworks"))
    team = check_project_request(request, agency, rules, dt.date(2026, 11, 27))
    return _codes(admission), _codes(team)


def test_by_default_fireworks_needs_a_specialist_at_admission_and_on_the_team() -> None:
    admission, team = _verdicts(Policy())
    assert "admission.missing_specialist" in admission
    assert "project.missing_specialist" in team


def test_taking_an_industry_off_the_policy_list_changes_both_rules() -> None:
    default = Policy().high_risk_industries
    relaxed = Policy(
        high_risk_industries={k: v for k, v in default.items() if k is not Industry.FIREWORKS}
    )
    admission, team = _verdicts(relaxed)
    assert "admission.missing_specialist" not in admission
    assert "project.missing_specialist" not in team
