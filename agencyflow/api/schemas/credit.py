"""What the API shows of an agency's credit (R8): its score and grade, and the ledger behind."""

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from agencyflow.api.grades import grade_of, score_of
from agencyflow.domain.agency import AgencySnapshot
from agencyflow.domain.bounded import DocumentNumber, Label
from agencyflow.domain.credit import (
    CreditGrade,
    CreditRules,
    OpenObjection,
    RecordedKind,
    counts,
    counts_until,
    deduction,
    vetoed,
)
from agencyflow.domain.project import CreditEvent
from agencyflow.domain.untrustworthy import Listing, Referral


class CreditEntry(BaseModel):
    id: int
    """For an objection: ``POST /credit-events/{id}/objection``."""
    kind: str
    source: str
    """What caused it: ``projects/<id>#…``, ``hazards/<id>#…``, or a regulator's recording
    ``agencies/<uscc>#credit.<kind>.<reference>`` (the reference names the decision)."""
    link: str
    """Where to read what caused it: ``/projects/<id>``, ``/hazards/<id>``, ``/agencies/<uscc>``."""
    occurred_at: dt.datetime
    points: int
    """What it deducts while it counts."""
    counts_until: dt.datetime
    clause: str | None
    """The policy setting it applies."""
    revoked_at: dt.datetime | None
    """When an upheld objection revoked it."""
    recorded_by: str | None
    """The regulator who recorded it; none when a project's step did."""
    details: dict[str, Any]


class CreditRecordingBody(BaseModel):
    kind: RecordedKind
    reference: DocumentNumber
    """The decision number (处罚决定书文号), or the project, hazard or complaint it rests on."""
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    professionals: Annotated[list[Label], Field(max_length=50)] = []
    """The agency's people (``p1``…) it is attributed to: it counts against their stars
    (R8 星级)."""


class Procurement(BaseModel):
    """Whether the agency may sell services bought with public money (政府购买服务, R11)."""

    uscc: str
    legal_name: str
    may_sell: bool
    grade: CreditGrade
    min_grade: CreditGrade
    reasons: list[str]
    """Why not; empty when it may."""


class AgencyCredit(BaseModel):
    """The score and grade are the agency workflow's (the one authority): an event a project
    has just written is in ``counted`` a moment before they reflect it."""

    uscc: str
    score: int
    grade: CreditGrade
    grade_label: str
    close_supervision: bool
    """C and D agencies are supervised closely (重点监管)."""
    vetoed: bool
    """A one-vote veto (一票否决) counts: the grade is D whatever the score."""
    window_months: int
    counted: list[CreditEntry]
    """Events that count now, newest first."""
    expired: list[CreditEntry]
    """Events that no longer count, newest first."""
    objections: list[OpenObjection]
    """Objections (异议) awaiting the regulator's answer."""
    referrals: list[Referral]
    """One-vote vetoes awaiting the city's decision on listing."""
    listing: Listing | None
    """Its place on the seriously-untrustworthy list (严重失信), while it is listed."""


def credit_of(
    snapshot: AgencySnapshot,
    events: list[CreditEvent],
    ids: dict[str, int],
    now: dt.datetime,
    rules: CreditRules,
) -> AgencyCredit:
    entries = [
        (
            counts(event, now, rules),
            CreditEntry(
                id=ids[event.source],
                kind=event.kind,
                source=event.source,
                link="/" + event.source.split("#", 1)[0],
                occurred_at=event.occurred_at,
                points=deduction(event, rules),
                counts_until=counts_until(event, rules),
                clause=event.clause,
                revoked_at=event.revoked_at,
                recorded_by=event.recorded_by,
                details=event.details,
            ),
        )
        for event in reversed(events)
        if event.occurred_at <= now
    ]
    grade = grade_of(snapshot, rules)
    return AgencyCredit(
        uscc=snapshot.uscc,
        score=score_of(snapshot, rules),
        grade=grade,
        grade_label=grade.label,
        close_supervision=grade.needs_close_supervision,
        vetoed=vetoed(events, now, rules),
        window_months=rules.window_months,
        counted=[entry for counted, entry in entries if counted],
        expired=[entry for counted, entry in entries if not counted],
        objections=snapshot.objections,
        referrals=snapshot.referrals,
        listing=snapshot.listing,
    )
