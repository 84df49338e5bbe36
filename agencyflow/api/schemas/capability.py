"""What the API shows of capability tests (R12) and of a professional's stars (R8)."""

import datetime as dt

from pydantic import BaseModel

from agencyflow.api.schemas.paging import Page
from agencyflow.domain.capability import ExamLevel, PastResult, PublicWarning


class ResultPublic(BaseModel):
    agency_uscc: str
    professional_id: str
    name: str
    score: float
    passed: bool


class SessionPublic(BaseModel):
    session_id: str
    held_on: dt.date
    level: ExamLevel
    level_label: str
    bank_edition: str
    county_code: str | None
    opened_by: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    tested: int
    failed: int
    results: list[ResultPublic]


class Untested(BaseModel):
    professional_id: str
    name: str


class AgencyCoverage(BaseModel):
    uscc: str
    legal_name: str
    professionals: int
    tested: int
    untested: list[Untested]
    """Who has no result in any session yet."""


class Coverage(BaseModel):
    """Who has been tested, per agency, with the totals of the whole county (or city)."""

    county_code: str | None
    professionals: int
    tested: int
    agencies: int
    fully_tested_agencies: int
    items: list[AgencyCoverage]
    """One page of the agencies, by name."""
    total: int


class Rating(BaseModel):
    """A professional's stars (星级), with the rule and the inputs it was applied to."""

    agency_uscc: str
    professional_id: str
    name: str
    stars: int
    rule: str
    reasons: list[str]
    years_of_service: int
    attributed_events: list[str]
    """Sources of the credit events that count now and name this professional."""
    in_expert_pool: bool
    """Out of the emergency-management expert pool after a failed test, until one is passed."""
    results: list[PastResult]
    """Every test result, oldest first: the expert pool flag's history."""


class WarningPublic(PublicWarning):
    legal_name: str


WarningPage = Page[WarningPublic]
"""The warnings, newest first."""
