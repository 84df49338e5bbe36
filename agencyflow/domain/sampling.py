"""Which reports a county spot-checks in a half year (R14): a weighted, reproducible draw.

At least the policy's share of the reports uploaded in the period is drawn, every agency
with reports has at least one drawn, and so does every report type R14 names that the
period has; beyond that, reports of lower-graded agencies are likelier to be drawn (the
policy's weight per grade). The draw is a pure function of its inputs and a seed: each
report gets a key from a SHA-256 of the seed and its id, raised to the inverse of its
weight (Efraimidis–Spirakis weighted sampling without replacement), and the largest keys
win. Anyone with the seed and the recorded inputs gets the same list, in any order the
inputs come; another seed gives another draw.
"""

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from .calendar import CHINA_TZ
from .credit import CreditGrade
from .service_types import ServiceType

R14_TYPES: tuple[ServiceType, ...] = (
    ServiceType.RISK_CENSUS,
    ServiceType.HAZARD_INVESTIGATION,
    ServiceType.STANDARDISATION,
    ServiceType.SAFETY_EVALUATION,
)
"""The report types R14 says must be spot-checked."""


class SamplingRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    min_share: float = Field(gt=0, le=1)
    weights: dict[CreditGrade, float]
    required_types: tuple[ServiceType, ...] = R14_TYPES


class Candidate(BaseModel):
    """A report uploaded in the period: what the draw looks at, nothing more."""

    model_config = ConfigDict(frozen=True)

    project_id: str
    agency_uscc: str
    service_type: ServiceType
    grade: CreditGrade


class Draw(BaseModel):
    drawn: list[str]
    """Project ids, sorted."""
    target: int
    """How many the share asks for; coverage may draw more."""
    reasons: dict[str, str]
    """Why each was drawn: ``agency``, ``type:<service type>`` or ``share``."""


def key_of(seed: str, candidate: Candidate, rules: SamplingRules) -> float:
    """The candidate's key: u^(1/w), u uniform in (0, 1) from the seed and its id."""
    digest = hashlib.sha256(f"{seed}\x00{candidate.project_id}".encode()).digest()
    u = (int.from_bytes(digest[:8], "big") + 1) / (2**64 + 1)
    return math.pow(u, 1.0 / rules.weights[candidate.grade])


def draw(candidates: Iterable[Candidate], rules: SamplingRules, seed: str) -> Draw:
    pool = sorted(candidates, key=lambda c: c.project_id)
    target = math.ceil(rules.min_share * len(pool)) if pool else 0
    keys = {c.project_id: key_of(seed, c, rules) for c in pool}

    def best(of: list[Candidate]) -> Candidate:
        return max(of, key=lambda c: (keys[c.project_id], c.project_id))

    reasons: dict[str, str] = {}
    for agency in sorted({c.agency_uscc for c in pool}):
        mine = [c for c in pool if c.agency_uscc == agency]
        if not any(c.project_id in reasons for c in mine):
            reasons[best(mine).project_id] = "agency"
    for kind in rules.required_types:
        of_kind = [c for c in pool if c.service_type is kind]
        if of_kind and not any(c.project_id in reasons for c in of_kind):
            reasons[best(of_kind).project_id] = f"type:{kind.value}"
    rest = sorted(
        (c for c in pool if c.project_id not in reasons),
        key=lambda c: (keys[c.project_id], c.project_id),
        reverse=True,
    )
    for candidate in rest[: max(target - len(reasons), 0)]:
        reasons[candidate.project_id] = "share"
    return Draw(drawn=sorted(reasons), target=target, reasons=reasons)


PERIOD = re.compile(r"^(\d{4})H([12])$")


def half_year(period: str) -> tuple[dt.datetime, dt.datetime]:
    """``2026H2`` → its first moment and the first moment after it, in China time."""
    found = PERIOD.fullmatch(period)
    if found is None:
        raise ValueError(f"{period!r} is not a half year: write 2026H1 or 2026H2")
    year, half = int(found[1]), int(found[2])
    start = dt.datetime(year, 1 if half == 1 else 7, 1, tzinfo=CHINA_TZ)
    end = (
        dt.datetime(year, 7, 1, tzinfo=CHINA_TZ)
        if half == 1
        else dt.datetime(year + 1, 1, 1, tzinfo=CHINA_TZ)
    )
    return start, end
