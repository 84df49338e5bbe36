"""Capability tests of professionals (能力测试, R12) and their star rating (星级, R8).

The regulators test professionals by level from the province's question bank; each result
is a score and a verdict. One who fails leaves the emergency-management expert pool until
a later test is passed; an agency with people who failed a session is warned publicly
(通报警示). Stars (1–5) follow by a pure rule from the latest result, the years of service
and the credit events attributed to the professional.
"""

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from .bounded import AsciiCode, Day
from .labels import LabelledEnum
from .regions import CountyCode
from .uscc import Uscc

PROFESSIONAL_ID = re.compile(r"p[1-9][0-9]{0,5}")
"""What `AgencyWorkflow` names an agency's people by: ``p1``, ``p2``…"""
MAX_RESULTS = 500
"""Results per command (and rows per sheet): a county's session, not a province's."""


class ExamLevel(LabelledEnum):
    JUNIOR = ("junior", "初级")
    INTERMEDIATE = ("intermediate", "中级")
    SENIOR = ("senior", "高级")


class ExamSession(BaseModel):
    """One sitting of the capability test (测试场次)."""

    session_id: Annotated[
        str, AsciiCode, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9-]+$")
    ]
    """The regulators' own reference, e.g. ``LS-2026-03``."""
    held_on: Day
    level: ExamLevel
    bank_edition: Annotated[str, Field(min_length=1, max_length=50)]
    """The edition of the province's question bank (题库版本)."""
    county_code: CountyCode | None = None
    """The county that held it; None: the city."""


class ExamResult(BaseModel):
    """One professional's result in one session."""

    agency_uscc: Uscc
    professional_id: Annotated[str, AsciiCode, Field(max_length=8)]
    score: Annotated[float, Field(ge=0, le=100)]
    passed: bool

    @field_validator("professional_id")
    @classmethod
    def _a_professional_id(cls, value: str) -> str:
        if not PROFESSIONAL_ID.fullmatch(value):
            raise ValueError("must be a professional id such as p1")
        return value

    @property
    def key(self) -> str:
        return f"{self.agency_uscc}/{self.professional_id}"


class PastResult(BaseModel):
    """A result as the rating reads it."""

    held_on: dt.date
    level: ExamLevel
    score: float
    passed: bool


class StarRating(BaseModel):
    stars: int
    """1 to 5."""
    reasons: list[str]
    """The rule applied to this professional, one line per input."""


def in_expert_pool(results: list[PastResult]) -> bool:
    """Out of the emergency-management expert pool after a failed test, back in once a later
    test is passed; never tested: in."""
    latest = max(results, key=lambda r: r.held_on) if results else None
    return latest is None or latest.passed


def years_between(since: dt.date | None, today: dt.date) -> int:
    """Whole years from ``since`` to ``today``; none when unknown."""
    if since is None or since > today:
        return 0
    years = today.year - since.year
    return years - 1 if (today.month, today.day) < (since.month, since.day) else years


def stars(
    results: list[PastResult], years_of_service: int, attributed: int, vetoed: bool
) -> StarRating:
    """One star, plus the latest test (passed with 90 or more: +2, with 80 or more: +1),
    plus the years of service (10 or more: +2, 5 or more: +1), less one for each credit
    event attributed to them that counts now; between 1 and 5. Whoever failed their latest
    test, or is named in a one-vote veto that counts, has one star."""
    reasons = ["基础：1 星"]
    latest = max(results, key=lambda r: r.held_on) if results else None
    if latest is None:
        reasons.append("未参加能力测试：+0")
        test = 0
    elif not latest.passed:
        reasons.append(f"最近一次能力测试（{latest.held_on}）不合格：评为 1 星")
        return StarRating(stars=1, reasons=reasons)
    else:
        test = 2 if latest.score >= 90 else 1 if latest.score >= 80 else 0
        reasons.append(f"最近一次能力测试（{latest.held_on}）合格，{latest.score:g} 分：+{test}")
    if vetoed:
        reasons.append("涉及一票否决的信用事件：评为 1 星")
        return StarRating(stars=1, reasons=reasons)
    service = 2 if years_of_service >= 10 else 1 if years_of_service >= 5 else 0
    reasons.append(f"从业 {years_of_service} 年：+{service}")
    if attributed:
        reasons.append(f"计入本人的信用事件 {attributed} 项：-{attributed}")
    return StarRating(stars=max(1, min(5, 1 + test + service - attributed)), reasons=reasons)


class PublicWarning(BaseModel):
    """通报警示: an agency some of whose people failed a session, published at its close."""

    agency_uscc: str
    session_id: str
    failed: int
    issued_at: dt.datetime
    title: str
