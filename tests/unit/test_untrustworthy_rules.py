"""The seriously-untrustworthy list at every boundary (R8, R11): its term, when early removal
may be asked for, what a listing does to the grade and to procurement."""

import datetime as dt

import pytest

from agencyflow.config.policy import Policy
from agencyflow.domain.credit import CreditGrade, procurement_refusals, standing
from agencyflow.domain.untrustworthy import (
    RemovalRequest,
    is_listed,
    listing,
    may_request_removal,
)

RULES = Policy().listing_rules()
AT = dt.datetime(2024, 2, 29, 10, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
LISTED = listing(["agencies/A#credit.affiliation.1"], "丽应急失信〔2024〕1号", ["挂靠"], AT, RULES)


def test_a_listing_runs_three_years_and_removal_may_be_asked_after_twelve_months() -> None:
    # Listed on a leap day: the term and the removal date fall on the month's last day.
    assert LISTED.ends_at == dt.datetime(2027, 2, 28, 10, 0, tzinfo=dt.UTC)
    assert LISTED.removal_from == dt.datetime(2025, 2, 28, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (AT - SECOND, False),
        (AT, True),
        (LISTED.ends_at - SECOND, True),
        (LISTED.ends_at, False),
    ],
)
def test_listed_from_the_decision_until_the_term_ends(moment: dt.datetime, expected: bool) -> None:
    assert is_listed(LISTED, moment) is expected
    assert is_listed(None, moment) is False


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (LISTED.removal_from - SECOND, False),
        (LISTED.removal_from, True),
        (LISTED.ends_at - SECOND, True),
        (LISTED.ends_at, False),
    ],
)
def test_removal_may_be_asked_from_the_policys_months(moment: dt.datetime, expected: bool) -> None:
    assert may_request_removal(LISTED, moment) is expected


def test_one_removal_request_at_a_time() -> None:
    asked = LISTED.model_copy(
        update={"removal": RemovalRequest(requested_at=LISTED.removal_from, reasons=["改"])}
    )
    assert may_request_removal(asked, LISTED.removal_from + SECOND) is False


def test_the_terms_follow_the_policy() -> None:
    rules = Policy(
        untrustworthy_listing_years=5, untrustworthy_removal_after_months=18
    ).listing_rules()
    found = listing([], "X", [], AT, rules)
    assert (found.ends_at.year, found.removal_from.date()) == (2029, dt.date(2025, 8, 29))


def test_removal_must_fall_within_the_listing() -> None:
    with pytest.raises(ValueError, match="within the listing"):
        Policy(untrustworthy_listing_years=1, untrustworthy_removal_after_months=12)


def test_a_listed_agency_is_d_whatever_its_score() -> None:
    credit = Policy().credit_rules()
    assert standing([], AT, credit, listed=True) == (100, CreditGrade.D)
    assert standing([], AT, credit) == (100, CreditGrade.A)


def test_procurement_refuses_a_listed_agency_and_says_why() -> None:
    listed = procurement_refusals(True, CreditGrade.A, CreditGrade.C, "丽应急失信〔2024〕1号")
    assert listed == ["it is on the seriously-untrustworthy list (丽应急失信〔2024〕1号)"]
    assert procurement_refusals(True, CreditGrade.C, CreditGrade.C, None) == []
    assert procurement_refusals(True, CreditGrade.D, CreditGrade.C, None) == [
        "its credit grade D is below C"
    ]
    assert procurement_refusals(False, CreditGrade.A, CreditGrade.C, None) == [
        "the agency may not practise now (suspended or not admitted)"
    ]
